#!/usr/bin/env node
// Runs the TypeScript CLI without a build: tsx's loader compiles the sources on the fly, and a
// one-function resolve hook adds the `@cairn/source` export condition so that `@cairn/core` and
// `@cairn/daemon` resolve to their src/index.ts. Needs Node >= 20.6 for module.register.
import './node-flags.js';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const hook = `export async function resolve(specifier, context, next) {
  const conditions = context.conditions.includes('@cairn/source')
    ? context.conditions
    : [...context.conditions, '@cairn/source'];
  return next(specifier, { ...context, conditions });
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
registerTsx();

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
