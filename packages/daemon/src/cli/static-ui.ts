import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the UI's static build lands once packages/ui exists. */
export const UI_DIST = join(here, '../../../ui/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// Served at `/` until packages/ui has a build: says so, and links the API's own docs.
const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style>
</head><body><h1>Cairn</h1>
<p>The daemon and its REST API are running. The web UI is not built yet (packages/ui has no build).</p>
<p>Browse the API: <a href="/api/docs">/api/docs</a> (OpenAPI: <a href="/api/openapi.json">/api/openapi.json</a>),
health: <a href="/api/health">/api/health</a>.</p>
</body></html>
`;

/** True for paths the API owns; everything else may be the UI. */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url === '/api' || url.startsWith('/metrics');
}

/**
 * Serves a GET for the UI: a file of the UI build (falling back to index.html for client-side
 * routes), or the placeholder page at `/` while there is no build. Returns false when the
 * request is not the UI's (the API answers it, 404 included).
 */
export async function serveUi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
  if (isApiPath(path)) return false;
  const index = join(UI_DIST, 'index.html');
  if (!existsSync(index)) {
    if (path !== '/') return false;
    res.writeHead(200, { 'content-type': TYPES['.html']! }).end(PLACEHOLDER);
    return true;
  }
  // normalize() resolves `..`; anything that still escapes the build directory is refused.
  let file = normalize(join(UI_DIST, path));
  if (!file.startsWith(UI_DIST + sep) && file !== UI_DIST) return false;
  if (path === '/' || !existsSync(file) || extname(file) === '') file = index;
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  } catch {
    return false;
  }
}
