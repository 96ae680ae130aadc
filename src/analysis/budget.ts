import type { Budget, Scope } from '../config/schema.ts';
import { SCHEMA_VERSION, money } from '../core/output.ts';
import { formatProblem } from '../core/record.ts';
import { addDays, ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { compileFilters, type Filter, type ScanResult } from '../pipeline/scan.ts';
import { Aggregator, groupCost } from './aggregate.ts';
import { crossingDay, projectTotal, type Forecast } from './forecast.ts';
import { dayDiff, periodContaining, type Period } from './periods.ts';

/** Budget states, from least to most severe. `forecast-exceeded`: inside budget now, projected to cross. */
export const BUDGET_STATUSES = ['ok', 'warn', 'forecast-exceeded', 'exceeded'] as const;
export type BudgetStatus = (typeof BUDGET_STATUSES)[number];

/** How many days of history before the period feed the forecast. */
export const HISTORY_DAYS = 90;

export interface BudgetResult {
  name: string;
  scope: Scope;
  unit: 'usd' | 'tokens';
  amount: number;
  period: Period & { elapsedDays: number; remainingDays: number };
  spent: number;
  /** spent ÷ amount. */
  share: number;
  alertAt: number;
  hardStopAt: number;
  /** Spend expected by the end of the period (spent + forecast of the remaining days); null when the period is over. */
  forecast: {
    total: number;
    lo80: number;
    hi80: number;
    lo95: number;
    hi95: number;
    /** total ÷ amount. */
    share: number;
    method: Forecast['method'];
    backtest: Forecast['backtest'];
    warnings: string[];
  } | null;
  /** The day spend crossed (actual) or is expected to cross (forecast mean) each threshold; null when neither. */
  alert: { date: string; actual: boolean } | null;
  hardStop: { date: string; actual: boolean } | null;
  status: BudgetStatus;
}

/** `finops budget` result. */
export interface BudgetReport {
  schemaVersion: typeof SCHEMA_VERSION;
  command: 'budget';
  currency: 'USD';
  asOf: string;
  timezone: string;
  budgets: BudgetResult[];
  problems: { skipped: number; duplicates: number; first: string | null };
}

/** Rank of a status for `--fail-on` (a budget fails when its rank ≥ the flag's). */
export function statusRank(s: BudgetStatus): number {
  return BUDGET_STATUSES.indexOf(s);
}

/** Scope → filters, so budgets match records exactly as `--filter` does. */
export function scopeFilters(scope: Scope): Filter[] {
  const out: Filter[] = [];
  for (const [k, v] of Object.entries(scope)) {
    if (k === 'tags') {
      for (const [t, g] of Object.entries(v as Record<string, string | string[]>)) {
        for (const glob of typeof g === 'string' ? [g] : g) out.push({ key: `tags.${t}`, glob });
      }
    } else
      for (const glob of typeof v === 'string' ? [v] : (v as string[]))
        out.push({ key: k as Filter['key'], glob });
  }
  return out;
}

/** Collects a daily series per budget during a scan; `result` evaluates every budget as of a day. */
export class BudgetTracker {
  private readonly cal: ZonedCalendar;
  private readonly tracks: { budget: Budget; match: ReturnType<typeof compileFilters>; agg: Aggregator }[];
  private lastDay: string | undefined;

  constructor(budgets: readonly Budget[], tz: string) {
    this.cal = new ZonedCalendar(tz);
    this.tracks = budgets.map((budget) => ({
      budget,
      match: compileFilters(scopeFilters(budget.scope), this.cal),
      agg: new Aggregator(['day'], this.cal),
    }));
  }

  /** Adds one priced record to every budget whose scope it matches. */
  add(p: PricedRecord): void {
    const day = this.cal.date(p.record.start);
    if (this.lastDay === undefined || day > this.lastDay) this.lastDay = day;
    for (const t of this.tracks) if (t.match(p.record)) t.agg.add(p);
  }

  /** Evaluates every budget as of `asOf` (a local date; default: the last day with data). */
  result(scan: ScanResult, asOf?: string): BudgetReport {
    const day = asOf ?? this.lastDay ?? new Date().toISOString().slice(0, 10);
    return {
      schemaVersion: SCHEMA_VERSION,
      command: 'budget',
      currency: 'USD',
      asOf: day,
      timezone: this.cal.tz,
      budgets: this.tracks.map((t) => evaluate(t.budget, t.agg, day)),
      problems: {
        skipped: scan.stats.skipped,
        duplicates: scan.stats.duplicates,
        first: scan.stats.problems[0] ? formatProblem(scan.stats.problems[0]) : null,
      },
    };
  }
}

function evaluate(b: Budget, agg: Aggregator, asOf: string): BudgetResult {
  const unit = b.amount_usd !== undefined ? 'usd' : 'tokens';
  const amount = (b.amount_usd ?? b.amount_tokens)!;
  const period = periodContaining(asOf, b.period, b.start_day);
  const daily = new Map<string, number>();
  for (const g of agg.result().groups) {
    const v =
      unit === 'usd'
        ? groupCost(g)
        : g.tokens.input + g.tokens.cacheRead + g.tokens.cacheWrite + g.tokens.output;
    daily.set(g.key.day!, v);
  }
  // Spent: period start through the as-of day (later days are ignored: --as-of replays the past).
  let spent = 0;
  let alertDate: string | undefined;
  let stopDate: string | undefined;
  for (let d = period.start; d <= asOf; d = addDays(d, 1)) {
    spent += daily.get(d) ?? 0;
    if (alertDate === undefined && spent >= b.alert_at * amount) alertDate = d;
    if (stopDate === undefined && spent >= b.hard_stop_at * amount) stopDate = d;
  }
  const elapsedDays = dayDiff(period.start, asOf) + 1;
  const remainingDays = period.days - elapsedDays;

  // History for the forecast: from the first day with data (at most HISTORY_DAYS before the period) to as-of.
  const firstData = [...daily.keys()].filter((d) => d <= asOf).sort()[0];
  const historyStart = [firstData ?? period.start, addDays(period.start, -HISTORY_DAYS)].sort().reverse()[0]!;
  const series: number[] = [];
  for (let d = historyStart; d <= asOf; d = addDays(d, 1)) series.push(daily.get(d) ?? 0);
  const weekday = (new Date(`${historyStart}T00:00:00Z`).getUTCDay() + 6) % 7;

  let forecast: BudgetResult['forecast'] = null;
  let alertExpected: string | undefined;
  let stopExpected: string | undefined;
  if (remainingDays > 0) {
    const f = projectTotal(series, weekday, remainingDays);
    const conv = unit === 'usd' ? money : Math.round;
    forecast = {
      total: conv(spent + f.total.mean),
      lo80: conv(spent + f.total.lo80),
      hi80: conv(spent + f.total.hi80),
      lo95: conv(spent + f.total.lo95),
      hi95: conv(spent + f.total.hi95),
      share: round4((spent + f.total.mean) / amount),
      method: f.method,
      backtest: f.backtest,
      warnings: f.warnings,
    };
    if (alertDate === undefined) {
      const i = crossingDay(spent, f.points, b.alert_at * amount, 'mean');
      if (i !== null) alertExpected = addDays(asOf, i);
    }
    if (stopDate === undefined) {
      const i = crossingDay(spent, f.points, b.hard_stop_at * amount, 'mean');
      if (i !== null) stopExpected = addDays(asOf, i);
    }
  }
  const share = spent / amount;
  const status: BudgetStatus =
    share >= b.hard_stop_at
      ? 'exceeded'
      : forecast && forecast.total >= b.hard_stop_at * amount
        ? 'forecast-exceeded'
        : share >= b.alert_at
          ? 'warn'
          : 'ok';
  return {
    name: b.name,
    scope: b.scope,
    unit,
    amount,
    period: { ...period, elapsedDays, remainingDays },
    spent: unit === 'usd' ? money(spent) : spent,
    share: round4(share),
    alertAt: b.alert_at,
    hardStopAt: b.hard_stop_at,
    forecast,
    alert: alertDate
      ? { date: alertDate, actual: true }
      : alertExpected
        ? { date: alertExpected, actual: false }
        : null,
    hardStop: stopDate
      ? { date: stopDate, actual: true }
      : stopExpected
        ? { date: stopExpected, actual: false }
        : null,
    status,
  };
}

function round4(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}
