/**
 * Writes docs/cli-reference.md from the CLI's command definitions (`npm run docs:cli`), or with
 * `--check` exits 1 when the committed file differs from what would be generated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderCliReference } from './cli-reference.js';

/** The committed reference file. */
export const CLI_REFERENCE_PATH = fileURLToPath(
  new URL('../../../../docs/cli-reference.md', import.meta.url),
);

const text = renderCliReference();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(CLI_REFERENCE_PATH, 'utf8');
  } catch {}
  if (current !== text) {
    process.stderr.write(
      `${CLI_REFERENCE_PATH} is out of date: run \`npm run docs:cli --workspace @cairn/daemon\`.\n`,
    );
    process.exitCode = 1;
  }
} else {
  writeFileSync(CLI_REFERENCE_PATH, text);
  process.stdout.write(`wrote ${CLI_REFERENCE_PATH}\n`);
}
