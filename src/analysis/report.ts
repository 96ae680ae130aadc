import { UsageError } from '../core/errors.ts';
import { formatProblem, type Tokens } from '../core/record.ts';
import { ZonedCalendar } from '../core/time.ts';
import { EMPTY_FORMAT } from '../pipeline/read.ts';
import { scanUsage, type Filter, type ScanOptions } from '../pipeline/scan.ts';
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
}

export interface ReportOptions extends ScanOptions {
  by: GroupDim[];
  top?: number;
  /** Also reconcile computed with billed cost, in the same pass. */
  reconcile?: boolean;
  /** Also look for daily spend spikes per group (the --by dimensions other than time). */
  anomalies?: boolean;
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
  const agg = new Aggregator(opts.by, new ZonedCalendar(opts.tz));
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
  const scan = await scanUsage(
    opts,
    extra.length === 0
      ? (p) => agg.add(p)
      : (p) => {
          agg.add(p);
          for (const f of extra) f(p);
        },
  );
  const { stats, enrich } = scan;
  const from = scan.from;
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
  return report;
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
