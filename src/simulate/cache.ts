import { globMatch } from '../attribution/glob.ts';
import { money } from '../core/output.ts';
import type { Tokens } from '../core/record.ts';
import type { CacheConfig } from './config.ts';
import type { EngineResult, SimState, Step } from './engine.ts';
import { bySavings, savings, shownTotals, type Savings, type SimulationHeader } from './result.ts';

/**
 * Minimum cacheable prefix per model (provider documentation, 2026): below it a provider caches nothing and
 * bills the full input price. The first glob that matches the canonical id wins; `cache.min_tokens` in
 * finops.yaml comes before this table. OpenAI, Gemini Flash and the other Claude models: 1,024.
 */
export const DEFAULT_MIN_CACHE_TOKENS: readonly { model: string; tokens: number }[] = [
  { model: 'claude-opus-4-5*', tokens: 4096 },
  { model: 'claude-opus-4-6*', tokens: 4096 },
  { model: 'claude-haiku-4-5*', tokens: 4096 },
  { model: 'claude-opus-4-7*', tokens: 2048 },
  { model: 'claude-3-haiku*', tokens: 2048 },
  { model: 'claude-3-5-haiku*', tokens: 2048 },
  { model: 'gemini-*-pro*', tokens: 2048 },
  { model: '*', tokens: 1024 },
];

/** Label of the prefixes beyond `cache.max_prefixes`, tracked together. */
export const OTHER_PREFIXES = '(other)';

interface TagSums {
  reads: number;
  writes: number;
  tokensRead: number;
  tokensWritten: number;
}

interface CacheGroupSums {
  prefixed: number;
  belowMinimum: number;
  noCachePrice: number;
  alreadyCached: number;
  byTag: Map<string, TagSums>;
}

interface PrefixSums {
  provider: string;
  model: string;
  hash: string;
  tokens: number;
  requests: number;
  reads: number;
  writes: number;
  alreadyCached: number;
}

/**
 * The caching lever. A request whose log names a prompt prefix (`promptInfo.prefix`: a hash of the stable
 * leading tokens and their count) shares a cache with earlier requests of the same provider, model and hash.
 * It reads the prefix from the cache when the previous such request was at most the TTL before it (the TTL is
 * refreshed on every use, as Anthropic and OpenAI do), and writes it otherwise, at the write price (Anthropic:
 * 1.25× input for 5 minutes, 2× for 1 hour; OpenAI and Gemini: no premium, from the price list). Prefixes
 * below the model's minimum, models without a cache price, and requests already caching at least the prefix
 * are left as they are. Only uncached input moves into the cache buckets.
 *
 * Memory: the last-use map holds at most `max_prefixes` keys in least-recently-used order; when full, the
 * least recently used key goes (its next use then counts as a write: the saving is understated, never
 * overstated). Per-prefix statistics are kept for the first `max_prefixes` prefixes; later ones are summed
 * under "(other)".
 */
export class CacheStep implements Step {
  readonly lever = 'cache';
  readonly config: CacheConfig;
  readonly ttlMs: number;
  private readonly lastSeen = new Map<string, number>();
  readonly prefixes = new Map<string, PrefixSums>();
  readonly stats = new Map<string, CacheGroupSums>();
  /** Keys dropped from the last-use map while still within their TTL (their next use counted as a write). */
  evictedWarm = 0;
  /** Set by `decide` at the end: each tag's cost delta at the cache stage, and the tags applied (those that save). */
  delta = new Map<string, number>();
  applied = new Set<string>();
  private readonly minCache = new Map<string, number>();

  constructor(config: CacheConfig) {
    this.config = config;
    this.ttlMs = config.ttl === '1h' ? 3_600_000 : 300_000;
  }

  /** The minimum cacheable prefix for a canonical model id: finops.yaml first, then the built-in table. */
  minTokens(model: string): number {
    let n = this.minCache.get(model);
    if (n === undefined) {
      n =
        this.config.min_tokens.find((m) => globMatch(m.model, model))?.tokens ??
        DEFAULT_MIN_CACHE_TOKENS.find((m) => globMatch(m.model, model))!.tokens;
      this.minCache.set(model, n);
    }
    return n;
  }

  private group(id: string): CacheGroupSums {
    let g = this.stats.get(id);
    if (g === undefined) {
      g = { prefixed: 0, belowMinimum: 0, noCachePrice: 0, alreadyCached: 0, byTag: new Map() };
      this.stats.set(id, g);
    }
    return g;
  }

