import { createAttributor } from '../attribution/rules.ts';
import { anyGlob } from '../attribution/glob.ts';
import type { Config } from '../config/schema.ts';
import { UsageError } from '../core/errors.ts';
import { formatProblem, type DimKey, type Tokens, type UsageRecord } from '../core/record.ts';
import { parseBound, ZonedCalendar } from '../core/time.ts';
import { Enricher } from '../pipeline/enrich.ts';
import { emptyStats, readRecords, type ReadStats } from '../pipeline/read.ts';
import type { PriceBook } from '../pricing/index.ts';
import {
  Aggregator,
  GROUP_DIMS,
  groupCost,
  isTimeDim,
  NONE,
  type GroupDim,
  type GroupSums,
} from './aggregate.ts';

/** Version of the JSON documents finops prints; bumped only on a breaking change. */
export const SCHEMA_VERSION = 1;

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
  problems: { skipped: number; duplicates: number; first: string | null; shown: string[] };
  inputs: { file: string; format: string; records: number; skipped: number; duplicates: number }[];
  notes: string[];
}

/** A `--filter key=glob` condition. */
export interface Filter {
  key: GroupDim | `tags.${string}`;
  glob: string;
}

export interface ReportOptions {
  paths: string[];
  by: GroupDim[];
  tz: string;
  from?: string;
  to?: string;
  filters: Filter[];
  top?: number;
  strict?: boolean;
  format?: string;
  config: Config;
  book: PriceBook;
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
  const from = opts.from ? parseBound(opts.from, 'from', cal) : undefined;
  const to = opts.to ? parseBound(opts.to, 'to', cal) : undefined;
  if (from && to && from >= to) throw new UsageError(`--from ${opts.from} is not before --to ${opts.to}`);

  const stats: ReadStats = emptyStats();
  const enricher = new Enricher(
    opts.book,
    createAttributor(opts.config.attribution.rules, opts.config.attribution.default),
  );
  const agg = new Aggregator(opts.by, cal);
  const keep = compileFilters(opts.filters, cal);

  for await (const batch of readRecords(opts.paths, { strict: opts.strict, format: opts.format }, stats)) {
    const inRange =
      from || to ? batch.filter((r) => (!from || r.start >= from) && (!to || r.start < to)) : batch;
    if (inRange.length === 0) continue;
    for (const p of await enricher.enrich(inRange)) if (keep(p.record)) agg.add(p);
  }

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
  if (enricher.stats.tokenizedRecords > 0) {
    notes.push(
      `${enricher.stats.tokenizedRecords} record(s) had text but no token counts: ${enricher.stats.tokenizedTokens} tokens were counted locally (OpenAI encodings exactly; Claude and Gemini as estimates); their groups are marked estimated.`,
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

  return {
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
      estimatedTokens: enricher.stats.tokenizedTokens,
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
      first: stats.problems[0] ? formatProblem(stats.problems[0]) : null,
      shown: stats.problems.slice(0, 10).map(formatProblem),
    },
    inputs: stats.files.map((f) => ({ ...f })),
    notes,
  };
}

function compileFilters(filters: readonly Filter[], cal: ZonedCalendar): (r: UsageRecord) => boolean {
  if (filters.length === 0) return () => true;
  // Same key repeated = any of its globs (OR); different keys = all must hold (AND).
  const byKey = new Map<string, string[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.glob]);
  const tests = [...byKey].map(([key, globs]) => {
    const get = valueOf(key, cal);
    return (r: UsageRecord) => anyGlob(globs, get(r));
  });
  return (r) => tests.every((t) => t(r));
}

function valueOf(key: string, cal: ZonedCalendar): (r: UsageRecord) => string | undefined {
  if (key.startsWith('tags.')) {
    const t = key.slice(5);
    return (r) => (Object.hasOwn(r.tags, t) ? r.tags[t] : undefined);
  }
  const d = key as GroupDim;
  if (d === 'provider') return (r) => r.provider;
  if (d === 'model') return (r) => r.model;
  if (isTimeDim(d)) return (r) => cal.bucket(r.start, d);
  return (r) => r.dims[d as DimKey] ?? NONE;
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

/** Money in JSON: USD rounded to a millionth of a dollar (removes float noise, keeps sub-cent detail). */
export function money(n: number): number {
  return round(n, 6);
}
