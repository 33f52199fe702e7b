import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * `@cairn/core` and `@cairn/daemon` as a user installs them, in `<dir>/node_modules`: compiled by
 * their `build` tsconfig, with only what package.json "files" publishes besides dist (bin/; no
 * src/, so `cairn` runs the compiled CLI), and the third-party dependencies as npm would hoist
 * them (links to this checkout's). Used by the published-build test and the daemon benchmark.
 */
const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

async function build(dir: string, pkg: 'core' | 'daemon'): Promise<void> {
  const source = join(ROOT, 'packages', pkg);
  const target = join(dir, 'node_modules/@cairn', pkg);
  mkdirSync(target, { recursive: true });
  await run(process.execPath, [
    TSC,
    '-p',
    join(source, 'tsconfig.build.json'),
    '--outDir',
    join(target, 'dist'),
    '--sourceMap',
    'false',
  ]);
  cpSync(join(source, 'package.json'), join(target, 'package.json'));
  if (pkg === 'daemon') cpSync(join(source, 'bin'), join(target, 'bin'), { recursive: true });
}

/** Installs the compiled packages under `dir`; returns the path of the installed `cairn` bin. */
export async function publishedInstall(dir: string): Promise<{ cli: string }> {
  await Promise.all([build(dir, 'core'), build(dir, 'daemon')]);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === '@cairn' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  return { cli: join(dir, 'node_modules/@cairn/daemon/bin/cairn.js') };
}
