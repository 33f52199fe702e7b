#!/usr/bin/env node
// Runs the CLI. In a source checkout (this repository: src/ next to bin/) tsx's loader compiles the
// TypeScript sources on the fly, and a one-function resolve hook adds the `@cairn/source` export
// condition so that `@cairn/core` and `@cairn/daemon` resolve to their src/index.ts. An installed
// package has no src/ (package.json "files") and runs the compiled dist/: no tsx for Cairn's own
// code, which saves ~60 MB of resident memory (tsx's loader thread and the compiled sources);
// tsx is still registered for definitions written in TypeScript (see load-definitions.ts).
import './node-flags.js';
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register: registerTsx } = await import('tsx/esm/api');
  const hook = `export async function resolve(specifier, context, next) {
  const conditions = context.conditions.includes('@cairn/source')
    ? context.conditions
    : [...context.conditions, '@cairn/source'];
  return next(specifier, { ...context, conditions });
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
  registerTsx();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
