import type { Attributor } from '../attribution/rules.ts';
import { totalTokens, type UsageRecord } from '../core/record.ts';
import { priceKey, tierIndex, type PriceBook } from '../pricing/index.ts';
import type { PriceEntry } from '../pricing/types.ts';
import { loadTokenizer, TokenCounter } from '../tokenize/index.ts';

/** A record after enrichment: tokens filled, price resolved (or the reason it has none), dims attributed. */
export interface PricedRecord {
  record: UsageRecord;
  /** The price in force on the record's date; undefined when unpriced or when there is nothing to price. */
  entry?: PriceEntry;
  tier: number;
  /** Identity of (entry, tier, standard/batch): tokens are summed per key and priced once per group. */
  key?: string;
  /** Why a record with tokens has no price. */
  unpriced?: string;
}

/** Counters the enricher keeps for the report's notes. */
export interface EnrichStats {
  /** Records whose counts were computed locally from text. */
  tokenizedRecords: number;
  /** Tokens computed locally (estimates for Claude/Gemini, local counts for OpenAI encodings). */
  tokenizedTokens: number;
}

/** Tokenize → price → attribute, in DESIGN.md's order. */
export class Enricher {
  readonly stats: EnrichStats = { tokenizedRecords: 0, tokenizedTokens: 0 };
  private counter: TokenCounter | undefined;
  private readonly slots = new Map<string, Map<string, ModelSlot>>();

  private readonly book: PriceBook;
  private readonly attributor: Attributor;

  constructor(book: PriceBook, attributor: Attributor) {
    this.book = book;
    this.attributor = attributor;
  }

  /** Enriches one batch (async only because the tokenizer's ranks load on first use). */
  async enrich(batch: UsageRecord[]): Promise<PricedRecord[]> {
    const out: PricedRecord[] = [];
    for (const r of batch) {
      if (r.text && totalTokens(r.tokens) === 0) await this.tokenize(r);
      out.push(this.attributeAndPrice(r));
    }
    return out;
  }

  private async tokenize(r: UsageRecord): Promise<void> {
    this.counter ??= new TokenCounter(await loadTokenizer());
    const model = this.resolve(r) ?? r.model;
    const input = r.text?.prompt ? this.counter.count(r.text.prompt, model, r.provider) : 0;
    const output = r.text?.completion ? this.counter.count(r.text.completion, model, r.provider) : 0;
    r.tokens.input = input;
    r.tokens.output = output;
    r.estimated = true;
    r.text = undefined; // counted: the text is not needed any more
    this.stats.tokenizedRecords++;
    this.stats.tokenizedTokens += input + output;
  }

  private resolve(r: UsageRecord): string | undefined {
    return this.slot(r).id;
  }

  // Per provider × parser model string: the canonical id, and the price entry of the last UTC day asked for
  // (records come mostly in time order). No string is built per record: ~20 % of a request-log scan was spent
  // making lookup keys.
  //
  // The string resolved is `model` as the parser left it, not `modelRaw`: most parsers set the two alike, but a
  // bill's parser reads its own model out of a usage type, meter or SKU description (`modelRaw`,
  // `USE1-Claude3.5Sonnet-input-tokens`) with a table of its format (`model`, `claude-3-5-sonnet`), and that
  // mapping is what the price book must resolve. A record is enriched once, so `model` is still the parser's here.
  private slot(r: UsageRecord): ModelSlot {
    let byModel = this.slots.get(r.provider);
    if (byModel === undefined) {
      byModel = new Map();
      this.slots.set(r.provider, byModel);
    }
    const model = r.model;
    let s = byModel.get(model);
    if (s === undefined) {
      s = { id: this.book.resolve(model, r.provider), day: '', entry: undefined };
      byModel.set(model, s);
    }
    return s;
  }

  private attributeAndPrice(r: UsageRecord): PricedRecord {
    const s = this.slot(r);
    const id = s.id;
    if (id) r.model = id;
    // Attribute after resolution, so rules can match the canonical model id.
    this.attributor.attribute(r);
    if (totalTokens(r.tokens) === 0) return { record: r, tier: -1 }; // a cost-only line: nothing to price
    if (!id) return { record: r, tier: -1, unpriced: 'unknown model' };
    // A UTC instant (…Z, as every checked record's start is) has its UTC day in its first ten characters.
    let entry: PriceEntry | undefined;
    if (s.day !== '' && r.start.startsWith(s.day) && r.start.charCodeAt(r.start.length - 1) === 90)
      entry = s.entry;
    else {
      entry = this.book.lookup(id, r.start, r.provider);
      s.day = r.start.slice(0, 10);
      s.entry = entry;
    }
    if (!entry) return { record: r, tier: -1, unpriced: `no price in force on ${r.start.slice(0, 10)}` };
    const tier = r.requests > 0 ? tierIndex(entry, r.tokens, r.requests) : statedTier(entry, r);
    return { record: r, entry, tier, key: priceKey(entry, tier, r.serviceTier) };
  }
}

interface ModelSlot {
  id: string | undefined;
  /** UTC day (YYYY-MM-DD) `entry` is for; '' before the first lookup. */
  day: string;
  entry: PriceEntry | undefined;
}

/**
 * The long-context tier of a record with no request count (a day's bucket in a usage report or a bill): its
 * size per request is unknown, so it cannot be inferred from its tokens — a day of many small requests would
 * look like one huge one. Such a record gets the tier only when the source states long context (Anthropic's
 * `context_window: "200k-1M"`, a bill's `long_context` SKU); otherwise the base rates.
 */
function statedTier(entry: PriceEntry, r: UsageRecord): number {
  if (!entry.tiers || entry.tiers.length === 0) return -1;
  const cw = Object.hasOwn(r.tags, 'context_window') ? r.tags.context_window : undefined;
  const long = r.tags.long_context === 'true' || (cw !== undefined && !/^0\s*-/.test(cw));
  return long ? 0 : -1;
}
