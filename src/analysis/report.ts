import { UsageError } from '../core/errors.ts';
import { formatProblem, type Tokens } from '../core/record.ts';
import { addDays, parseBound, ZonedCalendar } from '../core/time.ts';
import { QUIET_REASONS } from '../parsers/util.ts';
import { EMPTY_FORMAT } from '../pipeline/read.ts';
import { compileFilters, scanUsage, type Filter, type ScanOptions } from '../pipeline/scan.ts';
import { BudgetTracker, scopeFilters, type BudgetReport } from './budget.ts';
import { money, SCHEMA_VERSION } from '../core/output.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { SpikeFinder, type Anomaly } from './spikes.ts';
import { Reconciler, type Reconciliation } from './reconcile.ts';

export { money, SCHEMA_VERSION };
import { Aggregator, GROUP_DIMS, groupCost, isTimeDim, type GroupDim, type GroupSums } from './aggregate.ts';

export type { Filter };

/** Token buckets as printed: every key always present. */
export interface TokensOut {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  output: number;
  reasoning: number;
}

export interface ReportGroup {
  key: Record<string, string>;
  cost: number;
  reportedCost: number | null;
  requests: number;
  tokens: TokensOut;
  /** Share of the total computed cost, 0..1; null when the total is 0. */
  share: number | null;
  unpricedRequests: number;
  estimated: boolean;
  /** With `--series` (and in the table, for its Trend column): computed cost per day, aligned with `series.days`. */
  daily?: number[];
}

/** Dimensions a `series` breakdown can use: any --by dimension but the calendar ones. */
export type SeriesDim = Exclude<GroupDim, 'day' | 'week' | 'month'>;

/** Daily computed cost over the report period: the data behind the HTML charts and the table's Trend column. */
export interface ReportSeries {
  /** Every local day (in `timezone`) from the first to the last day of the period, gaps filled with 0. */
  days: string[];
  /** Computed cost per day, all usage. */
  total: number[];
  /** Per asked dimension (`--series team,app,model`): each value's total and daily cost, costliest first. */
  breakdowns: { dim: SeriesDim; values: { key: string; cost: number; daily: number[] }[] }[];
}

/** A budget's cumulative spend per day of its period, up to the as-of day (for the burn-down chart). */
export interface BudgetBurn {
  name: string;
  days: string[];
  /** Cumulative spend (USD, or tokens for a token budget) at the end of each day. */
  cumulative: number[];
}

/**
 * A what-if saving, from `finops simulate` (src/simulate, being built). The HTML report shows a savings
 * section when `Report.savings` is present; this is the shape it reads, kept minimal on purpose.
 */
export interface SavingsOpportunity {
  /** e.g. `routing`, `rag`, `cache`, `batch`. */
  simulation: string;
  /** What would change, in words. */
  description: string;
  /** Computed cost of the affected usage now, and under the simulation (USD, same period as the report). */
  current: number;
  simulated: number;
  /** current − simulated (USD). */
  saving: number;
  /** Optional quality or risk caveat shown beside the figure. */
  caveat?: string;
}

/** A cost-per-outcome KPI, from `finops kpi` (src/kpi, being built); rendered in HTML when `Report.kpis` is present. */
export interface KpiValue {
  name: string;
  /** USD per unit; null when the outcome count is 0. */
  value: number | null;
  /** The outcome counted, e.g. `resolved ticket`. */
  unit: string;
  cost: number;
  outcomes: number;
  /** The same KPI in the previous period, when known. */
  previous?: number | null;
}

