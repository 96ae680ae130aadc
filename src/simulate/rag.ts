import type { Tokens, UsageRecord } from '../core/record.ts';
import type { RagConfig } from './config.ts';
import type { EngineResult, SimState, Step } from './engine.ts';
import {
  bySavings,
  pct,
  savings,
  share,
  shownTotals,
  type Savings,
  type SimulationHeader,
} from './result.ts';

/** A trimming policy; any combination, none = measure only. */
export interface RagPolicy {
  topK?: number;
  minScore?: number;
  maxContextTokens?: number;
}

/** What the policy keeps of one request's chunks. */
export interface Trim {
  retrieved: number;
  /** Chunks with a `used` flag (utilization is measured on these). */
  judged: number;
  used: number;
  kept: number;
  contextBefore: number;
  cutTokens: number;
  /** Used chunks the policy would drop: the risk. */
  usedCut: number;
  /** Chunks the min-score rule could not judge (no score). */
  unscored: number;
}

/**
 * Applies the policy to a request's chunks. Chunks rank by score, best first (chunks without a score after the
 * scored ones, in retrieval order); a chunk is kept while the rank is within top-k, its score is at least
 * min-score (an unscored chunk is kept: it cannot be judged), and it fits in max-context-tokens with the
 * chunks kept before it (the first that does not fit ends the list).
 */
export function trimChunks(
  chunks: readonly { tokens: number; score?: number; used?: boolean }[],
  policy: RagPolicy,
): Trim {
  const order = chunks.map((_, i) => i);
  order.sort((a, b) => {
    const sa = chunks[a]!.score;
    const sb = chunks[b]!.score;
    if (sa !== undefined && sb !== undefined && sa !== sb) return sb - sa;
    if (sa === undefined && sb !== undefined) return 1;
    if (sb === undefined && sa !== undefined) return -1;
    return a - b;
  });
  const t: Trim = {
    retrieved: chunks.length,
    judged: 0,
    used: 0,
    kept: 0,
    contextBefore: 0,
    cutTokens: 0,
    usedCut: 0,
    unscored: 0,
  };
  let keptTokens = 0;
  let full = false;
  for (const i of order) {
    const c = chunks[i]!;
    t.contextBefore += c.tokens;
    if (c.used !== undefined) t.judged++;
    if (c.used === true) t.used++;
    let keep = !full;
    if (keep && policy.topK !== undefined && t.kept >= policy.topK) keep = false;
    if (keep && policy.minScore !== undefined) {
      if (c.score === undefined) t.unscored++;
      else if (c.score < policy.minScore) keep = false;
    }
    if (keep && policy.maxContextTokens !== undefined && keptTokens + c.tokens > policy.maxContextTokens) {
      keep = false;
      full = true;
    }
    if (keep) {
      t.kept++;
      keptTokens += c.tokens;
    } else {
      t.cutTokens += c.tokens;
      if (c.used === true) t.usedCut++;
    }
  }
  return t;
}

/**
 * The same policy on a request that logged only totals: `contextTokens` over `retrieved` chunks of equal size,
 * `used` of them used (undefined when not logged). Min-score cannot apply (no scores). The used chunks are
 * taken to rank first, the best case for the risk: said so in the assumptions.
 */
export function trimTotals(
  contextTokens: number,
  retrieved: number,
  used: number | undefined,
  policy: RagPolicy,
): Trim {
  let kept = retrieved;
  if (policy.topK !== undefined) kept = Math.min(kept, policy.topK);
  if (policy.maxContextTokens !== undefined && contextTokens > 0) {
    // Equal chunks of contextTokens / retrieved: floor(max × retrieved / context) fit, in integers.
    kept = Math.min(kept, Math.floor((policy.maxContextTokens * retrieved) / contextTokens));
  }
  const keptTokens = Math.floor((contextTokens * kept) / retrieved);
  return {
    retrieved,
    judged: used === undefined ? 0 : retrieved,
    used: used ?? 0,
    kept,
    contextBefore: contextTokens,
    cutTokens: contextTokens - keptTokens,
    usedCut: used === undefined ? 0 : Math.max(0, used - kept),
    unscored: policy.minScore !== undefined ? retrieved : 0,
  };
}

/**
 * Takes `n` prompt tokens away, from uncached input first, then cache reads, then cache writes (five-minute
 * part first): retrieved context is usually the uncached part of a prompt. Mutates and returns `t`.
 */
