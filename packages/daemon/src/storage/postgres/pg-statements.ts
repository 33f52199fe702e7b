import type pg from 'pg';

/** Sending many statements in few round trips (lists chunked by 1,000 so none grows unbounded). */

const CHUNK = 1000;

/** A statement with literals inlined, or a parameterized one (bulk rows as arrays). */
export type PgStatement = string | { text: string; values: unknown[] };

/**
 * Runs statements in order: consecutive literal statements as multi-statement simple queries
 * (~200 per round trip, a few hundred kB), parameterized ones alone. Returns every result's rows.
 */
export async function runStatements(
  client: pg.ClientBase,
  statements: readonly PgStatement[],
): Promise<Record<string, unknown>[][]> {
  const out: Record<string, unknown>[][] = [];
  let texts: string[] = [];
  const flushTexts = async () => {
    for (let i = 0; i < texts.length; i += 200) {
      const res = (await client.query(texts.slice(i, i + 200).join(';\n'))) as unknown as
        | pg.QueryResult
        | pg.QueryResult[];
      for (const r of Array.isArray(res) ? res : [res]) out.push(r.rows ?? []);
    }
    texts = [];
  };
  for (const st of statements) {
    if (typeof st === 'string') {
      if (st !== '') texts.push(st);
      continue;
    }
    await flushTexts();
    out.push((await client.query(st.text, st.values)).rows);
  }
  await flushTexts();
  return out;
}

/** Splits a list into chunks of 1,000. */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
