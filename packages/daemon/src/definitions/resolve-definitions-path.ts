import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DaemonError } from '../errors.js';

/** Options of `resolveDefinitionsPath()`. */
export interface ResolveDefinitionsPathOptions {
  /** The `--defs` value; wins over package.json. Default: none. */
  defs?: string;
  /** Where the search for package.json starts and `--defs` is resolved. Default `process.cwd()`. */
  cwd?: string;
}

// Only the field we read is validated: the rest of package.json is none of our business.
const packageJsonSchema = z.object({
  cairn: z.object({ defs: z.string().min(1) }).optional(),
});

/**
 * The absolute path of the definitions module: `--defs` resolved against `cwd`, else the
 * `"cairn": { "defs": "src/defs.ts" }` field of the nearest package.json (resolved against that
 * file's directory). Throws CAIRN_DEFINITIONS_NOT_FOUND when neither names one.
 *
 * @example
 * const path = resolveDefinitionsPath({ defs: options.defs, cwd: process.cwd() });
 */
export function resolveDefinitionsPath(options: ResolveDefinitionsPathOptions = {}): string {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (options.defs !== undefined && options.defs !== '') return resolve(cwd, options.defs);
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new DaemonError(
          'CAIRN_DEFINITIONS_NOT_FOUND',
          `${file} is not valid JSON, so its "cairn.defs" field cannot be read: fix the file or pass --defs <module>.`,
          { packageJson: file },
          { cause: err },
        );
      }
      const result = packageJsonSchema.safeParse(parsed);
      if (!result.success) {
        throw new DaemonError(
          'CAIRN_DEFINITIONS_NOT_FOUND',
          `${file} has a "cairn" field that is not { "defs": "<module path>" }: fix it or pass --defs <module>.`,
          { packageJson: file, issues: result.error.issues },
        );
      }
      const defs = result.data.cairn?.defs;
      if (defs !== undefined) return resolve(dir, defs);
      // The nearest package.json is the project: a parent project's field would be a surprise.
      throw notConfigured(cwd, file);
    }
    if (dirname(dir) === dir) throw notConfigured(cwd, undefined);
  }
}

function notConfigured(cwd: string, packageJson: string | undefined): DaemonError {
  const where = packageJson === undefined ? 'no package.json above it' : packageJson;
  return new DaemonError(
    'CAIRN_DEFINITIONS_NOT_FOUND',
    `No definitions module configured for ${cwd} (looked at ${where}): pass --defs <module>, or add "cairn": { "defs": "src/defs.ts" } to package.json.`,
    { cwd, packageJson },
  );
}
