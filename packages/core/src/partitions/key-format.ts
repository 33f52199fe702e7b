import { DateTime } from 'luxon';

/**
 * Formats window starts into partition keys and parses them back, for a Luxon format string. The
 * common numeric formats (`yyyy-MM-dd`, `yyyy-MM-dd-HH:mm`, ...) take a fast path without Luxon,
 * because keyAt/indexOf must stay in the microseconds at a million partitions.
 */
export interface KeyFormat {
  /** The Luxon format string. */
  readonly fmt: string;
  /** True when the format prints the UTC offset or zone, so keys stay unique across DST. */
  readonly hasOffset: boolean;
  /** The key of the window starting at `instant`, whose wall time (see zone-rules.ts) is `wall`. */
  format(instant: number, wall: number): string;
  /** The instant (format with offset) or wall time a key denotes, or undefined when it does not parse. */
  parse(key: string): { instant: number } | { wall: number } | undefined;
}

type Field = 'yyyy' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss';
const FAST_FIELDS = new Set<string>(['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss']);
const OFFSET_TOKEN = /^(Z{1,5}|z{1,4}|x|X)$/;

/** Splits a Luxon format into runs of one repeated letter and literal text (quotes kept as literal runs). */
function tokenize(fmt: string): { token: string; literal: boolean }[] {
  const out: { token: string; literal: boolean }[] = [];
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === "'") {
      const close = fmt.indexOf("'", i + 1);
      const end = close === -1 ? fmt.length : close + 1;
      out.push({ token: fmt.slice(i, end), literal: true });
      i = end;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < fmt.length && fmt[j] === c) j++;
      out.push({ token: fmt.slice(i, j), literal: false });
      i = j;
    } else {
      let j = i;
      while (j < fmt.length && fmt[j] !== "'" && !/[A-Za-z]/.test(fmt[j]!)) j++;
      out.push({ token: fmt.slice(i, j), literal: true });
      i = j;
    }
  }
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles `fmt` for the zone `zoneName` (used by the Luxon path for zone-dependent tokens). */
export function compileKeyFormat(fmt: string, zoneName: string): KeyFormat {
  const tokens = tokenize(fmt);
  const hasOffset = tokens.some((t) => !t.literal && OFFSET_TOKEN.test(t.token));
  const fast = tokens.every((t) => (t.literal ? !t.token.includes("'") : FAST_FIELDS.has(t.token)));
  if (!fast) return luxonFormat(fmt, zoneName, hasOffset);

  const fields: Field[] = [];
  let pattern = '^';
  for (const t of tokens) {
    if (t.literal) pattern += escapeRegExp(t.token);
    else {
      fields.push(t.token as Field);
      pattern += t.token === 'yyyy' ? '(\\d{4})' : '(\\d{2})';
    }
  }
  const regex = new RegExp(`${pattern}$`);
  return {
    fmt,
    hasOffset: false,
    format(_instant, wall) {
      const d = new Date(wall);
      let s = '';
      for (const t of tokens) {
        if (t.literal) s += t.token;
        else if (t.token === 'yyyy') s += pad(d.getUTCFullYear(), 4);
        else if (t.token === 'MM') s += pad(d.getUTCMonth() + 1, 2);
        else if (t.token === 'dd') s += pad(d.getUTCDate(), 2);
        else if (t.token === 'HH') s += pad(d.getUTCHours(), 2);
        else if (t.token === 'mm') s += pad(d.getUTCMinutes(), 2);
        else s += pad(d.getUTCSeconds(), 2);
      }
      return s;
    },
    parse(key) {
      const m = regex.exec(key);
      if (!m) return undefined;
      const v = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0 };
      for (let i = 0; i < fields.length; i++) v[fields[i]!] = Number(m[i + 1]);
      if (v.MM < 1 || v.MM > 12 || v.HH > 23 || v.mm > 59 || v.ss > 59 || v.dd < 1)
        return undefined;
      if (v.dd > new Date(Date.UTC(v.yyyy, v.MM, 0)).getUTCDate()) return undefined;
      const date = new Date(0);
      date.setUTCFullYear(v.yyyy, v.MM - 1, v.dd);
      date.setUTCHours(v.HH, v.mm, v.ss, 0);
      return { wall: date.getTime() };
    },
  };
}

function luxonFormat(fmt: string, zoneName: string, hasOffset: boolean): KeyFormat {
  return {
    fmt,
    hasOffset,
    format(instant) {
      return DateTime.fromMillis(instant, { zone: zoneName }).toFormat(fmt);
    },
    parse(key) {
      if (hasOffset) {
        const dt = DateTime.fromFormat(key, fmt, { zone: zoneName });
        return dt.isValid ? { instant: dt.toMillis() } : undefined;
      }
      const dt = DateTime.fromFormat(key, fmt, { zone: 'UTC' });
      return dt.isValid ? { wall: dt.toMillis() } : undefined;
    },
  };
}
