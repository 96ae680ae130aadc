/** USD per 1 M tokens, per token kind. A missing cache price falls back to `input` (see cost.ts). */
export interface Prices {
  input: number;
  output: number;
  cacheRead?: number;
  /** Cache write with the default (5-minute) TTL. */
  cacheWrite5m?: number;
  /** Cache write with a 1-hour TTL (Anthropic). */
  cacheWrite1h?: number;
}

/** A higher rate for the whole request once its prompt (input + cache read + cache write) exceeds a size. */
export interface PriceTier {
  /** The tier applies when a request's prompt tokens are strictly greater than this. */
  aboveInputTokens: number;
  prices: Prices;
  batch?: Partial<Prices>;
}

/** Which catalog an entry came from; a higher layer wins over a lower one for the same model and date. */
export type PriceLayer = 'bundled' | 'imported' | 'override';

/** One dated list price for one model. */
export interface PriceEntry {
  /** Canonical model id (`gpt-4o-mini`, `claude-sonnet-4-5`). */
  id: string;
  provider: string;
  mode: 'chat' | 'embedding' | 'completion' | 'responses';
  /** First UTC day (YYYY-MM-DD) the price is in force; it stays in force until a later entry of the same layer. */
  effectiveFrom: string;
  /** Where the price comes from (URL, file, or `finops.yaml`). */
  source: string;
  prices: Prices;
  /** Batch API prices; a missing one is 50 % of the standard price. */
  batch?: Partial<Prices>;
  /** Long-context tiers, ascending by threshold. */
  tiers?: PriceTier[];
  /** Other names the provider uses for the same model and price (dated snapshots, `-latest`). */
  aliases?: string[];
  layer: PriceLayer;
  /**
   * Set only on an entry derived by a discount override: the fraction already taken off every price
   * above (0.15 = 15 % off). Part of the price key, so discounted and list-price groups never merge.
   */
  discount?: number;
}

/** A user's price change from finops.yaml: a discount on list prices, or prices of its own (private models). */
export interface PriceOverride {
  /** Model id or glob (`gpt-4o*`), matched against the canonical id, and the raw id for unknown models. */
  model: string;
  provider?: string;
  /** Fraction off the list price in force (0.15 = 15 % off). */
  discount?: number;
  /** Own prices (USD per 1M tokens): makes a custom entry that wins over bundled and imported ones. */
  prices?: Prices;
  batch?: Partial<Prices>;
  effectiveFrom?: string;
  mode?: PriceEntry['mode'];
}
