import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderCliReference } from '../../src/cli/cli-reference.js';

describe('docs/cli-reference.md', () => {
  it('equals the output generated from the command definitions (npm run docs:cli)', () => {
    const committed = readFileSync(
      fileURLToPath(new URL('../../../../docs/cli-reference.md', import.meta.url)),
      'utf8',
    );
    expect(committed).toBe(renderCliReference());
  });

  it('documents every command with its options', () => {
    const text = renderCliReference();
    for (const heading of [
      '## cairn check',
      '## cairn backfill retry-failed',
      '## cairn runs reexecute',
    ]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('| `--fail-on <severity>` |');
  });
});