/** The `finops report` result: the JSON contract (docs/json-schema.md). */
export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  command: 'report';
  currency: 'USD';
  period: { from: string | null; to: string | null };
  timezone: string;
  by: GroupDim[];
  pricing: { source: string; snapshot: string };
  totals: {
    cost: number;
    reportedCost: number | null;
    requests: number;
    tokens: TokensOut;
    unpricedRequests: number;
    estimatedTokens: number;
  };
  groups: ReportGroup[];
  /** Groups beyond `--top N`, summed; null when nothing was cut. */
  other: { groups: number; cost: number; requests: number; tokens: TokensOut } | null;
  unpriced: { provider: string; model: string; reason: string; requests: number; tokens: TokensOut }[];
  problems: { skipped: number; duplicates: number; ignored: number; first: string | null; shown: string[] };
  inputs: {
    file: string;
    format: string;
    records: number;
    skipped: number;
    duplicates: number;
    ignored: number;
  }[];
  notes: string[];
  /** With `--anomalies`: days whose spend is far above the scope's norm. */
  anomalies?: Anomaly[];
  /** With `--reconcile`: computed vs billed per day × provider × model. */
  reconciliation?: Reconciliation;
  /** With `--series` (always in html): daily cost overall and per team / app / model (or the asked dimensions). */
  series?: ReportSeries;
  /** In html, when finops.yaml has budgets: the same result as `finops budget --format json`, plus each burn. */
  budgets?: BudgetReport & { burn: BudgetBurn[] };
  /**
   * In html: the period before, of the same length (the same number of calendar months when the period is whole
   * months), read from the same inputs. Only with both --from and --to; `change` is null when it had no spend.
   */
  previous?: { from: string; to: string; cost: number; requests: number; change: number | null };
  /** In html: usage the attribution rules left on `attribution.default` (team), so nobody owns it. */
  unattributed?: { label: string; cost: number; requests: number };
  /** Savings opportunities from the simulations (src/simulate); optional, rendered in html when present. */
  savings?: SavingsOpportunity[];
  /** Cost-per-outcome KPIs (src/kpi); optional, rendered in html when present. */
  kpis?: KpiValue[];
  /** In html: the command line that produced the report (quoted for a POSIX shell), and when it ran. */
  invocation?: { command: string; generatedAt: string };
}

export interface ReportOptions extends ScanOptions {
  by: GroupDim[];
  top?: number;
  /** Also reconcile computed with billed cost, in the same pass. */
  reconcile?: boolean;
  /** Also look for daily spend spikes per group (the --by dimensions other than time). */
  anomalies?: boolean;
  /**
   * Also collect daily cost: `series` (day axis, total, a breakdown per listed dimension) and, when --by has no
   * calendar dimension, `groups[].daily`. Memory: one number per (value × day) and (group × day).
   */
  series?: { dims: readonly SeriesDim[] };
  /** Also evaluate finops.yaml's budgets in the same scan, with their daily burn (`budgets`). */
  budgets?: boolean;
  /** Also read the period before (needs from and to) and fill `previous`. */
  previous?: boolean;
  /** Also sum the usage left on the attribution default (`unattributed`). */
  unattributed?: boolean;
  /** Told when the scan is done and the report is being put together (progress display). */
  onStage?: (stage: string) => void;
}

/** Parses `--by a,b` into dimensions; throws UsageError naming the bad one. */
export function parseBy(value: string): GroupDim[] {
  const dims = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (dims.length === 0) throw new UsageError('--by needs at least one dimension');
  for (const d of dims) {
    if (!(GROUP_DIMS as readonly string[]).includes(d)) {
      throw new UsageError(`--by ${d}: unknown dimension (choose from ${GROUP_DIMS.join(', ')})`);
    }
  }
  return [...new Set(dims)] as GroupDim[];
}

/** Parses `--filter key=glob` (repeatable). */
export function parseFilter(value: string): Filter {
  const eq = value.indexOf('=');
  const key = eq > 0 ? value.slice(0, eq).trim() : '';
  const glob = eq > 0 ? value.slice(eq + 1).trim() : '';
  if (!key || !glob)
    throw new UsageError(`--filter ${value}: expected key=value (e.g. team=support, model=gpt-4o*)`);
  if (!(GROUP_DIMS as readonly string[]).includes(key) && !key.startsWith('tags.')) {
    throw new UsageError(
      `--filter ${key}: unknown key (choose from ${GROUP_DIMS.join(', ')}, or tags.<name>)`,
    );
  }
  return { key: key as Filter['key'], glob };
}

