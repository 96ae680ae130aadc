import { periodContaining, type Period } from '../analysis/periods.ts';
import { addDays, mondayOf } from '../core/time.ts';

/** Periods a KPI report can use (`--by`). */
export const KPI_PERIODS = ['week', 'month', 'quarter'] as const;
export type KpiPeriodKind = (typeof KPI_PERIODS)[number];

/** ISO-8601 week label of a Monday: `2026-W41` (the week belongs to the year of its Thursday). */
export function isoWeekLabel(monday: string): string {
  const thursday = addDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  const jan1 = Date.parse(`${year}-01-01T00:00:00Z`);
  const week = Math.floor((Date.parse(`${thursday}T00:00:00Z`) - jan1) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The week (ISO: Monday to Sunday), calendar month or calendar quarter that contains local date `day`
 * (`YYYY-MM-DD`, already in the report's zone). Calendar arithmetic only, as periodContaining.
 */
export function kpiPeriod(day: string, by: KpiPeriodKind): Period {
  if (by === 'week') {
    const start = mondayOf(day);
    return { start, end: addDays(start, 6), days: 7, label: isoWeekLabel(start) };
  }
  return periodContaining(day, by);
}

/** Every period from the one containing `first` to the one containing `last` (local dates), in order. */
export function periodsBetween(first: string, last: string, by: KpiPeriodKind): Period[] {
  const out: Period[] = [];
  for (let p = kpiPeriod(first, by); p.start <= last; p = kpiPeriod(addDays(p.end, 1), by)) out.push(p);
  return out;
}
