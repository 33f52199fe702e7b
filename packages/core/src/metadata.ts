/**
 * Metadata attached to assets, materializations and check results. Plain JSON scalars are kept as
 * they are; richer values carry a `type` tag so the UI can render them (links, tables, markdown).
 */

/** A table of rows, shown as a table in the UI. */
export interface TableMetadata {
  type: 'table';
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

/** One metadata value. */
export type MetadataValue =
  | string
  | number
  | boolean
  | null
  | { type: 'url'; url: string }
  | { type: 'path'; path: string }
  | { type: 'markdown'; markdown: string }
  | { type: 'json'; json: unknown }
  | { type: 'timestamp'; iso: string }
  | TableMetadata;

/** A metadata map. */
export type Metadata = Record<string, MetadataValue>;

/** Helpers that build tagged metadata values. */
export const md = {
  /** A link. */
  url: (url: string): MetadataValue => ({ type: 'url', url }),
  /** A file system path. */
  path: (path: string): MetadataValue => ({ type: 'path', path }),
  /** Markdown text. */
  markdown: (markdown: string): MetadataValue => ({ type: 'markdown', markdown }),
  /** Arbitrary JSON. */
  json: (json: unknown): MetadataValue => ({ type: 'json', json }),
  /** An instant. */
  timestamp: (d: Date): MetadataValue => ({ type: 'timestamp', iso: d.toISOString() }),
  /** A table from an array of row objects; columns are the union of the rows' keys in first-seen order. */
  table(rows: readonly Record<string, string | number | boolean | null>[]): TableMetadata {
    const columns: string[] = [];
    for (const row of rows)
      for (const c of Object.keys(row)) if (!columns.includes(c)) columns.push(c);
    return { type: 'table', columns, rows: rows.map((r) => columns.map((c) => r[c] ?? null)) };
  },
};

/** The conventional metadata key for a row count (shown and plotted by the UI). */
export const ROW_COUNT = 'rowCount';
