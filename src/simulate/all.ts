import { money } from '../core/output.ts';
import { batchAssumptions, BatchStep } from './batch.ts';
import { cacheAssumptions, CacheStep } from './cache.ts';
import { LEVERS, type EngineResult, type Lever, type Step } from './engine.ts';
import { ragAssumptions, RagStep } from './rag.ts';
import { perMonth, savings, share, type Savings, type SimulationHeader } from './result.ts';
import { mainMoves, routingAssumptions, RoutingStep } from './routing.ts';

/** One lever's effect in `simulate all`, on what the levers before it left. */
export interface LeverStep {
  lever: Lever;
  /** False when no policy was given for it (its saving is 0). */
  applied: boolean;
  costBefore: number;
  costAfter: number;
  savings: number;
  /** Of the baseline cost (so the steps' shares add up to the total share). */
  savingsShare: number | null;
  savingsPerMonth: number;
}

export interface AllGroup extends Savings {
  key: Record<string, string>;
  requests: number;
  /** Savings per lever in this group (0 for a lever not applied). */
  byLever: Record<Lever, number>;
}

/** One opportunity: a lever in one group, ranked by dollars per month. */
export interface Opportunity {
  rank: number;
  lever: Lever;
  key: Record<string, string>;
  /** What the lever does there, in words. */
  action: string;
  savings: number;
  savingsPerMonth: number;
  /** Of the total baseline cost. */
  share: number | null;
}

export interface AllResult extends SimulationHeader {
  command: 'simulate all';
  order: Lever[];
  steps: LeverStep[];
  totals: Savings & { requests: number };
  opportunities: Opportunity[];
  groups: AllGroup[];
}

/** The steps `simulate all` runs, in LEVERS order; a lever without a policy is left out (and reported). */
export interface AllSteps {
  routing?: RoutingStep;
  rag?: RagStep;
  cache?: CacheStep;
  batch?: BatchStep;
}

/** The steps present, in the order they apply. */
export function orderedSteps(s: AllSteps): Step[] {
  return LEVERS.map((l) => s[l]).filter((x): x is NonNullable<typeof x> => x !== undefined);
}

/**
 * The `simulate all` result. The engine ran the steps in LEVERS order (routing → RAG trim → caching → batch),
 * each on the request as the previous ones left it; a lever's saving is the cost before it minus the cost
 * after it, so the savings add up to the total exactly and none is counted twice.
 */
export function allResult(head: SimulationHeader, engine: EngineResult, s: AllSteps): AllResult {
  const days = head.period.days;
  const present = LEVERS.filter((l) => s[l] !== undefined);
  const stageOf = (l: Lever): number => present.indexOf(l) + 1; // 0 when absent
  const leverSavings = (costs: number[]): Record<Lever, number> => {
    const out = { routing: 0, rag: 0, cache: 0, batch: 0 };
    for (const l of present) out[l] = costs[stageOf(l) - 1]! - costs[stageOf(l)]!;
    return out;
  };
  const t = engine.total.costs;
  const baseline = t[0]!;
  const final = t[t.length - 1]!;
  const steps: LeverStep[] = LEVERS.map((l) => {
    const at = stageOf(l);
    const before = at > 0 ? t[at - 1]! : 0;
    const after = at > 0 ? t[at]! : 0;
    const sv = at > 0 ? before - after : 0;
    return {
      lever: l,
      applied: at > 0,
      costBefore: money(before),
      costAfter: money(after),
      savings: money(sv),
      savingsShare: share(sv, baseline),
      savingsPerMonth: perMonth(sv, days),
    };
  });
  const opportunities: Omit<Opportunity, 'rank'>[] = [];
  const groups = engine.groups.map((g): AllGroup => {
    const byLever = leverSavings(g.costs);
    for (const l of present) {
      const sv = byLever[l];
      if (money(sv) === 0) continue;
      opportunities.push({
        lever: l,
        key: g.key,
        action: action(l, s, g.id),
        savings: money(sv),
        savingsPerMonth: perMonth(sv, days),
        share: share(sv, baseline),
      });
    }
    return {
      key: g.key,
      requests: g.requests,
      ...savings(g.costs[0]!, g.costs[g.costs.length - 1]!, days),
      byLever: {
        routing: money(byLever.routing),
        rag: money(byLever.rag),
        cache: money(byLever.cache),
        batch: money(byLever.batch),
      },
    };
  });
  opportunities.sort(
    (a, b) =>
      b.savings - a.savings ||
      LEVERS.indexOf(a.lever) - LEVERS.indexOf(b.lever) ||
      Object.values(a.key).join('\u0000').localeCompare(Object.values(b.key).join('\u0000')),
  );
  groups.sort(
    (a, b) =>
      b.savings - a.savings ||
      Object.values(a.key).join('\u0000').localeCompare(Object.values(b.key).join('\u0000')),
  );
  const result: AllResult = {
    ...head,
    command: 'simulate all',
    order: [...LEVERS],
    steps,
    totals: { requests: engine.total.requests, ...savings(baseline, final, days) },
    opportunities: opportunities.map((o, i) => ({ rank: i + 1, ...o })),
    groups,
  };
  result.assumptions.push(
    'Levers apply in this order, each to what the previous left: routing → RAG trim → caching → batch. A lever’s saving is the cost before it minus the cost after it, so the savings add up to the total and none is counted twice (RAG trimmed on a routed request saves at the smaller model’s price; caching is judged on the routed model’s minimum and prices).',
    `Per month = saving over the ${days} day(s) read × 30.44 / ${days}.`,
  );
  if (s.routing) result.assumptions.push(...routingAssumptions(s.routing));
  if (s.rag) result.assumptions.push(...ragAssumptions(s.rag));
  if (s.cache) result.assumptions.push(...cacheAssumptions(s.cache));
  if (s.batch) result.assumptions.push(...batchAssumptions(s.batch));
  for (const l of LEVERS) {
    if (s[l] === undefined) result.notes.push(`${l}: not applied (${MISSING[l]}).`);
  }
  return result;
}

const MISSING: Record<Lever, string> = {
  routing: 'no routing policy: routing: in finops.yaml, --policy FILE, --to-model or --map',
  rag: 'no RAG policy: rag: in finops.yaml, --top-k, --min-score or --max-context-tokens',
  cache: 'caching not simulated',
  batch: 'no batch candidates: batch: in finops.yaml or --batch-workflow / --batch-app / --batch-tag',
};

function action(l: Lever, s: AllSteps, group: string): string {
  switch (l) {
    case 'routing':
      return s.routing ? `route ${mainMoves(s.routing, group)}` : '';
    case 'rag': {
      const p = s.rag!.policy;
      const parts = [
        p.topK !== undefined ? `top-k ${p.topK}` : '',
        p.minScore !== undefined ? `min-score ${p.minScore}` : '',
        p.maxContextTokens !== undefined ? `max ${p.maxContextTokens} context tokens` : '',
      ].filter(Boolean);
      return `trim retrieved context (${parts.join(', ')})`;
    }
    case 'cache': {
      const g = s.cache!.stats.get(group);
      let n = 0;
      for (const tag of g?.byTag.keys() ?? []) if (s.cache!.applied.has(tag)) n++;
      return `cache ${n} repeated prompt prefix${n === 1 ? '' : 'es'}`;
    }
    case 'batch': {
      const g = s.batch!.stats.get(group);
      return `move ${g?.moved ?? 0} request(s) to batch (results within 24 h)`;
    }
  }
}
