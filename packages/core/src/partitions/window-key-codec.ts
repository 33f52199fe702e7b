import { DateTime } from 'luxon';
import { CairnError } from '../errors.js';
import { compileKeyFormat, type KeyFormat } from './key-format.js';
import { MS, type ZoneRules } from './zone-rules.js';

const SUFFIX = /([+-])(\d{2})(\d{2})$/;
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const ISO_WITH_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/;

/**
 * Turns window-start instants into partition keys and keys (or user-given start/end strings) back
 * into instants. A window starting in the second occurrence of a repeated autumn hour gets the UTC
 * offset appended (`2024-11-03-01:00-0500`), as current Dagster does for hourly-or-faster crons,
 * so keys stay unique; all other keys are the plain formatted start.
 */
export class WindowKeyCodec {
  readonly format: KeyFormat;
  private readonly zone: ZoneRules;
  private readonly suffixSecondOccurrence: boolean;

  constructor(fmt: string, zone: ZoneRules, repeatsEveryHour: boolean) {
    this.zone = zone;
    this.format = compileKeyFormat(fmt, zone.name);
    this.suffixSecondOccurrence = repeatsEveryHour && !this.format.hasOffset;
  }

  /** The key of the window starting at `instant`. */
  keyOf(instant: number): string {
    const key = this.format.format(instant, this.zone.wallOf(instant));
    if (this.suffixSecondOccurrence && this.zone.isSecondOccurrence(instant)) {
      return key + offsetSuffix(this.zone.offsetAt(instant));
    }
    return key;
  }

  /**
   * The instant a key denotes (a repeated wall time means its first occurrence unless the key has
   * an offset suffix), or undefined when it does not parse. Callers round-trip through keyOf.
   */
  instantOf(key: string): number | undefined {
    if (typeof key !== 'string') return undefined;
    const parsed = this.format.parse(key);
    if (parsed)
      return 'instant' in parsed ? parsed.instant : this.zone.instantOf(parsed.wall, 'earlier');
    const m = SUFFIX.exec(key);
    if (!m) return undefined;
    const base = this.format.parse(key.slice(0, -5));
    if (!base || 'instant' in base) return undefined;
    const offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * MS.MINUTE;
    return base.wall - offset;
  }

  /**
   * The instant of a user-given start/end: a Date is taken as is; a string is parsed with the key
   * format, then as ISO 8601 (`2024-01-01`, `2024-01-01T06:00`, with or without offset), wall times
   * being read in the definition's timezone.
   */
  boundary(value: Date | string, what: 'start' | 'end'): number {
    let ms: number | undefined;
    if (value instanceof Date) ms = value.getTime();
    else if (typeof value === 'string') {
      ms = this.instantOf(value);
      if (ms === undefined && ISO.test(value)) {
        const iso = value.replace(' ', 'T');
        if (ISO_WITH_OFFSET.test(iso)) ms = DateTime.fromISO(iso, { setZone: true }).toMillis();
        else ms = this.zone.instantOf(DateTime.fromISO(iso, { zone: 'UTC' }).toMillis(), 'earlier');
      }
    }
    const year = ms === undefined || Number.isNaN(ms) ? Number.NaN : new Date(ms).getUTCFullYear();
    if (ms === undefined || !(year >= 1000 && year <= 9998)) {
      throw new CairnError(
        'CAIRN_INVALID_PARTITIONS',
        `Invalid ${what} ${JSON.stringify(value instanceof Date ? String(value) : value)} for time-window partitions: pass a Date, a string in the key format "${this.format.fmt}", or an ISO date like "2024-01-01" (years 1000-9998).`,
        { [what]: value instanceof Date ? String(value) : value, fmt: this.format.fmt },
      );
    }
    return ms;
  }

  /** An ISO 8601 string of `instant` with the zone's offset, for snapshots. */
  iso(instant: number): string {
    return (
      DateTime.fromMillis(instant, { zone: this.zone.name }).toISO() ??
      new Date(instant).toISOString()
    );
  }
}

/** `+HHMM`/`-HHMM` for an offset in ms (Python's `%z`, which Dagster appends). */
function offsetSuffix(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / MS.MINUTE);
  const sign = offsetMs < 0 ? '-' : '+';
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}