/** Reads, prices, attributes and groups the inputs into a Report. */
export async function buildReport(opts: ReportOptions): Promise<Report> {
  const cal = new ZonedCalendar(opts.tz);
  const agg = new Aggregator(opts.by, cal);
  const extra: ((p: PricedRecord) => void)[] = [];
  const reconciler = opts.reconcile ? new Reconciler(opts.tz) : undefined;
  if (reconciler) extra.push((p) => reconciler.add(p));
  const spikes = opts.anomalies
    ? new SpikeFinder(
        opts.by.filter((d) => !isTimeDim(d)),
        opts.tz,
      )
    : undefined;
  if (spikes) extra.push((p) => spikes.add(p));
  const seriesDims = opts.series ? [...new Set(opts.series.dims)] : undefined;
  // One fine aggregator for every breakdown (cost is priced per group, then rolled up per dimension).
  const seriesAgg = seriesDims ? new Aggregator([...seriesDims, 'day'], cal) : undefined;
  if (seriesAgg) extra.push((p) => seriesAgg.add(p));
  const dailyAgg =
    opts.series && !opts.by.some(isTimeDim) ? new Aggregator([...opts.by, 'day'], cal) : undefined;
  if (dailyAgg) extra.push((p) => dailyAgg.add(p));
  const budgets = opts.budgets && opts.config.budgets.length > 0 ? opts.config.budgets : undefined;
  const tracker = budgets ? new BudgetTracker(budgets, opts.tz) : undefined;
  const burns = budgets?.map((b) => ({
    match: compileFilters(scopeFilters(b.scope), cal),
    agg: new Aggregator(['day'], cal),
  }));
  if (tracker && burns) {
    extra.push((p) => {
      tracker.add(p);
      for (const b of burns) if (b.match(p.record)) b.agg.add(p);
    });
  }
  const label = opts.config.attribution.default;
  const unattributed = opts.unattributed ? new Aggregator([], cal) : undefined;
  if (unattributed) extra.push((p) => p.record.dims.team === label && unattributed.add(p));

  // The period before: widen the scan, and send what falls before `from` to its own aggregator.
  const prev = opts.previous ? previousPeriod(opts, cal) : undefined;
  const prevAgg = prev ? new Aggregator([], cal) : undefined;
  const sink =
    extra.length === 0
      ? (p: PricedRecord) => agg.add(p)
      : (p: PricedRecord) => {
          agg.add(p);
          for (const f of extra) f(p);
        };
  // Every sink above but the budget tracker and the previous-period split only sums by these dimensions: the
  // scan may then hand it combined records, read in parallel (ScanOptions.combine).
  const combine: GroupDim[] | undefined =
    tracker || prev
      ? undefined
      : [...opts.by, ...(seriesDims ?? []), ...(unattributed ? (['team'] as const) : [])];
  const scan = await scanUsage(
    { ...(prev ? { ...opts, from: prev.from } : opts), combine },
    prev && prevAgg
      ? (p) => {
          if (p.record.start < prev.mainFrom) prevAgg.add(p);
          else sink(p);
        }
      : sink,
  );
  opts.onStage?.('pricing groups');
  const { stats, enrich } = scan;
  const from = prev ? prev.mainFrom : scan.from;
  const to = scan.to;

  const { groups, total, unpriced } = agg.result();
  const totalCost = groupCost(total);
  const sorted = sortGroups(
    groups.map((g) => ({ g, cost: groupCost(g) })),
    opts.by,
  );
  let shown = sorted;
  let other: Report['other'] = null;
  if (opts.top !== undefined && sorted.length > opts.top) {
    const byCost = [...sorted].sort((a, b) => b.cost - a.cost || a.g.requests - b.g.requests);
    const kept = new Set(byCost.slice(0, opts.top));
    shown = sorted.filter((x) => kept.has(x));
    const rest = sorted.filter((x) => !kept.has(x));
    const tokens = zeroOut();
    let cost = 0;
    let requests = 0;
    for (const x of rest) {
      cost += x.cost;
      requests += x.g.requests;
      addOut(tokens, x.g.tokens);
    }
    other = { groups: rest.length, cost: money(cost), requests, tokens };
  }

  const notes: string[] = [];
  for (const [reason, n] of [...stats.ignored].sort((a, b) => b[1] - a[1])) {
    if (QUIET_REASONS.has(reason)) continue; // the format's normal structure: counted in problems.ignored only
    notes.push(`${n} row(s) left out as ${reason}.`);
  }
  const empty = stats.files.filter((f) => f.format === EMPTY_FORMAT).length;
  if (empty > 0) notes.push(`${empty} input file(s) were empty.`);
  if (scan.joined > 0) {
    notes.push(
      `${scan.joined} bill row(s) cover the same provider, model and day as usage records: their cost is kept as Billed, their tokens are not counted twice.`,
    );
  }
  if (enrich.tokenizedRecords > 0) {
    notes.push(
      `${enrich.tokenizedRecords} record(s) had text but no token counts: ${enrich.tokenizedTokens} tokens were counted locally (OpenAI encodings exactly; Claude and Gemini as estimates); their groups are marked estimated.`,
    );
  }
  for (const [cur, amount] of agg.otherCurrencies) {
    notes.push(`Reported cost of ${amount} ${cur} is not in USD and is left out of reportedCost.`);
  }
  if (total.hasReported && total.requests === 0 && total.byPrice.size === 0) {
    notes.push(
      'Only cost exports were read: computed cost needs a usage export or request log for the same period.',
    );
  }

  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    command: 'report',
    currency: 'USD',
    period: { from: from ?? total.firstStart ?? null, to: to ?? total.lastEnd ?? null },
    timezone: opts.tz,
    by: opts.by,
    pricing: opts.book.describe(),
    totals: {
      cost: money(totalCost),
      reportedCost: total.hasReported ? money(total.reportedCost) : null,
      requests: total.requests,
      tokens: tokensOut(total.tokens),
      unpricedRequests: total.unpricedRequests,
      estimatedTokens: enrich.tokenizedTokens,
    },
    groups: shown.map(({ g, cost }) => ({
      key: { ...g.key },
      cost: money(cost),
      reportedCost: g.hasReported ? money(g.reportedCost) : null,
      requests: g.requests,
      tokens: tokensOut(g.tokens),
      share: totalCost > 0 ? round(cost / totalCost, 6) : null,
      unpricedRequests: g.unpricedRequests,
      estimated: g.estimated,
    })),
    other,
    unpriced: unpriced.map((u) => ({ ...u, tokens: tokensOut(u.tokens) })),
    problems: {
      skipped: stats.skipped,
      duplicates: stats.duplicates,
      ignored: [...stats.ignored.values()].reduce((a, b) => a + b, 0),
      first: stats.problems[0] ? formatProblem(stats.problems[0]) : null,
      shown: stats.problems.slice(0, 10).map(formatProblem),
    },
    inputs: stats.files.map((f) => ({ ...f })),
    notes,
  };
  if (spikes) report.anomalies = spikes.result();
  if (reconciler) report.reconciliation = reconciler.result(scan, opts.book);
  const days = seriesDays(report.period, cal);
  if (seriesAgg && seriesDims) report.series = seriesOf(seriesAgg, seriesDims, days);
  if (dailyAgg) {
    const index = new Map(days.map((d, i) => [d, i]));
    const byKey = new Map<string, number[]>();
    for (const g of dailyAgg.result().groups) {
      const k = opts.by.map((d) => g.key[d]).join('\u0000');
      let daily = byKey.get(k);
      if (!daily) byKey.set(k, (daily = days.map(() => 0)));
      const i = index.get(g.key.day!);
      if (i !== undefined) daily[i]! += money(groupCost(g));
    }
    for (const g of report.groups) {
      g.daily = (byKey.get(opts.by.map((d) => g.key[d]).join('\u0000')) ?? days.map(() => 0)).map(money);
    }
  }
  if (tracker && burns) {
    opts.onStage?.('forecasting budgets');
    const br = tracker.result(scan);
    report.budgets = {
      ...br,
      burn: br.budgets.map((b, i) => burnOf(b.name, b.unit, b.period.start, br.asOf, burns[i]!.agg)),
    };
  }
  if (unattributed) {
    const t = unattributed.result().total;
    report.unattributed = { label, cost: money(groupCost(t)), requests: t.requests };
  }
  if (prev && prevAgg) {
    const t = prevAgg.result().total;
    const cost = groupCost(t);
    report.previous = {
      from: prev.from,
      to: prev.mainFrom,
      cost: money(cost),
      requests: t.requests,
      change: cost > 0 ? round((totalCost - cost) / cost, 6) : null,
    };
  }
  return report;
}

