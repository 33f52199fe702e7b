import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument, renderApiReference } from '../../src/api/api-reference.js';
import { API_REFERENCE_PATH } from '../../src/api/generate-api-reference.js';

describe('docs/api-reference.md', () => {
  it('equals the reference generated from the OpenAPI document (run `npm run docs:api -w @cairn/daemon`)', async () => {
    const doc = await openApiDocument();
    const generated = renderApiReference(doc);
    expect(readFileSync(API_REFERENCE_PATH, 'utf8')).toBe(generated);
    // Every route is documented with its section.
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        expect(generated).toContain(`## ${method.toUpperCase()} ${path}\n`);
      }
    }
  });
});
