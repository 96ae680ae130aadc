import { addTokens, zeroTokens, type Tokens } from '../core/record.ts';
import { costOf, priceKey } from '../pricing/index.ts';
import type { PriceEntry } from '../pricing/types.ts';

interface Bucket {
  entry: PriceEntry;
  tier: number;
  serviceTier: string | undefined;
  tokens: Tokens;
}

/**
 * Token sums per price key (entry × long-context tier × standard/batch), priced once at the end: the same rule
 * as the report's Aggregator, so a simulated cost is exact on integers until the last step. A bucket may hold
 * negative counts when it carries a what-if delta (tokens moved out of `input` by the cache simulation);
 * `costOf` is linear, so the price of a delta is the price difference.
 */
export class Ledger {
  private readonly buckets = new Map<string, Bucket>();

  /** Adds tokens priced at `entry`, long-context `tier` and `serviceTier` (batch/flex → batch rates). */
  add(entry: PriceEntry, tier: number, serviceTier: string | undefined, tokens: Tokens): void {
    const key = priceKey(entry, tier, serviceTier);
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { entry, tier, serviceTier, tokens: zeroTokens() };
      this.buckets.set(key, b);
    }
    addTokens(b.tokens, tokens);
  }

  /** Adds every bucket of `other` into this one. */
  merge(other: Ledger): this {
    for (const b of other.buckets.values()) this.add(b.entry, b.tier, b.serviceTier, b.tokens);
    return this;
  }

  /** A copy that can be merged into without changing this one. */
  clone(): Ledger {
    return new Ledger().merge(this);
  }

  /** USD at full precision: each key's summed tokens at its price, summed in key order (stable). */
  cost(): number {
    let cost = 0;
    for (const k of [...this.buckets.keys()].sort()) {
      const b = this.buckets.get(k)!;
      cost += costOf(b.entry, b.tier, b.serviceTier, b.tokens);
    }
    return cost;
  }

  /** All tokens, summed over keys. */
  tokens(): Tokens {
    const t = zeroTokens();
    for (const b of this.buckets.values()) addTokens(t, b.tokens);
    return t;
  }

  /** Number of price keys (for tests and memory notes). */
  get size(): number {
    return this.buckets.size;
  }
}