  /** True when the key was used within the TTL; records this use. */
  private touch(key: string, at: number): boolean {
    const last = this.lastSeen.get(key);
    // Logs are time-ordered; for one that is not, the distance either way is the best estimate.
    const warm = last !== undefined && Math.abs(at - last) <= this.ttlMs;
    if (last !== undefined) this.lastSeen.delete(key);
    this.lastSeen.set(key, last === undefined ? at : Math.max(at, last));
    if (this.lastSeen.size > this.config.max_prefixes) {
      const [oldKey, oldAt] = this.lastSeen.entries().next().value!;
      this.lastSeen.delete(oldKey);
      if (at - oldAt <= this.ttlMs) this.evictedWarm++;
    }
    return warm;
  }

  apply(s: SimState): void {
    const pre = s.record.promptInfo?.prefix;
    if (pre === undefined) return;
    const n = s.record.requests;
    const g = this.group(s.group);
    g.prefixed += n;
    if (s.entry.prices.cacheRead === undefined) {
      g.noCachePrice += n;
      return;
    }
    if (pre.tokens < this.minTokens(s.model)) {
      g.belowMinimum += n;
      return;
    }
    const key = `${s.provider}\u0000${s.model}\u0000${pre.hash}`;
    let ps = this.prefixes.get(key);
    if (ps === undefined && this.prefixes.size < this.config.max_prefixes) {
      ps = {
        provider: s.provider,
        model: s.model,
        hash: pre.hash,
        tokens: 0,
        requests: 0,
        reads: 0,
        writes: 0,
        alreadyCached: 0,
      };
      this.prefixes.set(key, ps);
    }
    const tag = ps === undefined ? OTHER_PREFIXES : key;
    const warm = this.touch(key, Date.parse(s.record.start));
    if (ps !== undefined) {
      ps.requests += n;
      ps.tokens = Math.max(ps.tokens, pre.tokens);
    }
    const t = s.tokens;
    const prompt = t.input + t.cacheRead + t.cacheWrite;
    const prefix = Math.min(pre.tokens, prompt);
    const cached = t.cacheRead + t.cacheWrite;
    if (cached >= prefix) {
      g.alreadyCached += n;
      if (ps !== undefined) ps.alreadyCached += n;
      return;
    }
    const m = Math.min(prefix - cached, t.input);
    if (m <= 0) return;
    const delta: Tokens = warm
      ? { input: -m, cacheRead: m, cacheWrite: 0, output: 0 }
      : { input: -m, cacheRead: 0, cacheWrite: m, output: 0 };
    if (!warm && this.config.ttl === '1h') delta.cacheWrite1h = m;
    s.cacheDelta = { tag, tokens: delta };
    let ts = g.byTag.get(tag);
    if (ts === undefined) {
      ts = { reads: 0, writes: 0, tokensRead: 0, tokensWritten: 0 };
      g.byTag.set(tag, ts);
    }
    if (warm) {
      ts.reads += n;
      ts.tokensRead += m;
      if (ps !== undefined) ps.reads += n;
    } else {
      ts.writes += n;
      ts.tokensWritten += m;
      if (ps !== undefined) ps.writes += n;
    }
  }

  /** Caching applies to a prefix only where it saves over the period read (a write costs more than input). */
  decide(delta: Map<string, number>): Set<string> {
    this.delta = delta;
    this.applied = new Set([...delta].filter(([, d]) => d < 0).map(([tag]) => tag));
    return this.applied;
  }
}

export interface CacheGroup extends Savings {
  key: Record<string, string>;
  requests: number;
  /** Requests whose log names a prompt prefix. */
  prefixedRequests: number;
  belowMinimum: number;
  noCachePrice: number;
  alreadyCached: number;
  /** Requests that would read the prefix from the cache / write it (prefixes where caching pays). */
  reads: number;
  writes: number;
  tokensRead: number;
  tokensWritten: number;
  /** Requests of prefixes left uncached because caching them would cost more than it saves. */
  notPaying: number;
}

export interface CacheResult extends SimulationHeader {
  command: 'simulate cache';
  ttl: '5m' | '1h';
  totals: Omit<CacheGroup, 'key'>;
  groups: CacheGroup[];
  /** The prefixes with the largest effect (at most 20), with their cost delta turned into a saving. */
  prefixes: {
    provider: string;
    model: string;
    hash: string;
    tokens: number;
    minTokens: number;
    requests: number;
    reads: number;
    writes: number;
    alreadyCached: number;
    savings: number;
    applied: boolean;
  }[];
  trackedPrefixes: number;
}

