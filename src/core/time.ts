import { UsageError } from './errors.ts';

/** Calendar buckets a report can group by. */
export type TimeDim = 'day' | 'week' | 'month';

const SLOT_MS = 15 * 60 * 1000; // every IANA offset is a multiple of 15 minutes, so a slot never straddles a date change

/**
 * Maps instants to local calendar dates in one IANA zone. Results are cached per 15-minute slot, so the
 * Intl formatter runs once per slot rather than once per record.
 */
export class ZonedCalendar {
  private readonly fmt: Intl.DateTimeFormat | undefined;
  private readonly cache = new Map<number, string>();
  /** UTC: the last date returned (never a prefix of an instant until set). */
  private lastUtcDay = '\u0000';
  readonly utc: boolean;

  readonly tz: string;

  constructor(tz: string) {
    this.tz = tz;
    this.utc = tz === 'UTC' || tz === 'Etc/UTC';
    this.fmt = this.utc
      ? undefined
      : new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** Local date `YYYY-MM-DD` of an ISO instant. */
  date(iso: string): string {
    if (this.utc) {
      // The same string as last time while the day does not change (records come mostly in time order): a map
      // keyed by it then hashes it once, not once per record.
      if (!iso.startsWith(this.lastUtcDay)) this.lastUtcDay = iso.slice(0, 10);
      return this.lastUtcDay;
    }
    const ms = Date.parse(iso);
    const slot = Math.floor(ms / SLOT_MS);
    let d = this.cache.get(slot);
    if (d === undefined) {
      d = this.fmt!.format(new Date(ms));
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(slot, d);
    }
    return d;
  }

  /** The bucket label of an instant: the local date, the Monday of its ISO week, or `YYYY-MM`. */
  bucket(iso: string, dim: TimeDim): string {
    const d = this.date(iso);
    if (dim === 'day') return d;
    if (dim === 'month') return d.slice(0, 7);
    return mondayOf(d);
  }

  /** The instant (ISO, UTC) at which local date `ymd` starts in this zone; DST-safe. */
  startOfDay(ymd: string): string {
    const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
    const guess = Date.UTC(y, m - 1, d);
    if (this.utc) return new Date(guess).toISOString();
    // Two passes: the offset at the guess, then the offset at the corrected instant (handles a DST change that day).
    let t = guess - this.offsetMs(guess);
    t = guess - this.offsetMs(t);
    return new Date(t).toISOString();
  }

  /** Offset of local time from UTC at instant `ms`, in ms. */
  private offsetMs(ms: number): number {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: this.tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    return local - Math.floor(ms / 1000) * 1000;
  }
}

/** Monday (`YYYY-MM-DD`) of the ISO week that contains the date `ymd`. */
export function mondayOf(ymd: string): string {
  const t = Date.parse(`${ymd}T00:00:00Z`);
  const dow = (new Date(t).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(t - dow * 86_400_000).toISOString().slice(0, 10);
}

/** Adds `n` days to a `YYYY-MM-DD` date. */
export function addDays(ymd: string, n: number): string {
  return new Date(Date.parse(`${ymd}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A `--from`/`--to` bound as an ISO instant. A date alone is a local day in `cal`'s zone: `--from` is its
 * start; `--to` is inclusive, so its bound is the start of the next day. A full timestamp is taken as is
 * (and `--to` is then exclusive).
 */
export function parseBound(value: string, kind: 'from' | 'to', cal: ZonedCalendar): string {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    return cal.startOfDay(kind === 'from' ? v : addDays(v, 1));
  }
  if (/^\d{4}-\d{2}$/.test(v)) {
    // A month: --from 2026-10 is Oct 1; --to 2026-10 includes all of October.
    const first = `${v}-01`;
    if (kind === 'from') return cal.startOfDay(first);
    const [y, m] = v.split('-').map(Number) as [number, number];
    const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
    return cal.startOfDay(next);
  }
  const ms = Date.parse(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(ms)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(v);
    return new Date(hasZone ? ms : Date.parse(`${v}Z`)).toISOString();
  }
  throw new UsageError(`--${kind} "${value}": expected YYYY-MM-DD, YYYY-MM or an ISO timestamp`);
}
