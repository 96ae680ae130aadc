import { SCHEMA_VERSION, money } from '../core/output.ts';
import { formatProblem } from '../core/record.ts';
import { addDays, ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import type { ScanResult } from '../pipeline/scan.ts';
import { Aggregator, groupCost, type GroupDim } from './aggregate.ts';
import { forecastSeries, type Forecast, type ForecastMethod } from './forecast.ts';
import { dayDiff, periodContaining } from './periods.ts';

/** How far to forecast: a number of days, or to the end of the current month / quarter. */
export type Horizon = { days: number } | { toEnd: 'month' | 'quarter' };

export interface ScopeForecast {
  scope: Record<string, string>;
  /** Days of history used (first to last day with data, zeros filled). */
  historyDays: number;
  /** Actual spend over the history, and over the current period when the horizon runs to its end. */
  history: { total: number; periodToDate: number | null };
  forecast: Forecast;
}

/** `finops forecast` result. */
export interface ForecastReport {
  schemaVersion: typeof SCHEMA_VERSION;
  command: 'forecast';
  metric: 'cost' | 'tokens';
  currency: 'USD';
  timezone: string;
  by: GroupDim[];
  /** Last day of history; forecasts start the day after. */
  lastDay: string | null;
  horizon: { days: number; to: string | null; periodEnd: string | null };
  method: ForecastMethod | 'auto';
  scopes: ScopeForecast[];
  problems: { skipped: number; duplicates: number; first: string | null };
}

/** Collects daily series per scope during a scan; `result` forecasts each. */
export class ForecastTracker {
  private readonly agg: Aggregator;
  private readonly by: GroupDim[];
  private readonly tz: string;
  constructor(by: GroupDim[], tz: string) {
    this.by = by;
    this.tz = tz;
    this.agg = new Aggregator([...by, 'day'], new ZonedCalendar(tz));
  }

  /** Adds one record to its scope's day. */
  add(p: PricedRecord): void {
    this.agg.add(p);
  }

  /** Forecasts every scope from its first day with data to the last day of all data. */
  result(
    scan: ScanResult,
    opts: { horizon: Horizon; metric: 'cost' | 'tokens'; method: ForecastMethod | 'auto' },
  ): ForecastReport {
    const series = new Map<string, { scope: Record<string, string>; days: Map<string, number> }>();
    let last: string | undefined;
    for (const g of this.agg.result().groups) {
      const scope = Object.fromEntries(this.by.map((d) => [d, g.key[d]!]));
      const k = JSON.stringify(scope);
      let s = series.get(k);
      if (!s) series.set(k, (s = { scope, days: new Map() }));
      const v =
        opts.metric === 'cost'
          ? groupCost(g)
          : g.tokens.input + g.tokens.cacheRead + g.tokens.cacheWrite + g.tokens.output;
      s.days.set(g.key.day!, v);
      if (last === undefined || g.key.day! > last) last = g.key.day!;
    }
    let days = 'days' in opts.horizon ? opts.horizon.days : 0;
    let periodEnd: string | null = null;
    let periodStart: string | null = null;
    if (last !== undefined && 'toEnd' in opts.horizon) {
      const p = periodContaining(last, opts.horizon.toEnd);
      periodEnd = p.end;
      periodStart = p.start;
      days = dayDiff(last, p.end);
    }
    const scopes: ScopeForecast[] = [];
    for (const { scope, days: byDay } of series.values()) {
      const first = [...byDay.keys()].sort()[0]!;
      const values: number[] = [];
      let periodToDate = 0;
      for (let d = first; d <= last!; d = addDays(d, 1)) {
        const v = byDay.get(d) ?? 0;
        values.push(v);
        if (periodStart !== null && d >= periodStart) periodToDate += v;
      }
      const weekday = (new Date(`${first}T00:00:00Z`).getUTCDay() + 6) % 7;
      const total = values.reduce((a, b) => a + b, 0);
      scopes.push({
        scope,
        historyDays: values.length,
        history: {
          total: opts.metric === 'cost' ? money(total) : total,
          periodToDate:
            periodStart === null ? null : opts.metric === 'cost' ? money(periodToDate) : periodToDate,
        },
        forecast: forecastSeries(values, weekday, days, opts.method),
      });
    }
    scopes.sort((a, b) => b.forecast.total.mean - a.forecast.total.mean);
    return {
      schemaVersion: SCHEMA_VERSION,
      command: 'forecast',
      metric: opts.metric,
      currency: 'USD',
      timezone: this.tz,
      by: this.by,
      lastDay: last ?? null,
      horizon: { days, to: last !== undefined && days > 0 ? addDays(last, days) : null, periodEnd },
      method: opts.method,
      scopes,
      problems: {
        skipped: scan.stats.skipped,
        duplicates: scan.stats.duplicates,
        first: scan.stats.problems[0] ? formatProblem(scan.stats.problems[0]) : null,
      },
    };
  }
}
