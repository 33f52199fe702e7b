import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Definitions } from '@cairn/core';
import { DaemonError } from '../errors.js';

/** Options of `loadDefinitions()`. */
export interface LoadDefinitionsOptions {
  /** The directory a relative module path is resolved against. Default `process.cwd()`. */
  cwd?: string;
}

/** What `loadDefinitions()` returns: the definitions and where they came from. */
export interface LoadedDefinitions {
  /** The validated definitions the module exported. */
  defs: Definitions;
  /** The absolute path of the module. */
  path: string;
  /** Which export held them: `default`, `defs` or `definitions`. */
  exportName: string;
}

// Extensions that need a TypeScript loader; plain .js/.mjs/.cjs are imported as they are.
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
// Looked up in this order; the first that holds a Definitions object wins.
const EXPORT_NAMES = ['default', 'defs', 'definitions'] as const;

let tsLoader: Promise<void> | undefined;

/** True when this process was started with tsx's loader (`--import tsx` or the tsx CLI). */
function tsxAlreadyLoaded(): boolean {
  return process.execArgv.some((a) => a.includes('tsx')) || process.env.TSX !== undefined;
}

/**
 * Registers tsx's ESM loader once in this process (unless it already runs under tsx), so a
 * TypeScript definitions module and the TypeScript files it imports load without a build step.
 * A global registration (not `tsImport`) keeps one copy of `@cairn/core` per process: the user's
 * definitions and the engine that runs them share classes such as CairnError.
 */
function ensureTypeScriptLoader(): Promise<void> {
  tsLoader ??= tsxAlreadyLoaded()
    ? Promise.resolve()
    : import('tsx/esm/api').then(({ register }) => {
        register();
      });
  return tsLoader;
}

/** True when `value` is a core `Definitions` object (what `definitions()` returns). */
export function isDefinitions(value: unknown): value is Definitions {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'definitions' &&
    (value as { assets?: unknown }).assets instanceof Map
  );
}

/**
 * Loads a TypeScript or JavaScript definitions module (TypeScript without a build step, through
 * tsx) and returns the `Definitions` it exports as `default`, `defs` or `definitions`. Errors:
 * CAIRN_DEFINITIONS_NOT_FOUND (no such file), CAIRN_DEFINITIONS_LOAD_FAILED (the module threw
 * while loading; your error is the `cause`), CAIRN_DEFINITIONS_EXPORT_MISSING (no such export).
 *
 * @example
 * const { defs } = await loadDefinitions('src/defs.ts', { cwd: '/path/to/project' });
 * console.log([...defs.assets.keys()]);
 */
export async function loadDefinitions(
  modulePath: string,
  options: LoadDefinitionsOptions = {},
): Promise<LoadedDefinitions> {
  const cwd = options.cwd ?? process.cwd();
  if (typeof modulePath !== 'string' || modulePath === '') {
    throw new DaemonError(
      'CAIRN_DEFINITIONS_NOT_FOUND',
      'No definitions module given: pass --defs <module> or set "cairn": { "defs": "src/defs.ts" } in package.json.',
      { modulePath, cwd },
    );
  }
  const path = resolve(cwd, modulePath);
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) {
    throw new DaemonError(
      'CAIRN_DEFINITIONS_NOT_FOUND',
      `Definitions module "${modulePath}" not found: ${path} does not exist or is not a file (resolved against ${cwd}). Check the --defs path or the "cairn.defs" field of package.json.`,
      { modulePath, path, cwd },
    );
  }
  if (TS_EXTENSIONS.has(extname(path))) await ensureTypeScriptLoader();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A .ts file with import/export outside a "type": "module" package is loaded as CommonJS by
    // Node and tsx, which fails with Node's require(esm) error rather than saying why.
    const fix =
      extname(path) === '.ts' && /require\(\) ES Module|outside a module/.test(message)
        ? ' Definitions with import/export are an ES module: add "type": "module" to the nearest package.json, or name the file .mts.'
        : ' Fix the error (its stack is the cause) and reload.';
    throw new DaemonError(
      'CAIRN_DEFINITIONS_LOAD_FAILED',
      `Definitions module ${path} threw while loading: ${message.replace(/\.+$/, '')}.${fix}`,
      { path },
      { cause: err },
    );
  }
  for (const name of EXPORT_NAMES) {
    const value = mod[name];
    if (isDefinitions(value)) return { defs: value, path, exportName: name };
  }
  const found = Object.keys(mod);
  const described = found.map((k) => `${k} (${describe(mod[k])})`).join(', ') || 'none';
  throw new DaemonError(
    'CAIRN_DEFINITIONS_EXPORT_MISSING',
    `Definitions module ${path} exports no definitions: found exports ${described}. Export what definitions() returns, e.g. \`export default definitions({ assets: [...] })\` (or a named export "defs" or "definitions").`,
    { path, exports: found },
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const kind = (value as { kind?: unknown }).kind;
    return typeof kind === 'string' ? `an object of kind "${kind}"` : 'an object';
  }
  return typeof value === 'function' ? 'a function' : `a ${typeof value}`;
}