/** The `--from`/`--to` bounds of the period before: whole months back when the period is whole months. */
function previousPeriod(
  opts: ReportOptions,
  cal: ZonedCalendar,
): { from: string; mainFrom: string } | undefined {
  if (!opts.from || !opts.to) return undefined;
  const from = parseBound(opts.from, 'from', cal);
  const to = parseBound(opts.to, 'to', cal);
  if (from >= to) return undefined; // scanUsage reports it
  const f = cal.date(from);
  const t = cal.date(to);
  if (f.endsWith('-01') && t.endsWith('-01') && cal.startOfDay(f) === from && cal.startOfDay(t) === to) {
    const months = (+t.slice(0, 4) - +f.slice(0, 4)) * 12 + (+t.slice(5, 7) - +f.slice(5, 7));
    const d = new Date(Date.UTC(+f.slice(0, 4), +f.slice(5, 7) - 1 - months, 1));
    return { from: cal.startOfDay(d.toISOString().slice(0, 10)), mainFrom: from };
  }
  return { from: new Date(2 * Date.parse(from) - Date.parse(to)).toISOString(), mainFrom: from };
}

/** Every local day of the report period (empty without data). */
function seriesDays(period: Report['period'], cal: ZonedCalendar): string[] {
  if (!period.from || !period.to) return [];
  const first = cal.date(period.from);
  const last = cal.date(new Date(Date.parse(period.to) - 1).toISOString());
  const days: string[] = [];
  // Bounded: a report over years still has one entry a day.
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

function seriesOf(agg: Aggregator, dims: readonly SeriesDim[], days: string[]): ReportSeries {
  const index = new Map(days.map((d, i) => [d, i]));
  const total = days.map(() => 0);
  const per = dims.map(() => new Map<string, number[]>());
  for (const g of agg.result().groups) {
    const i = index.get(g.key.day!);
    if (i === undefined) continue;
    // Rounded per fine group first: the sums then do not depend on float noise in the order records arrived.
    const cost = money(groupCost(g));
    total[i]! += cost;
    dims.forEach((d, j) => {
      const m = per[j]!;
      const k = g.key[d]!;
      let daily = m.get(k);
      if (!daily) m.set(k, (daily = days.map(() => 0)));
      daily[i]! += cost;
    });
  }
  return {
    days,
    total: total.map(money),
    breakdowns: dims.map((dim, j) => ({
      dim,
      values: [...per[j]!]
        .map(([key, daily]) => ({
          key,
          cost: money(daily.reduce((a, b) => a + b, 0)),
          daily: daily.map(money),
        }))
        .sort((a, b) => b.cost - a.cost || a.key.localeCompare(b.key)),
    })),
  };
}

function burnOf(
  name: string,
  unit: 'usd' | 'tokens',
  start: string,
  asOf: string,
  agg: Aggregator,
): BudgetBurn {
  const byDay = new Map<string, number>();
  for (const g of agg.result().groups) {
    const v =
      unit === 'usd'
        ? groupCost(g)
        : g.tokens.input + g.tokens.cacheRead + g.tokens.cacheWrite + g.tokens.output;
    byDay.set(g.key.day!, v);
  }
  const days: string[] = [];
  const cumulative: number[] = [];
  let sum = 0;
  for (let d = start; d <= asOf; d = addDays(d, 1)) {
    sum += byDay.get(d) ?? 0;
    days.push(d);
    cumulative.push(unit === 'usd' ? money(sum) : sum);
  }
  return { name, days, cumulative };
}

function sortGroups<T extends { g: GroupSums; cost: number }>(rows: T[], by: readonly GroupDim[]): T[] {
  const timeDims = by.filter(isTimeDim);
  return rows.sort((a, b) => {
    for (const d of timeDims) {
      const c = a.g.key[d]!.localeCompare(b.g.key[d]!);
      if (c !== 0) return c;
    }
    return b.cost - a.cost || b.g.requests - a.g.requests || keyString(a.g).localeCompare(keyString(b.g));
  });
}

function keyString(g: GroupSums): string {
  return Object.values(g.key).join('\u0000');
}

function zeroOut(): TokensOut {
  return { input: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 0, reasoning: 0 };
}

function addOut(a: TokensOut, t: Tokens | TokensOut): void {
  a.input += t.input;
  a.cacheRead += t.cacheRead;
  a.cacheWrite += t.cacheWrite;
  a.cacheWrite1h += t.cacheWrite1h ?? 0;
  a.output += t.output;
  a.reasoning += t.reasoning ?? 0;
}

function tokensOut(t: Tokens): TokensOut {
  const o = zeroOut();
  addOut(o, t);
  return o;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
