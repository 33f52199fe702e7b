import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Static build to dist/ with base `/`, served by `cairn dev`; `npm run dev` proxies /api to a daemon. */
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 3000 },
  worker: { format: 'es' },
  server: {
    proxy: { '/api': process.env.CAIRN_API ?? 'http://127.0.0.1:3000' },
  },
});