/** The `simulate cache` result: groups (default: app) with prefix data. */
export function cacheResult(head: SimulationHeader, engine: EngineResult, step: CacheStep): CacheResult {
  const days = head.period.days;
  const sumTags = (g: CacheGroupSums) => {
    const out = { reads: 0, writes: 0, tokensRead: 0, tokensWritten: 0, notPaying: 0 };
    for (const [tag, t] of g.byTag) {
      if (step.applied.has(tag)) {
        out.reads += t.reads;
        out.writes += t.writes;
        out.tokensRead += t.tokensRead;
        out.tokensWritten += t.tokensWritten;
      } else out.notPaying += t.reads + t.writes;
    }
    return out;
  };
  const shown = shownTotals(engine.groups, (id) => step.stats.has(id));
  const totals = {
    requests: shown.requests,
    prefixedRequests: 0,
    belowMinimum: 0,
    noCachePrice: 0,
    alreadyCached: 0,
    reads: 0,
    writes: 0,
    tokensRead: 0,
    tokensWritten: 0,
    notPaying: 0,
    ...savings(shown.baseline, shown.simulated, days),
  };
  const groups: CacheGroup[] = [];
  for (const g of engine.groups) {
    const st = step.stats.get(g.id);
    if (st === undefined) continue;
    const tags = sumTags(st);
    const row: CacheGroup = {
      key: g.key,
      requests: g.requests,
      prefixedRequests: st.prefixed,
      belowMinimum: st.belowMinimum,
      noCachePrice: st.noCachePrice,
      alreadyCached: st.alreadyCached,
      ...tags,
      ...savings(g.costs[0]!, g.costs[1]!, days),
    };
    for (const k of [
      'prefixedRequests',
      'belowMinimum',
      'noCachePrice',
      'alreadyCached',
      'reads',
      'writes',
      'tokensRead',
      'tokensWritten',
      'notPaying',
    ] as const) {
      totals[k] += row[k];
    }
    groups.push(row);
  }
  const prefixes = [...step.prefixes]
    .map(([key, p]) => ({
      provider: p.provider,
      model: p.model,
      hash: p.hash,
      tokens: p.tokens,
      minTokens: step.minTokens(p.model),
      requests: p.requests,
      reads: p.reads,
      writes: p.writes,
      alreadyCached: p.alreadyCached,
      savings: money(-(step.delta.get(key) ?? 0)) || 0,
      applied: step.applied.has(key),
    }))
    .sort(
      (a, b) =>
        Math.abs(b.savings) - Math.abs(a.savings) || b.requests - a.requests || a.hash.localeCompare(b.hash),
    )
    .slice(0, 20);
  const result: CacheResult = {
    ...head,
    command: 'simulate cache',
    ttl: step.config.ttl,
    totals,
    groups: bySavings(groups),
    prefixes,
    trackedPrefixes: step.prefixes.size,
  };
  result.assumptions.push(...cacheAssumptions(step));
  if (totals.prefixedRequests === 0) {
    result.notes.push(
      'No prompt-prefix fingerprints found: log prompt_prefix { hash, tokens } per request (docs/request-log.md).',
    );
  }
  if (totals.notPaying > 0) {
    result.notes.push(
      `${totals.notPaying} request(s) of prefixes that would cost more cached than not (writes outweigh reads within the TTL) are left uncached.`,
    );
  }
  if (step.delta.has(OTHER_PREFIXES)) {
    result.notes.push(
      `More than ${step.config.max_prefixes} distinct prefixes: the rest are summed as "${OTHER_PREFIXES}" (cache.max_prefixes).`,
    );
  }
  if (step.evictedWarm > 0) {
    result.notes.push(
      `${step.evictedWarm} prefix(es) still within their TTL were dropped from the bounded last-use map: their next use counted as a write (savings understated).`,
    );
  }
  return result;
}

/** The caching assumptions, in words (shared with `simulate all`). */
export function cacheAssumptions(step: CacheStep): string[] {
  const ttl = step.config.ttl === '1h' ? '1 hour' : '5 minutes';
  return [
    `A prefix (same provider, model and prefix hash) is read from the cache when the previous request with it came at most ${ttl} earlier (the TTL restarts on every use), and written otherwise; reads at the model’s cache-read price, writes at its ${step.config.ttl} cache-write price (Anthropic 1.25× input for 5 minutes, 2× for 1 hour; OpenAI and Gemini have no write premium), from the price list in force on the request’s date.`,
    'Only uncached input moves into the cache: requests already caching at least the prefix, prefixes below the model’s minimum cacheable length, and models without a cache price stay as they are.',
    `Minimum cacheable prefix: cache.min_tokens in finops.yaml, else ${DEFAULT_MIN_CACHE_TOKENS.filter(
      (m) => m.model !== '*',
    )
      .map((m) => `${m.model} ${m.tokens}`)
      .join(', ')}, others 1024 tokens.`,
    'Caching is applied to a prefix only where it saves over the whole period read (judged in hindsight).',
    `Memory is bounded: at most ${step.config.max_prefixes} prefixes are tracked (least recently used dropped first; a dropped one's next use counts as a write).`,
  ];
}