export function removePromptTokens(t: Tokens, n: number): Tokens {
  let left = n;
  const take = (have: number): number => {
    const x = Math.min(have, left);
    left -= x;
    return x;
  };
  t.input -= take(t.input);
  t.cacheRead -= take(t.cacheRead);
  const w1h = t.cacheWrite1h ?? 0;
  const w5 = take(t.cacheWrite - w1h);
  const w1 = take(w1h);
  t.cacheWrite -= w5 + w1;
  if (t.cacheWrite1h !== undefined) t.cacheWrite1h -= w1;
  return t;
}

interface RagSums {
  ragRequests: number;
  fromTotals: number;
  retrieved: number;
  judged: number;
  used: number;
  kept: number;
  contextBefore: number;
  cutTokens: number;
  usedCut: number;
  requestsAtRisk: number;
  unscored: number;
}

const emptySums = (): RagSums => ({
  ragRequests: 0,
  fromTotals: 0,
  retrieved: 0,
  judged: 0,
  used: 0,
  kept: 0,
  contextBefore: 0,
  cutTokens: 0,
  usedCut: 0,
  requestsAtRisk: 0,
  unscored: 0,
});

/** The RAG lever: trims retrieved context by the policy and takes the cut tokens off the prompt. */
export class RagStep implements Step {
  readonly lever = 'rag';
  readonly policy: RagPolicy;
  readonly config: RagConfig;
  readonly stats = new Map<string, RagSums>();
  /** Requests whose totals tags were present but unreadable. */
  badTotals = 0;

  constructor(policy: RagPolicy, config: RagConfig) {
    this.policy = policy;
    this.config = config;
  }

  /** True when the policy trims anything (otherwise the step only measures utilization). */
  get active(): boolean {
    const p = this.policy;
    return p.topK !== undefined || p.minScore !== undefined || p.maxContextTokens !== undefined;
  }

  private trim(r: UsageRecord): { trim: Trim; totals: boolean } | undefined {
    const chunks = r.rag?.chunks;
    if (chunks !== undefined && chunks.length > 0)
      return { trim: trimChunks(chunks, this.policy), totals: false };
    const names = this.config.totals;
    if (!Object.hasOwn(r.tags, names.context_tokens) || !Object.hasOwn(r.tags, names.chunks))
      return undefined;
    const ctx = count(r.tags[names.context_tokens]);
    const n = count(r.tags[names.chunks]);
    const usedRaw = Object.hasOwn(r.tags, names.used) ? r.tags[names.used] : undefined;
    const used = count(usedRaw);
    const badUsed =
      (usedRaw !== undefined && used === undefined) || (used !== undefined && n !== undefined && used > n);
    if (ctx === undefined || n === undefined || n < 1 || badUsed) {
      this.badTotals++;
      return undefined;
    }
    return { trim: trimTotals(ctx, n, used, this.policy), totals: true };
  }

  apply(s: SimState): void {
    const r = s.record;
    const got = this.trim(r);
    if (got === undefined) return;
    const t = got.trim;
    let g = this.stats.get(s.group);
    if (g === undefined) {
      g = emptySums();
      this.stats.set(s.group, g);
    }
    const n = Math.max(r.requests, 1);
    g.ragRequests += r.requests;
    if (got.totals) g.fromTotals += r.requests;
    g.retrieved += t.retrieved * n;
    g.judged += t.judged * n;
    g.used += t.used * n;
    g.kept += t.kept * n;
    g.contextBefore += t.contextBefore * n;
    g.unscored += t.unscored * n;
    if (!this.active) return;
    // Never take more than the prompt has (a log whose chunks outweigh its prompt is inconsistent).
    const prompt = s.tokens.input + s.tokens.cacheRead + s.tokens.cacheWrite;
    const cut = Math.min(t.cutTokens * n, prompt);
    g.cutTokens += cut;
    g.usedCut += t.usedCut * n;
    if (t.usedCut > 0) g.requestsAtRisk += r.requests;
    removePromptTokens(s.tokens, cut);
  }
}

