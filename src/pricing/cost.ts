import type { Tokens } from '../core/record.ts';
import type { PriceEntry, Prices } from './types.ts';

/** Prices are USD per this many tokens. */
const PER_TOKENS = 1e6;

/** A batch price the list does not state is this fraction of the standard one (OpenAI, Anthropic, Google, Bedrock). */
export const DEFAULT_BATCH_FACTOR = 0.5;

/**
 * True when a service tier is billed at batch prices: `batch`, and `flex`, which OpenAI prices at the batch
 * rates. Every other tier (`standard`, `priority`, `scale`, unknown) is priced at the standard list price.
 */
export function isBatchTier(serviceTier: string | undefined): boolean {
  if (serviceTier === undefined) return false;
  const t = serviceTier.toLowerCase();
  return t === 'batch' || t === 'flex';
}

/**
 * The long-context tier a group of requests falls in: the index into `entry.tiers` of the highest tier whose
 * threshold the per-request prompt size strictly exceeds, or -1 for the base prices. Prompt size is
 * (input + cacheRead + cacheWrite) / max(requests, 1): exact for a request-log line, only an approximation
 * for a bucketed export (a bucket mixing small and huge requests is priced as if all were average-sized).
 */
export function tierIndex(entry: PriceEntry, tokens: Tokens, requests: number): number {
  const tiers = entry.tiers;
  if (tiers === undefined || tiers.length === 0) return -1;
  const prompt = (tokens.input + tokens.cacheRead + tokens.cacheWrite) / Math.max(requests, 1);
  let found = -1;
  // Tiers are ascending by threshold, but do not rely on it: pick the highest threshold exceeded.
  let best = -Infinity;
  for (let i = 0; i < tiers.length; i++) {
    const above = tiers[i]!.aboveInputTokens;
    if (prompt > above && above > best) {
      best = above;
      found = i;
    }
  }
  return found;
}

/** Effective USD-per-1M rates for the five priced token kinds, after every fallback is applied. */
export interface EffectiveRates {
  input: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
}

/**
 * The rates `costOf` applies for an entry, tier (-1 = base) and service tier. Missing cache prices fall back
 * (cacheRead → input; cacheWrite5m → input; cacheWrite1h → cacheWrite5m → input); under batch/flex each
 * missing batch price is 50 % of the standard (tier's standard, when a tier applies) rate of that kind.
 * Throws RangeError for a tier index the entry does not have.
 */
export function ratesFor(entry: PriceEntry, tier: number, serviceTier: string | undefined): EffectiveRates {
  let prices: Prices;
  let batch: Partial<Prices> | undefined;
  if (tier < 0) {
    prices = entry.prices;
    batch = entry.batch;
  } else {
    const t = entry.tiers?.[tier];
    if (t === undefined) throw new RangeError(`${entry.id} has no price tier ${tier}`);
    prices = t.prices;
    batch = t.batch;
  }
  const std: EffectiveRates = {
    input: prices.input,
    cacheRead: prices.cacheRead ?? prices.input,
    cacheWrite5m: prices.cacheWrite5m ?? prices.input,
    cacheWrite1h: prices.cacheWrite1h ?? prices.cacheWrite5m ?? prices.input,
    output: prices.output,
  };
  if (!isBatchTier(serviceTier)) return std;
  const b = batch ?? {};
  return {
    input: b.input ?? std.input * DEFAULT_BATCH_FACTOR,
    cacheRead: b.cacheRead ?? std.cacheRead * DEFAULT_BATCH_FACTOR,
    cacheWrite5m: b.cacheWrite5m ?? std.cacheWrite5m * DEFAULT_BATCH_FACTOR,
    cacheWrite1h: b.cacheWrite1h ?? std.cacheWrite1h * DEFAULT_BATCH_FACTOR,
    output: b.output ?? std.output * DEFAULT_BATCH_FACTOR,
  };
}

/**
 * Cost in USD (full precision, never rounded) of disjoint token buckets at an entry's prices, for a tier
 * from `tierIndex` and a service tier (`batch`/`flex` → batch prices). `reasoning` is never added: it is
 * already inside `output`. Throws RangeError when `cacheWrite1h` exceeds `cacheWrite` (a parser bug).
 */
export function costOf(
  entry: PriceEntry,
  tier: number,
  serviceTier: string | undefined,
  tokens: Tokens,
): number {
  const r = ratesFor(entry, tier, serviceTier);
  const write1h = tokens.cacheWrite1h ?? 0;
  const write5m = tokens.cacheWrite - write1h;
  if (write5m < 0) {
    throw new RangeError(`cacheWrite1h (${write1h}) is larger than cacheWrite (${tokens.cacheWrite})`);
  }
  return (
    (tokens.input * r.input +
      tokens.cacheRead * r.cacheRead +
      write5m * r.cacheWrite5m +
      write1h * r.cacheWrite1h +
      tokens.output * r.output) /
    PER_TOKENS
  );
}

// priceKey is called once per record (millions per report): memoise per entry object, tier and batch flag.
// Entries are never mutated after a price book hands them out, so object identity is a safe key.
const KEY_CACHE = new WeakMap<PriceEntry, Map<number, string>>();

/**
 * A stable string naming one price version as applied (layer, provider, id, effectiveFrom, discount, tier,
 * batch or standard): sum tokens per key, then call `costOf` once per group and key.
 */
export function priceKey(entry: PriceEntry, tier: number, serviceTier: string | undefined): string {
  const batch = isBatchTier(serviceTier);
  const slot = tier * 2 + (batch ? 1 : 0);
  let perEntry = KEY_CACHE.get(entry);
  if (perEntry === undefined) {
    perEntry = new Map();
    KEY_CACHE.set(entry, perEntry);
  }
  let key = perEntry.get(slot);
  if (key === undefined) {
    const mode = batch ? 'batch' : 'standard';
    const d = `d${entry.discount ?? 0}`;
    key = [entry.layer, entry.provider, entry.id, entry.effectiveFrom, d, `t${tier}`, mode].join('|');
    perEntry.set(slot, key);
  }
  return key;
}
