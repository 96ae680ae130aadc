import { addTokens, zeroTokens, type Tokens, type UsageRecord } from '../core/record.ts';
import type { TimeDim, ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { costOf } from '../pricing/index.ts';
import type { PriceEntry } from '../pricing/types.ts';

/** What a report can group by. */
export const GROUP_DIMS = [
  'provider',
  'model',
  'app',
  'team',
  'workflow',
  'project',
  'apiKey',
  'user',
  'environment',
  'task',
  'day',
  'week',
  'month',
] as const;
export type GroupDim = (typeof GROUP_DIMS)[number];

const TIME_DIMS: ReadonlySet<string> = new Set(['day', 'week', 'month']);

/** True for calendar dimensions (sorted chronologically in output). */
export function isTimeDim(d: GroupDim): d is TimeDim {
  return TIME_DIMS.has(d);
}

/** Label for a source identity (project, apiKey, user, task) the source did not give. */
export const NONE = '(none)';

/**
 * The value of one grouping dimension for a record: provider, canonical model, a calendar bucket in the
 * calendar's zone, the agent task (taskId, else traceId), or an attribution dimension.
 */
export function dimValue(r: UsageRecord, d: GroupDim, cal: ZonedCalendar): string {
  switch (d) {
    case 'provider':
      return r.provider;
    case 'model':
      return r.model;
    case 'task':
      return r.taskId ?? r.traceId ?? NONE;
    case 'day':
    case 'week':
    case 'month':
      return cal.bucket(r.start, d);
    default:
      return r.dims[d] ?? NONE;
  }
}

interface PriceBucket {
  entry: PriceEntry;
  tier: number;
  serviceTier: string | undefined;
  tokens: Tokens;
}

/** Sums of one group; cost is computed at the end from summed tokens per price key. */
export interface GroupSums {
  key: Record<string, string>;
  requests: number;
  tokens: Tokens;
  reportedCost: number;
  /** True when any record in the group stated a (USD) cost. */
  hasReported: boolean;
  /** Requests and tokens that have no price (unknown model or no price on that date). */
  unpricedRequests: number;
  unpricedTokens: Tokens;
  estimated: boolean;
  /** Canonical models seen in the group. */
  models: Set<string>;
  firstStart?: string;
  lastEnd?: string;
  byPrice: Map<string, PriceBucket>;
}

/** Usage that could not be priced, per provider × model × reason. */
export interface UnpricedSums {
  provider: string;
  model: string;
  reason: string;
  requests: number;
  tokens: Tokens;
}

function emptyGroup(key: Record<string, string>): GroupSums {
  return {
    key,
    requests: 0,
    tokens: zeroTokens(),
    reportedCost: 0,
    hasReported: false,
    unpricedRequests: 0,
    unpricedTokens: zeroTokens(),
    estimated: false,
    models: new Set(),
    byPrice: new Map(),
  };
}

/**
 * Groups priced records by dimensions. Memory grows with the number of groups and price keys, never with
 * the number of records: token counts are summed exactly (integers) and priced once per group and key.
 */
export class Aggregator {
  private readonly groups = new Map<string, GroupSums>();
  readonly total: GroupSums = emptyGroup({});
  private readonly unpriced = new Map<string, UnpricedSums>();
  /** Reported cost in currencies other than USD, which the totals leave out. */
  readonly otherCurrencies = new Map<string, number>();

  private readonly by: readonly GroupDim[];
  private readonly calendar: ZonedCalendar;

  constructor(by: readonly GroupDim[], calendar: ZonedCalendar) {
    this.by = by;
    this.calendar = calendar;
  }

  /** Adds one record to its group, the totals, and the unpriced list where it applies. */
  add(p: PricedRecord): void {
    const r = p.record;
    const values: string[] = [];
    for (const d of this.by) values.push(dimValue(r, d, this.calendar));
    const k = values.join('\u0000');
    let g = this.groups.get(k);
    if (!g) {
      const key: Record<string, string> = Object.create(null) as Record<string, string>;
      this.by.forEach((d, i) => (key[d] = values[i]!));
      g = emptyGroup(key);
      this.groups.set(k, g);
    }
    addTo(g, p);
    addTo(this.total, p);
    if (r.reportedCost && r.reportedCost.currency !== 'USD') {
      const c = r.reportedCost.currency;
      this.otherCurrencies.set(c, (this.otherCurrencies.get(c) ?? 0) + r.reportedCost.amount);
    }
    if (p.unpriced) {
      const uk = `${r.provider}\u0000${r.model}\u0000${p.unpriced}`;
      let u = this.unpriced.get(uk);
      if (!u) {
        u = { provider: r.provider, model: r.model, reason: p.unpriced, requests: 0, tokens: zeroTokens() };
        this.unpriced.set(uk, u);
      }
      u.requests += r.requests;
      addTokens(u.tokens, r.tokens);
    }
  }

  /** All groups (unsorted) and the unpriced list, sorted by tokens. */
  result(): { groups: GroupSums[]; total: GroupSums; unpriced: UnpricedSums[] } {
    const unpriced = [...this.unpriced.values()].sort(
      (a, b) => sumTokens(b.tokens) - sumTokens(a.tokens) || a.model.localeCompare(b.model),
    );
    return { groups: [...this.groups.values()], total: this.total, unpriced };
  }
}

function sumTokens(t: Tokens): number {
  return t.input + t.cacheRead + t.cacheWrite + t.output;
}

function addTo(g: GroupSums, p: PricedRecord): void {
  const r = p.record;
  g.requests += r.requests;
  addTokens(g.tokens, r.tokens);
  if (r.reportedCost && r.reportedCost.currency === 'USD') {
    g.reportedCost += r.reportedCost.amount;
    g.hasReported = true;
  }
  if (r.estimated) g.estimated = true;
  if (r.requests > 0) g.models.add(r.model);
  if (g.firstStart === undefined || r.start < g.firstStart) g.firstStart = r.start;
  const end = r.end ?? r.start;
  if (g.lastEnd === undefined || end > g.lastEnd) g.lastEnd = end;
  if (p.unpriced) {
    g.unpricedRequests += r.requests;
    addTokens(g.unpricedTokens, r.tokens);
  } else if (p.key && p.entry) {
    let b = g.byPrice.get(p.key);
    if (!b) {
      b = { entry: p.entry, tier: p.tier, serviceTier: r.serviceTier, tokens: zeroTokens() };
      g.byPrice.set(p.key, b);
    }
    addTokens(b.tokens, r.tokens);
  }
}

/** Computed cost of a group: each price key's summed tokens at its price, summed in a stable (key) order. */
export function groupCost(g: GroupSums): number {
  let cost = 0;
  for (const k of [...g.byPrice.keys()].sort()) {
    const b = g.byPrice.get(k)!;
    cost += costOf(b.entry, b.tier, b.serviceTier, b.tokens);
  }
  return cost;
}