/** A non-negative integer from a tag; undefined when absent or not one. */
function count(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export interface RagGroup extends Savings {
  key: Record<string, string>;
  requests: number;
  /** Requests with retrieval data (chunks, or totals in tags). */
  ragRequests: number;
  chunksRetrieved: number;
  /** Chunks marked used, of those with a used flag. */
  chunksUsed: number;
  /** used / retrieved (chunks with a used flag); null when none has one. */
  utilization: number | null;
  /** utilization below the threshold (default 30 %): a leak. */
  lowUtilization: boolean;
  contextTokensBefore: number;
  contextTokensAfter: number;
  contextCutShare: number | null;
  /** Used chunks the policy would cut, and their share of all used chunks: the risk. */
  usedChunksCut: number;
  usedCutShare: number | null;
  requestsAtRisk: number;
}

export interface RagResult extends SimulationHeader {
  command: 'simulate rag';
  policy: { topK: number | null; minScore: number | null; maxContextTokens: number | null };
  lowUtilizationBelow: number;
  totals: Omit<RagGroup, 'key'>;
  groups: RagGroup[];
}

function ragRow(
  key: Record<string, string>,
  requests: number,
  g: RagSums,
  costs: [number, number],
  days: number,
  low: number,
): RagGroup {
  const utilization = share(g.used, g.judged);
  return {
    key,
    requests,
    ragRequests: g.ragRequests,
    chunksRetrieved: g.retrieved,
    chunksUsed: g.used,
    utilization,
    lowUtilization: utilization !== null && utilization < low,
    contextTokensBefore: g.contextBefore,
    contextTokensAfter: g.contextBefore - g.cutTokens,
    contextCutShare: share(g.cutTokens, g.contextBefore),
    usedChunksCut: g.usedCut,
    usedCutShare: share(g.usedCut, g.used),
    requestsAtRisk: g.requestsAtRisk,
    ...savings(costs[0], costs[1], days),
  };
}

/** The `simulate rag` result: groups with retrieval data (others are left out of the rows, not the totals). */
export function ragResult(head: SimulationHeader, engine: EngineResult, step: RagStep): RagResult {
  const days = head.period.days;
  const low = step.config.low_utilization;
  const total = emptySums();
  const groups: RagGroup[] = [];
  for (const g of engine.groups) {
    const st = step.stats.get(g.id);
    if (st === undefined) continue;
    for (const k of Object.keys(total) as (keyof RagSums)[]) total[k] += st[k];
    groups.push(ragRow(g.key, g.requests, st, [g.costs[0]!, g.costs[1]!], days, low));
  }
  const t = shownTotals(engine.groups, (id) => step.stats.has(id));
  const p = step.policy;
  const result: RagResult = {
    ...head,
    command: 'simulate rag',
    policy: {
      topK: p.topK ?? null,
      minScore: p.minScore ?? null,
      maxContextTokens: p.maxContextTokens ?? null,
    },
    lowUtilizationBelow: low,
    totals: (({ key: _k, ...rest }) => rest)(
      ragRow({}, t.requests, total, [t.baseline, t.simulated], days, low),
    ),
    groups: bySavings(groups),
  };
  result.assumptions.push(...ragAssumptions(step));
  if (!step.active)
    result.notes.push(
      'No trimming policy given (--top-k, --min-score, --max-context-tokens or rag: in finops.yaml): utilization measured, nothing trimmed.',
    );
  if (total.ragRequests === 0)
    result.notes.push('No retrieval data found: log rag.chunks (docs/request-log.md) or the totals tags.');
  if (step.badTotals > 0)
    result.notes.push(`${step.badTotals} request(s) have unreadable RAG totals tags: left out.`);
  if (total.unscored > 0 && p.minScore !== undefined)
    result.notes.push(
      `${total.unscored} chunk(s) have no score: min-score could not judge them, so they are kept.`,
    );
  return result;
}

/** The RAG assumptions, in words (shared with `simulate all`). */
export function ragAssumptions(step: RagStep): string[] {
  const p = step.policy;
  const rules = [
    p.topK !== undefined ? `keep the ${p.topK} best-scored chunks` : undefined,
    p.minScore !== undefined ? `drop chunks scored below ${p.minScore}` : undefined,
    p.maxContextTokens !== undefined ? `keep at most ${p.maxContextTokens} context tokens` : undefined,
  ].filter(Boolean);
  const n = step.config.totals;
  return [
    rules.length > 0
      ? `Policy: ${rules.join('; ')}. Chunks rank by score, best first; unscored chunks rank after scored ones, in retrieval order.`
      : 'No trimming policy: nothing is cut.',
    'Trimmed context comes off the uncached input first, then cache reads; the answer is taken to keep its length.',
    `Retrieval-to-utilization = used / retrieved chunks (chunks with a used flag); below ${pct(step.config.low_utilization)} is flagged as a leak (industry target: about −50 % context tokens per query).`,
    `Requests with only totals (tags ${n.context_tokens}, ${n.chunks}, ${n.used}): chunks of equal size, and the used ones ranked first (the best case for the risk); min-score cannot apply.`,
  ];
}
