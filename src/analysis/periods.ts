import { addDays } from '../core/time.ts';

/** A budget or forecast period as local calendar days: `start` and `end` inclusive, `YYYY-MM-DD`. */
export interface Period {
  start: string;
  end: string;
  /** Number of days in the period. */
  days: number;
  label: string;
}

/** Kinds of periods a budget can have. */
export type PeriodKind = 'month' | 'quarter' | 'fiscal-month';

/** Days between two `YYYY-MM-DD` dates (b − a). */
export function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function ymd(y: number, m: number, d: number): string {
  // Date.UTC normalises month overflow (m = 12 → January of y + 1).
  return new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
}

/**
 * The period of `kind` that contains local date `day`. Calendar arithmetic only (no instants), so DST changes
 * cannot shift a boundary; the caller maps instants to local dates in its zone first.
 */
export function periodContaining(day: string, kind: PeriodKind, startDay = 1): Period {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  let start: string;
  let next: string;
  let label: string;
  if (kind === 'month') {
    start = ymd(y, m - 1, 1);
    next = ymd(y, m, 1);
    label = start.slice(0, 7);
  } else if (kind === 'quarter') {
    const q = Math.floor((m - 1) / 3);
    start = ymd(y, q * 3, 1);
    next = ymd(y, q * 3 + 3, 1);
    label = `${y}-Q${q + 1}`;
  } else {
    // A fiscal month runs from startDay to the day before startDay of the next month.
    const before = d < startDay;
    start = ymd(y, m - 1 - (before ? 1 : 0), startDay);
    next = ymd(y, m - (before ? 1 : 0), startDay);
    label = `${start}..${addDays(next, -1)}`;
  }
  return { start, end: addDays(next, -1), days: dayDiff(start, next), label };
}
