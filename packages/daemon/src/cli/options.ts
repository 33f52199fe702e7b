import { InvalidArgumentError, Option } from 'commander';
import { type CairnClient, createClient } from '../client/cairn-client.js';
import { resolveDefinitionsPath } from '../definitions/resolve-definitions-path.js';

/** Parses a whole number >= 1 (commander reports the error as a usage error, exit 2). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}".`);
  }
  return n;
}

/** Parses a TCP port (0 picks a free one). */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port between 0 and 65535, got "${value}".`);
  }
  return n;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--defs <module>`. */
export const defsOption = () =>
  new Option(
    '--defs <module>',
    'definitions module (default: "cairn.defs" of the nearest package.json)',
  );

/** `--home <dir>`. */
export const homeOption = () =>
  new Option('--home <dir>', 'Cairn home directory (default: $CAIRN_HOME or .cairn)');

/** `--json`. */
export const jsonOption = () => new Option('--json', 'print JSON for scripts instead of text');

/** `--url <url>` (env CAIRN_URL). */
export const urlOption = () =>
  new Option('--url <url>', "URL of a running daemon's API")
    .env('CAIRN_URL')
    .default('http://127.0.0.1:3000');

/** `--token <token>` (env CAIRN_API_TOKEN). */
export const tokenOption = () =>
  new Option('--token <token>', 'API token (sent as Authorization: Bearer)').env('CAIRN_API_TOKEN');

/** The definitions module path from `--defs` or package.json. */
export function defsPath(opts: { defs?: string }): string {
  return resolveDefinitionsPath(opts.defs === undefined ? {} : { defs: opts.defs });
}

/** A client for `--url` and `--token`. */
export function clientOf(opts: { url?: string; token?: string }): CairnClient {
  return createClient({
    ...(opts.url === undefined ? {} : { url: opts.url }),
    ...(opts.token === undefined ? {} : { token: opts.token }),
  });
}
