import type { CliIo } from './cli-context.js';

/** Prints a value as indented JSON (what `--json` prints: one document on stdout). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** Formats rows as a left-aligned text table with a header. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

/** Prints a table. */
export function printTable(
  io: CliIo,
  head: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  for (const l of table(head, rows)) io.out(l);
}
