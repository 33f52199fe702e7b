import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument, renderApiReference } from './api-reference.js';

/**
 * `npm run docs:api -w @cairn/daemon`: regenerates docs/api-reference.md from the OpenAPI
 * document (a test fails when the committed file differs from this output).
 */

/** Where the generated reference lives (docs/ at the repository root). */
export const API_REFERENCE_PATH = fileURLToPath(
  new URL('../../../../docs/api-reference.md', import.meta.url),
);

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderApiReference(await openApiDocument());
  writeFileSync(API_REFERENCE_PATH, text);
  process.stdout.write(`wrote ${API_REFERENCE_PATH}\n`);
}
