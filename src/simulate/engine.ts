import { dimValue, type GroupDim } from '../analysis/aggregate.ts';
import type { Tokens, UsageRecord } from '../core/record.ts';
import type { ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { tierIndex } from '../pricing/index.ts';
import type { PriceEntry } from '../pricing/types.ts';
import { Ledger } from './ledger.ts';

/** The four levers, in the order `simulate all` applies them. */
export const LEVERS = ['routing', 'rag', 'cache', 'batch'] as const;
export type Lever = (typeof LEVERS)[number];

/**
 * One request as the simulation steps see it: the model, price and tokens after the steps before. Steps
 * mutate it; the engine prices it after each step. `tokens` stays disjoint: steps move tokens between
 * buckets or take them away, never count one twice.
 */
export interface SimState {
  readonly p: PricedRecord;
  readonly record: UsageRecord;
  /** The group key (the --by values joined). */
  readonly group: string;
  model: string;
  provider: string;
  entry: PriceEntry;
  serviceTier: string | undefined;
  tokens: Tokens;
  /**
   * Set by the cache step: the tokens it moves from `input` into the cache buckets, per prefix (`tag`). Kept
   * apart from `tokens` so that, at the end, a prefix whose caching costs more than it saves (too few repeats
   * within the TTL to earn back the write premium) can be left uncached everywhere. The cache step is the last
   * one that changes tokens, so later steps only reprice the delta.
   */
  cacheDelta?: { tag: string; tokens: Tokens };
}

/** One what-if lever: changes a request's model, tokens or service tier. */
export interface Step {
  readonly lever: Lever;
  apply(s: SimState): void;
  /** For the cache step: which tags to apply, given each tag's cost delta at its own stage (negative = saves). */
  decide?(deltaCost: Map<string, number>): Set<string>;
}

/** The long-context tier of a state (DESIGN.md: per request; a bucket without request counts keeps its own). */
export function tierOf(s: SimState): number {
  const r = s.record;
  if (r.requests > 0) return tierIndex(s.entry, s.tokens, r.requests);
  if (s.entry === s.p.entry) return s.p.tier;
  return s.p.tier >= 0 && (s.entry.tiers?.length ?? 0) > 0 ? 0 : -1;
}

interface GroupSums {
  key: Record<string, string>;
  requests: number;
  /** stages[0] = baseline; stages[i] = after step i (base tokens, cache deltas apart). */
  stages: Ledger[];
  /** Cache deltas per tag, per stage (undefined before the cache stage). */
  deltas: Map<string, (Ledger | undefined)[]>;
}

/** A group's cost after each stage (index 0 = baseline). */
export interface GroupCosts {
  key: Record<string, string>;
  /** The group key as a string (values joined), to join step statistics. */
  id: string;
  requests: number;
  costs: number[];
}

/** What the engine hands to the result builders. */
export interface EngineResult {
  groups: GroupCosts[];
  total: { requests: number; costs: number[] };
  /** Cache tags applied (caching pays) and each tag's cost delta at the cache stage. */
  cacheTags: { applied: Set<string>; delta: Map<string, number> };
  /** Usage left out: unpriced (with the models) and cost-only rows (no tokens to simulate). */
  excluded: { unpricedRequests: number; unpricedModels: string[]; costOnlyRecords: number };
  /** First and last instant of the usage simulated. */
  first?: string;
  last?: string;
}

/**
 * Runs steps over priced records, one at a time, and sums each group's tokens per price key after every step.
 * Memory: groups × stages × price keys, plus the cache deltas (groups × tracked prefixes, bounded by the
 * cache step), never the records. Savings of step i are cost(stage i-1) − cost(stage i): they add up to the
 * total exactly, and no saving is counted twice, because each step starts from what the previous one left.
 */
export class Simulation {
  private readonly groups = new Map<string, GroupSums>();
  private readonly total: GroupSums;
  private readonly cacheStage: number;
  private unpricedRequests = 0;
  private readonly unpricedModels = new Set<string>();
  private costOnly = 0;
  private first: string | undefined;
  private last: string | undefined;

  readonly steps: readonly Step[];
  private readonly by: readonly GroupDim[];
  private readonly cal: ZonedCalendar;

  constructor(steps: readonly Step[], by: readonly GroupDim[], cal: ZonedCalendar) {
    this.steps = steps;
    this.by = by;
    this.cal = cal;
    const i = steps.findIndex((s) => s.lever === 'cache');
    this.cacheStage = i < 0 ? Infinity : i + 1;
    this.total = this.emptyGroup({});
  }

  private emptyGroup(key: Record<string, string>): GroupSums {
    return {
      key,
      requests: 0,
      stages: Array.from({ length: this.steps.length + 1 }, () => new Ledger()),
      deltas: new Map(),
    };
  }

  /** Adds one priced record (the sink of scanUsage). */
  add(p: PricedRecord): void {
    const r = p.record;
    if (p.unpriced !== undefined) {
      this.unpricedRequests += r.requests;
      if (this.unpricedModels.size < 100) this.unpricedModels.add(r.model);
      return;
    }
    if (p.entry === undefined) {
      this.costOnly++;
      return;
    }
    const values = this.by.map((d) => dimValue(r, d, this.cal));
    const id = values.join('\u0000');
    let g = this.groups.get(id);
    if (g === undefined) {
      const key = Object.create(null) as Record<string, string>;
      this.by.forEach((d, i) => (key[d] = values[i]!));
      g = this.emptyGroup(key);
      this.groups.set(id, g);
    }
    if (this.first === undefined || r.start < this.first) this.first = r.start;
    const end = r.end ?? r.start;
    if (this.last === undefined || end > this.last) this.last = end;
    g.requests += r.requests;
    this.total.requests += r.requests;
    g.stages[0]!.add(p.entry, p.tier, r.serviceTier, r.tokens);
    this.total.stages[0]!.add(p.entry, p.tier, r.serviceTier, r.tokens);
    const s: SimState = {
      p,
      record: r,
      group: id,
      model: r.model,
      provider: r.provider,
      entry: p.entry,
      serviceTier: r.serviceTier,
      tokens: { ...r.tokens },
    };
    for (let i = 0; i < this.steps.length; i++) {
      this.steps[i]!.apply(s);
      const stage = i + 1;
      const tier = tierOf(s);
      for (const sums of [g, this.total]) {
        sums.stages[stage]!.add(s.entry, tier, s.serviceTier, s.tokens);
        if (s.cacheDelta !== undefined && stage >= this.cacheStage) {
          let per = sums.deltas.get(s.cacheDelta.tag);
          if (per === undefined) {
            per = [];
            sums.deltas.set(s.cacheDelta.tag, per);
          }
          (per[stage] ??= new Ledger()).add(s.entry, tier, s.serviceTier, s.cacheDelta.tokens);
        }
      }
    }
  }

  /** Prices every group after every stage; decides which cache tags apply (those that save). */
  finish(): EngineResult {
    const delta = new Map<string, number>();
    for (const [tag, per] of this.total.deltas) delta.set(tag, per[this.cacheStage]?.cost() ?? 0);
    const cacheStep = this.steps[this.cacheStage - 1];
    const applied = cacheStep?.decide ? cacheStep.decide(delta) : new Set(delta.keys());
    const price = (g: GroupSums): number[] =>
      g.stages.map((ledger, stage) => {
        if (stage < this.cacheStage || g.deltas.size === 0) return ledger.cost();
        // Merge the applied deltas into the stage's tokens before pricing: one sum per price key.
        const merged = ledger.clone();
        for (const [tag, per] of g.deltas) {
          const d = per[stage];
          if (d !== undefined && applied.has(tag)) merged.merge(d);
        }
        return merged.cost();
      });
    const groups: GroupCosts[] = [...this.groups].map(([id, g]) => ({
      key: g.key,
      id,
      requests: g.requests,
      costs: price(g),
    }));
    return {
      groups,
      total: { requests: this.total.requests, costs: price(this.total) },
      cacheTags: { applied, delta },
      excluded: {
        unpricedRequests: this.unpricedRequests,
        unpricedModels: [...this.unpricedModels].sort(),
        costOnlyRecords: this.costOnly,
      },
      first: this.first,
      last: this.last,
    };
  }
}
