import { money } from '../core/output.ts';
import { addDays, ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { Aggregator, groupCost, type GroupDim } from './aggregate.ts';
import { detectAnomalies } from './anomalies.ts';

/** Share of an average day's total spend a spike must add to be reported. */
export const MIN_EXCESS_SHARE = 0.1;
/** How many times its norm a day must be to be reported as a spike. */
export const MIN_RATIO = 1.5;

function dayCount(first: string, last: string): number {
  return Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;
}

/** A day whose spend is far above its scope's norm. */
export interface Anomaly {
  date: string;
  /** The group the spike is in (the non-time --by dimensions); empty for the whole spend. */
  scope: Record<string, string>;
  expected: number;
  actual: number;
  /** Robust z-score: how many scaled MADs above the expected value. */
  score: number;
}

/**
 * Daily cost per scope (the grouping dimensions other than time), then robust spike detection on each
 * series (anomalies.ts). Memory: one number per scope and day.
 */
export class SpikeFinder {
  private readonly agg: Aggregator;
  private readonly dims: readonly GroupDim[];

  constructor(dims: readonly GroupDim[], tz: string) {
    this.dims = dims;
    this.agg = new Aggregator([...dims, 'day'], new ZonedCalendar(tz));
  }

  /** Adds one record to its scope's day. */
  add(p: PricedRecord): void {
    this.agg.add(p);
  }

  /** Spikes over every scope, most unusual first. */
  result(): Anomaly[] {
    const series = new Map<string, { scope: Record<string, string>; days: Map<string, number> }>();
    let first: string | undefined;
    let last: string | undefined;
    for (const g of this.agg.result().groups) {
      const scope = Object.fromEntries(this.dims.map((d) => [d, g.key[d]!]));
      const k = JSON.stringify(scope);
      let s = series.get(k);
      if (!s) series.set(k, (s = { scope, days: new Map() }));
      const day = g.key.day!;
      s.days.set(day, groupCost(g));
      if (first === undefined || day < first) first = day;
      if (last === undefined || day > last) last = day;
    }
    if (first === undefined || last === undefined) return [];
    const weekday = (new Date(`${first}T00:00:00Z`).getUTCDay() + 6) % 7;
    // Materiality: a statistically unusual day that adds little money is noise to a FinOps reader. A spike must
    // add at least MIN_EXCESS_SHARE of an average day's total spend (all scopes) and be MIN_RATIO × its norm.
    let total = 0;
    for (const { days } of series.values()) for (const v of days.values()) total += v;
    const minExcess = (MIN_EXCESS_SHARE * total) / (dayCount(first, last) || 1);
    const out: Anomaly[] = [];
    for (const { scope, days } of series.values()) {
      const values: number[] = [];
      for (let d = first; d <= last; d = addDays(d, 1)) values.push(days.get(d) ?? 0);
      for (const a of detectAnomalies(values, weekday)) {
        if (a.actual - a.expected < minExcess || a.actual < MIN_RATIO * a.expected) continue;
        out.push({
          date: addDays(first, a.index),
          scope,
          expected: money(a.expected),
          actual: money(a.actual),
          score: Math.round(a.score * 10) / 10,
        });
      }
    }
    return out.sort((a, b) => b.score - a.score || a.date.localeCompare(b.date));
  }
}
