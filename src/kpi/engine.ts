import { anyGlob } from '../attribution/glob.ts';
import { Aggregator, groupCost, type GroupSums } from '../analysis/aggregate.ts';
import { scopeFilters } from '../analysis/budget.ts';
import type { Period } from '../analysis/periods.ts';
import { SCHEMA_VERSION, money } from '../core/output.ts';
import { formatProblem, type UsageRecord } from '../core/record.ts';
import { ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { compileFilters, type ScanResult } from '../pipeline/scan.ts';
import {
  describeQuantity,
  kpiBetter,
  kpiUnit,
  type KpiConfig,
  type KpiScope,
  type KpiUnit,
  type Quantity,
} from './config.ts';
import type { OutcomeRow, OutcomesStats } from './outcomes.ts';
import { kpiPeriod, periodsBetween, type KpiPeriodKind } from './periods.ts';
import type { KpiSummary } from './summary.ts';

/** One period of the report, as local calendar days (`start`, `end` inclusive). */
export interface KpiPeriod {
  label: string;
  start: string;
  end: string;
  days: number;
  /** True when the data (or --from/--to) covers only part of the period. */
  partial: boolean;
}

/** The human baseline of a human_equivalent KPI in one period. */
export interface HumanEquivalent {
  /** Hours of human work the AI output stands for: denominator × minutes_per_outcome ÷ 60. */
  hours: number;
  humanRateUsd: number;
  /** What those hours would cost at the human rate. */
  humanCostUsd: number;
  /** The AI cost of the scope in the period (the numerator). */
  aiCostUsd: number;
  /** humanCostUsd − aiCostUsd. */
  savingUsd: number;
  /** savingUsd ÷ humanCostUsd (1 − AI rate ÷ human rate). */
  savingShare: number;
}

/** One KPI in one period. Every null carries its reason in `missing`; nothing missing is shown as 0 or ∞. */
export interface KpiCell {
  period: string;
  value: number | null;
  /** Why `value` is null (no outcomes for the period, a zero denominator, unpriced usage); else null. */
  missing: string | null;
  numerator: number | null;
  denominator: number | null;
  /** The value in the period before; null when that is missing or this is the first period. */
  previous: number | null;
  /** value − previous, in the KPI's unit; null when either is null. */
  change: number | null;
  /** change ÷ |previous|; null when either is null or previous is 0. */
  changePct: number | null;
  /** Whether the change goes the KPI's `better` way; null without a change. */
  trend: 'better' | 'worse' | 'flat' | null;
  /** value − target; null without a value or a target. */
  vsTarget: number | null;
  /** True when the value is at or on the `better` side of the target. */
  onTarget: boolean | null;
  /** True when some of the cost comes from token counts estimated locally from text. */
  estimated: boolean;
  /** Requests in the cost scope that have no price: their cost is not in the numerator/denominator. */
  unpricedRequests: number;
  /** Only for kind human_equivalent, when the hours are known. */
  human: HumanEquivalent | null;
}

/** One configured KPI over every period. */
export interface KpiResult {
  name: string;
  title: string;
  kind: KpiConfig['kind'];
  unit: KpiUnit;
  better: 'lower' | 'higher';
  scope: KpiScope;
  /** The numerator and denominator in words (`AI cost`, `tasks resolved`, `revenue`). */
  numerator: string;
  denominator: string;
  target: number | null;
  human: { minutesPerOutcome: number; hourlyRateUsd: number } | null;
  /** One cell per report period, in the same order as `KpiReport.periods`. */
  values: KpiCell[];
}

/** Spend in one period: all usage the scan kept (after --filter), and per team. */
export interface PeriodSpend {
  period: string;
  cost: number;
  unpricedRequests: number;
  byTeam: { team: string; cost: number }[];
}

/** `finops kpi` result (JSON contract: docs/kpi.md). */
export interface KpiReport {
  schemaVersion: typeof SCHEMA_VERSION;
  command: 'kpi';
  currency: 'USD';
  timezone: string;
  by: KpiPeriodKind;
  /** The local days the report covers: --from/--to when given, else the first and last day with data. */
  coverage: { from: string | null; to: string | null };
  periods: KpiPeriod[];
  kpis: KpiResult[];
  spend: PeriodSpend[];
  /** The outcomes files read (--outcomes); null when none was given. */
  outcomes: {
    files: string[];
    rows: number;
    /** Accepted rows that no KPI's metric and scope matched. */
    unused: number;
    /** Rows dated outside --from/--to. */
    outside: number;
    skipped: number;
    first: string | null;
    /** Accepted rows per metric. */
    metrics: Record<string, number>;
  } | null;
  /** Things a reader must know (a metric no row has, unpriced usage inside a KPI's scope). */
  notes: string[];
  /** Usage rows (not outcomes rows) skipped or de-duplicated by the scan. */
  problems: { skipped: number; duplicates: number; first: string | null };
  /** With --summary: the executive view (src/kpi/summary.ts). */
  summary?: KpiSummary;
}

// ---- trackers ------------------------------------------------------------------------------------------

interface UsageCell {
  agg: Aggregator;
  records: number;
}

/** Usage of one scope per period: cost (priced from summed tokens) and requests. */
interface UsageTrack {
  match: (r: UsageRecord) => boolean;
  cells: Map<string, UsageCell>;
}

/** Outcome counts per period: outcome → count, and the count of every counted item. */
interface OutcomeCounts {
  any: number;
  by: Map<string, number>;
}

interface TaskState {
  /** Start of the task's last outcome-bearing step, and that step's outcome and period. */
  lastStart: string;
  last: string;
  period: string;
  /** The latest escalation outcome among its steps (the task counts as escalated). */
  escalatedAs?: string;
  escalatedStart?: string;
}

/** Log outcomes of one scope, counted per task (final outcome; escalated wins) or per request. */
interface OutcomeTrack {
  match: (r: UsageRecord) => boolean;
  count: 'tasks' | 'requests';
  escalation: ReadonlySet<string>;
  /** Per task id (tasks with an outcome only): one small entry each until the end of the scan. */
  tasks: Map<string, TaskState>;
  cells: Map<string, OutcomeCounts>;
}

interface MetricCell {
  sum: number;
  rows: number;
}

/** An outcomes-file metric summed per period over the rows that match a scope. */
interface MetricTrack {
  metric: string;
  match: (row: OutcomeRow) => boolean;
  cells: Map<string, MetricCell>;
}

/** A quantity's value in one period, or why it has none. */
interface Eval {
  value: number | null;
  missing?: string;
  estimated?: boolean;
  unpriced?: number;
}

function scopeKey(scope: KpiScope): string {
  return JSON.stringify(scope, Object.keys(scope).sort());
}

/** Matches an outcomes row: every scope key must match the row's column of that name; tags never do. */
function rowMatcher(scope: KpiScope): (row: OutcomeRow) => boolean {
  const tests: ((row: OutcomeRow) => boolean)[] = [];
  for (const [k, globs] of Object.entries(scope)) {
    if (k === 'tags') {
      if (Object.keys(globs as object).length > 0) return () => false;
      continue;
    }
    tests.push((row) => anyGlob(globs as string | string[], row.scope[k as keyof OutcomeRow['scope']]));
  }
  return (row) => tests.every((t) => t(row));
}

function bump(counts: OutcomeCounts, outcome: string): void {
  counts.any++;
  counts.by.set(outcome, (counts.by.get(outcome) ?? 0) + 1);
}

/**
 * Computes KPIs from priced usage (`add`, as a scanUsage sink) and outcomes-file rows (`addOutcome`), per
 * period of `by` in `tz`. Memory: one aggregator per distinct scope × period, one number per metric × period,
 * plus one small entry per task that carries an outcome inside a per-task outcome scope (until `result`).
 */
export class KpiEngine {
  private readonly cal: ZonedCalendar;
  private readonly by: KpiPeriodKind;
  private readonly kpis: readonly KpiConfig[];
  private readonly usage = new Map<string, UsageTrack>();
  private readonly outcomeTracks = new Map<string, OutcomeTrack>();
  private readonly metricTracks = new Map<string, MetricTrack>();
  private readonly spend = new Map<string, Aggregator>();
  private readonly periodOfDay = new Map<string, Period>();
  private readonly periodByStart = new Map<string, Period>();
  private firstDay: string | undefined;
  private lastDay: string | undefined;
  private unusedRows = 0;

  constructor(kpis: readonly KpiConfig[], opts: { tz: string; by: KpiPeriodKind }) {
    this.cal = new ZonedCalendar(opts.tz);
    this.by = opts.by;
    this.kpis = kpis;
    for (const k of kpis) {
      this.usageTrack(k.scope);
      for (const q of [k.numerator, k.denominator]) {
        if (q.kind === 'outcome') this.outcomeTrack(q, k.scope);
        else if (q.kind === 'metric') this.metricTrack(q, k.scope);
      }
    }
  }

  private usageTrack(scope: KpiScope): UsageTrack {
    const key = scopeKey(scope);
    let t = this.usage.get(key);
    if (!t) {
      t = { match: compileFilters(scopeFilters(scope), this.cal), cells: new Map() };
      this.usage.set(key, t);
    }
    return t;
  }

  private outcomeTrack(q: Extract<Quantity, { kind: 'outcome' }>, kpiScope: KpiScope): OutcomeTrack {
    const scope = q.scope ?? kpiScope;
    const key = `${scopeKey(scope)}\u0000${q.count}\u0000${q.count === 'tasks' ? q.escalation.join(',') : ''}`;
    let t = this.outcomeTracks.get(key);
    if (!t) {
      t = {
        match: compileFilters(scopeFilters(scope), this.cal),
        count: q.count,
        escalation: new Set(q.escalation),
        tasks: new Map(),
        cells: new Map(),
      };
      this.outcomeTracks.set(key, t);
    }
    return t;
  }

  private metricTrack(q: Extract<Quantity, { kind: 'metric' }>, kpiScope: KpiScope): MetricTrack {
    const scope = q.scope ?? kpiScope;
    const key = `${scopeKey(scope)}\u0000${q.metric}`;
    let t = this.metricTracks.get(key);
    if (!t) {
      t = { metric: q.metric, match: rowMatcher(scope), cells: new Map() };
      this.metricTracks.set(key, t);
    }
    return t;
  }

  private period(day: string): Period {
    let p = this.periodOfDay.get(day);
    if (!p) {
      p = kpiPeriod(day, this.by);
      this.periodOfDay.set(day, p);
      this.periodByStart.set(p.start, p);
    }
    return p;
  }

  private seen(day: string): void {
    if (this.firstDay === undefined || day < this.firstDay) this.firstDay = day;
    if (this.lastDay === undefined || day > this.lastDay) this.lastDay = day;
  }

  /** Adds one priced usage record (the scan's sink). */
  add(p: PricedRecord): void {
    const r = p.record;
    const day = this.cal.date(r.start);
    this.seen(day);
    const ps = this.period(day).start;
    let spend = this.spend.get(ps);
    if (!spend) {
      spend = new Aggregator(['team'], this.cal);
      this.spend.set(ps, spend);
    }
    spend.add(p);
    for (const t of this.usage.values()) {
      if (!t.match(r)) continue;
      let c = t.cells.get(ps);
      if (!c) {
        c = { agg: new Aggregator([], this.cal), records: 0 };
        t.cells.set(ps, c);
      }
      c.agg.add(p);
      c.records++;
    }
    if (r.outcome === undefined) return;
    const outcome = r.outcome.toLowerCase();
    for (const t of this.outcomeTracks.values()) {
      if (!t.match(r)) continue;
      const id = r.taskId ?? r.traceId;
      if (t.count === 'requests' || id === undefined) {
        // A request counted on its own, or a request with an outcome but no task id: a task of one step.
        bump(this.counts(t, ps), outcome);
        continue;
      }
      const s = t.tasks.get(id);
      if (!s) {
        const state: TaskState = { lastStart: r.start, last: outcome, period: ps };
        if (t.escalation.has(outcome)) {
          state.escalatedAs = outcome;
          state.escalatedStart = r.start;
        }
        t.tasks.set(id, state);
        continue;
      }
      // The later step wins (ties: the one read later); an escalation anywhere marks the whole task.
      if (r.start >= s.lastStart) {
        s.lastStart = r.start;
        s.last = outcome;
        s.period = ps;
      }
      if (t.escalation.has(outcome) && (s.escalatedStart === undefined || r.start >= s.escalatedStart)) {
        s.escalatedAs = outcome;
        s.escalatedStart = r.start;
      }
    }
  }

  private counts(t: OutcomeTrack, ps: string): OutcomeCounts {
    let c = t.cells.get(ps);
    if (!c) {
      c = { any: 0, by: new Map() };
      t.cells.set(ps, c);
    }
    return c;
  }

  /** Adds one outcomes-file row to every metric whose name and scope it matches. */
  addOutcome(row: OutcomeRow): void {
    this.seen(row.day);
    const ps = this.period(row.day).start;
    let used = false;
    for (const t of this.metricTracks.values()) {
      if (t.metric !== row.metric || !t.match(row)) continue;
      used = true;
      let c = t.cells.get(ps);
      if (!c) {
        c = { sum: 0, rows: 0 };
        t.cells.set(ps, c);
      }
      c.sum += row.value;
      c.rows++;
    }
    if (!used) this.unusedRows++;
  }

  /** Every KPI per period, with changes, targets and spend. `outcomes` is null when no file was given. */
  result(scan: ScanResult, outcomes: OutcomesStats | null): KpiReport {
    // Close the tasks: each counts once, with its effective outcome, in the period of its last outcome step.
    for (const t of this.outcomeTracks.values()) {
      for (const s of t.tasks.values()) bump(this.counts(t, s.period), s.escalatedAs ?? s.last);
      t.tasks.clear();
    }
    const from = scan.from ? this.cal.date(scan.from) : this.firstDay;
    const to = scan.to ? this.cal.date(new Date(Date.parse(scan.to) - 1).toISOString()) : this.lastDay;
    const periods: KpiPeriod[] =
      from !== undefined && to !== undefined && from <= to
        ? periodsBetween(from, to, this.by).map((p) => ({
            label: p.label,
            start: p.start,
            end: p.end,
            days: p.days,
            partial: p.start < from || p.end > to,
          }))
        : [];
    const notes: string[] = [];
    const kpis = this.kpis.map((k) => this.evaluate(k, periods, outcomes, notes));
    return {
      schemaVersion: SCHEMA_VERSION,
      command: 'kpi',
      currency: 'USD',
      timezone: this.cal.tz,
      by: this.by,
      coverage: { from: from ?? null, to: to ?? null },
      periods,
      kpis,
      spend: periods.map((p) => this.periodSpend(p)),
      outcomes: outcomes && {
        files: outcomes.files,
        rows: outcomes.rows,
        unused: this.unusedRows,
        outside: outcomes.outside,
        skipped: outcomes.skipped,
        first: outcomes.problems[0] ? formatProblem(outcomes.problems[0]) : null,
        metrics: Object.fromEntries([...outcomes.metrics].sort(([a], [b]) => a.localeCompare(b))),
      },
      notes,
      problems: {
        skipped: scan.stats.skipped,
        duplicates: scan.stats.duplicates,
        first: scan.stats.problems[0] ? formatProblem(scan.stats.problems[0]) : null,
      },
    };
  }

  private periodSpend(p: KpiPeriod): PeriodSpend {
    const agg = this.spend.get(p.start);
    if (!agg) return { period: p.label, cost: 0, unpricedRequests: 0, byTeam: [] };
    const { groups, total } = agg.result();
    return {
      period: p.label,
      cost: money(groupCost(total)),
      unpricedRequests: total.unpricedRequests,
      byTeam: groups
        .map((g) => ({ team: g.key.team!, cost: money(groupCost(g)) }))
        .sort((a, b) => b.cost - a.cost || a.team.localeCompare(b.team)),
    };
  }

  private quantity(q: Quantity, k: KpiConfig, ps: string, outcomes: OutcomesStats | null): Eval {
    switch (q.kind) {
      case 'cost':
      case 'requests': {
        const c = this.usage.get(scopeKey(k.scope))!.cells.get(ps);
        if (!c || c.records === 0) return { value: null, missing: 'no usage in scope' };
        const g: GroupSums = c.agg.result().total;
        if (q.kind === 'requests') return { value: g.requests };
        if (g.byPrice.size === 0 && g.unpricedRequests > 0) {
          return {
            value: null,
            missing: `usage in scope has no price (${g.unpricedRequests} unpriced requests)`,
          };
        }
        return { value: groupCost(g), estimated: g.estimated, unpriced: g.unpricedRequests };
      }
      case 'outcome': {
        const c = this.outcomeTrack(q, k.scope).cells.get(ps);
        if (!c || c.any === 0) return { value: null, missing: 'no outcomes logged in scope' };
        if (q.outcomes === '*') return { value: c.any };
        let n = 0;
        for (const o of q.outcomes) n += c.by.get(o) ?? 0;
        return { value: n };
      }
      case 'metric': {
        if (!outcomes) return { value: null, missing: `no outcomes file (--outcomes) for ${q.metric}` };
        const c = this.metricTrack(q, k.scope).cells.get(ps);
        if (!c || c.rows === 0)
          return { value: null, missing: 'no outcomes-file rows for this scope and period' };
        return { value: c.sum };
      }
    }
  }

  private evaluate(
    k: KpiConfig,
    periods: readonly KpiPeriod[],
    outcomes: OutcomesStats | null,
    notes: string[],
  ): KpiResult {
    const unit = kpiUnit(k);
    const better = kpiBetter(k);
    const target = k.target ?? null;
    const minutes = k.human?.minutes_per_outcome;
    const rate = k.human?.hourly_rate_usd;
    let unpriced = 0;
    const raw: (number | null)[] = [];
    const values: KpiCell[] = periods.map((p) => {
      const num = this.quantity(k.numerator, k, p.start, outcomes);
      const den = this.quantity(k.denominator, k, p.start, outcomes);
      const unpricedRequests = (num.unpriced ?? 0) + (den.unpriced ?? 0);
      unpriced += unpricedRequests;
      // For a human_equivalent KPI the denominator becomes hours of human work.
      const divisor =
        den.value === null ? null : k.kind === 'human_equivalent' ? (den.value * minutes!) / 60 : den.value;
      let value: number | null = null;
      let missing: string | null = null;
      const reasons: string[] = [];
      if (num.value === null) reasons.push(`${describeQuantity(k.numerator)}: ${num.missing}`);
      if (divisor === null) reasons.push(`${describeQuantity(k.denominator)}: ${den.missing}`);
      else if (divisor === 0) reasons.push(`${describeQuantity(k.denominator)} is 0`);
      if (reasons.length > 0) missing = reasons.join('; ');
      else value = num.value! / divisor!;
      raw.push(value);
      const human: HumanEquivalent | null =
        k.kind === 'human_equivalent' && divisor !== null && divisor > 0 && num.value !== null
          ? {
              hours: round(divisor),
              humanRateUsd: rate!,
              humanCostUsd: money(divisor * rate!),
              aiCostUsd: money(num.value),
              savingUsd: money(divisor * rate! - num.value),
              savingShare: round(1 - num.value / (divisor * rate!)),
            }
          : null;
      return {
        period: p.label,
        value: value === null ? null : round(value),
        missing,
        numerator: num.value === null ? null : round(num.value),
        denominator: den.value === null ? null : round(den.value),
        previous: null,
        change: null,
        changePct: null,
        trend: null,
        vsTarget: value !== null && target !== null ? round(value - target) : null,
        onTarget:
          value !== null && target !== null ? (better === 'lower' ? value <= target : value >= target) : null,
        estimated: (num.estimated ?? false) || (den.estimated ?? false),
        unpricedRequests,
        human,
      };
    });
    // Change against the period before, from unrounded values.
    for (let i = 1; i < values.length; i++) {
      const cur = raw[i]!;
      const prev = raw[i - 1]!;
      const cell = values[i]!;
      cell.previous = prev === null ? null : round(prev);
      if (cur === null || prev === null) continue;
      const change = cur - prev;
      cell.change = round(change);
      cell.changePct = prev === 0 ? null : round(change / Math.abs(prev));
      cell.trend = change === 0 ? 'flat' : change < 0 === (better === 'lower') ? 'better' : 'worse';
    }
    if (unpriced > 0) {
      notes.push(
        `${k.name}: the cost leaves out ${unpriced} unpriced request(s) in scope (see \`finops report\`; add a price under pricing.overrides)`,
      );
    }
    if (outcomes) {
      for (const q of [k.numerator, k.denominator]) {
        if (q.kind === 'metric' && !outcomes.metrics.has(q.metric)) {
          const found = [...outcomes.metrics.keys()].sort().join(', ') || 'none';
          notes.push(`${k.name}: no outcomes row has the metric ${q.metric} (metrics found: ${found})`);
        }
      }
    } else if (k.numerator.kind === 'metric' || k.denominator.kind === 'metric') {
      notes.push(`${k.name}: needs an outcomes file (--outcomes FILE.csv)`);
    }
    return {
      name: k.name,
      title: k.title ?? k.name,
      kind: k.kind,
      unit,
      better,
      scope: k.scope,
      numerator: describeQuantity(k.numerator),
      denominator: describeQuantity(k.denominator),
      target,
      human: k.human ? { minutesPerOutcome: minutes!, hourlyRateUsd: rate! } : null,
      values,
    };
  }
}

/**
 * Rounds a ratio, count or sum for output to 10 significant digits: removes float noise, and keeps the relative
 * precision of tiny unit costs (money()'s absolute millionth would turn $0.0000146 per document into $0.000015).
 */
function round(n: number): number {
  return n === 0 ? 0 : Number(n.toPrecision(10));
}
