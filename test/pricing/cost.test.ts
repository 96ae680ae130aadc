import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addTokens, zeroTokens, type Tokens } from '../../src/core/record.ts';
import { BUNDLED_CATALOG } from '../../src/pricing/catalog-data.ts';
import { costOf, isBatchTier, priceKey, tierIndex } from '../../src/pricing/cost.ts';
import type { PriceEntry } from '../../src/pricing/types.ts';

/** The bundled entry in force for an id on a day (the catalog is small; a linear scan is fine here). */
function bundledAt(id: string, day: string): PriceEntry {
  const hits = BUNDLED_CATALOG.filter((e) => e.id === id && e.effectiveFrom <= day).sort((a, b) =>
    a.effectiveFrom.localeCompare(b.effectiveFrom),
  );
  const e = hits.at(-1);
  if (!e) throw new Error(`no bundled ${id} on ${day}`);
  return e;
}

function tokens(t: Partial<Tokens>): Tokens {
  return { ...zeroTokens(), ...t };
}

const DAY = '2026-10-01';

describe('costOf: OpenAI gpt-4o-mini ($0.15 in, $0.075 cached, $0.60 out per 1M)', () => {
  const e = bundledAt('gpt-4o-mini', DAY);

  it('prices each token kind', () => {
    // 1,000 input × 0.15 / 1e6 = 0.00015
    expect(costOf(e, -1, undefined, tokens({ input: 1000 }))).toBeCloseTo(0.00015, 15);
    // 2,000 cached × 0.075 / 1e6 = 0.00015
    expect(costOf(e, -1, undefined, tokens({ cacheRead: 2000 }))).toBeCloseTo(0.00015, 15);
    // 500 output × 0.60 / 1e6 = 0.0003
    expect(costOf(e, -1, undefined, tokens({ output: 500 }))).toBeCloseTo(0.0003, 15);
    // OpenAI lists no cache-write price: a write falls back to the input price, 1,000 × 0.15 / 1e6
    expect(costOf(e, -1, undefined, tokens({ cacheWrite: 1000 }))).toBeCloseTo(0.00015, 15);
  });

  it('sums a small record: (1,000×0.15 + 2,000×0.075 + 500×0.6) / 1e6 = 0.0006', () => {
    expect(costOf(e, -1, undefined, tokens({ input: 1000, cacheRead: 2000, output: 500 }))).toBeCloseTo(
      0.0006,
      15,
    );
  });
});

describe('costOf: Anthropic claude-sonnet-4-5 ($3 in, $0.30 read, $3.75 5m write, $6 1h write, $15 out)', () => {
  const e = bundledAt('claude-sonnet-4-5', DAY);

  it('prices each token kind, 5-minute and 1-hour cache writes apart', () => {
    expect(costOf(e, -1, undefined, tokens({ input: 1000 }))).toBeCloseTo(0.003, 15); // 1,000 × 3
    expect(costOf(e, -1, undefined, tokens({ cacheRead: 10_000 }))).toBeCloseTo(0.003, 15); // 10,000 × 0.3
    expect(costOf(e, -1, undefined, tokens({ output: 2000 }))).toBeCloseTo(0.03, 15); // 2,000 × 15
    // 4,000 written, all with the 5-minute TTL: 4,000 × 3.75 / 1e6 = 0.015
    expect(costOf(e, -1, undefined, tokens({ cacheWrite: 4000 }))).toBeCloseTo(0.015, 15);
    // the same 4,000, all with the 1-hour TTL: 4,000 × 6 / 1e6 = 0.024
    expect(costOf(e, -1, undefined, tokens({ cacheWrite: 4000, cacheWrite1h: 4000 }))).toBeCloseTo(0.024, 15);
  });

  it('sums a small record with mixed writes', () => {
    // input 1,000×3 = 3,000; read 10,000×0.3 = 3,000; 5m 3,000×3.75 = 11,250; 1h 1,000×6 = 6,000;
    // output 2,000×15 = 30,000 → 53,250 / 1e6 = 0.05325
    const t = tokens({ input: 1000, cacheRead: 10_000, cacheWrite: 4000, cacheWrite1h: 1000, output: 2000 });
    expect(costOf(e, -1, undefined, t)).toBeCloseTo(0.05325, 15);
  });

  it('refuses a 1-hour part larger than the whole write', () => {
    expect(() => costOf(e, -1, undefined, tokens({ cacheWrite: 10, cacheWrite1h: 11 }))).toThrow(RangeError);
  });
});

describe('reasoning tokens', () => {
  it('are part of output and never priced twice', () => {
    const e = bundledAt('gpt-5', DAY);
    // 1,000 output tokens of which 800 reasoning: 1,000 × $10 / 1e6 = 0.01, not 1,800 × 10
    const withReasoning = costOf(e, -1, undefined, tokens({ output: 1000, reasoning: 800 }));
    expect(withReasoning).toBeCloseTo(0.01, 15);
    expect(withReasoning).toBe(costOf(e, -1, undefined, tokens({ output: 1000 })));
  });
});

describe('batch prices', () => {
  it('fall back to 50 % of each standard price when the list gives none (gpt-5)', () => {
    const e = bundledAt('gpt-5', DAY);
    expect(e.batch).toBeUndefined();
    const t = tokens({ input: 1_000_000, cacheRead: 1_000_000, output: 1_000_000 });
    // standard: 1.25 + 0.125 + 10 = 11.375; batch: half = 5.6875
    expect(costOf(e, -1, undefined, t)).toBeCloseTo(11.375, 12);
    expect(costOf(e, -1, 'batch', t)).toBeCloseTo(5.6875, 12);
    // OpenAI prices flex at the batch rates; priority is priced at standard (not modelled)
    expect(costOf(e, -1, 'flex', t)).toBeCloseTo(5.6875, 12);
    expect(costOf(e, -1, 'priority', t)).toBeCloseTo(11.375, 12);
    expect(isBatchTier('Batch')).toBe(true);
    expect(isBatchTier('standard')).toBe(false);
  });

  it('use an explicit batch price where one is given, 50 % for the kinds it omits', () => {
    const e: PriceEntry = {
      id: 'x-model',
      provider: 'test',
      mode: 'chat',
      effectiveFrom: '2025-01-01',
      source: 'test',
      prices: { input: 2, output: 8 },
      batch: { input: 0.4 },
      layer: 'bundled',
    };
    // batch: 1M input at the explicit 0.4, 1M output at 8 × 0.5 = 4 → 4.4
    expect(costOf(e, -1, 'batch', tokens({ input: 1_000_000, output: 1_000_000 }))).toBeCloseTo(4.4, 12);
  });

  it('halve the tier price when a long-context tier applies', () => {
    const e = bundledAt('claude-sonnet-4-5', DAY);
    // tier input $6 → batch $3: 1M × 3 / 1e6 = 3
    expect(costOf(e, 0, 'batch', tokens({ input: 1_000_000 }))).toBeCloseTo(3, 12);
  });
});

describe('long-context tier (claude-sonnet-4-5, above 200,000 prompt tokens)', () => {
  const e = bundledAt('claude-sonnet-4-5', DAY);

  it('keeps base prices at exactly 200,000 prompt tokens', () => {
    const t = tokens({ input: 150_000, cacheRead: 50_000, output: 1000 });
    expect(tierIndex(e, t, 1)).toBe(-1);
    // 150,000×3 + 50,000×0.3 + 1,000×15 = 450,000 + 15,000 + 15,000 = 480,000 → 0.48
    expect(costOf(e, -1, undefined, t)).toBeCloseTo(0.48, 12);
  });

  it('bills the whole request at the tier at 200,001', () => {
    const t = tokens({ input: 150_001, cacheRead: 50_000, output: 1000 });
    expect(tierIndex(e, t, 1)).toBe(0);
    // 150,001×6 + 50,000×0.6 + 1,000×22.5 = 900,006 + 30,000 + 22,500 = 952,506 → 0.952506
    expect(costOf(e, 0, undefined, t)).toBeCloseTo(0.952506, 12);
  });

  it('counts cache writes in the prompt and averages over requests', () => {
    expect(tierIndex(e, tokens({ input: 100_000, cacheWrite: 100_001 }), 1)).toBe(0);
    // 400,002 prompt tokens over 2 requests = 200,001 each → tier; over 3 → 133,334 → base
    expect(tierIndex(e, tokens({ input: 400_002 }), 2)).toBe(0);
    expect(tierIndex(e, tokens({ input: 400_002 }), 3)).toBe(-1);
    // requests 0 (a cost-only line) counts as 1
    expect(tierIndex(e, tokens({ input: 200_001 }), 0)).toBe(0);
  });

  it('is -1 for a model without tiers, and a bad tier index throws', () => {
    expect(tierIndex(bundledAt('gpt-4o-mini', DAY), tokens({ input: 5_000_000 }), 1)).toBe(-1);
    expect(() => costOf(e, 3, undefined, tokens({ input: 1 }))).toThrow(RangeError);
  });
});

describe('priceKey', () => {
  it('separates layer, version, tier and batch, and is stable', () => {
    const base = bundledAt('claude-sonnet-4-5', DAY);
    expect(priceKey(base, -1, undefined)).toBe(priceKey(base, -1, 'standard'));
    expect(priceKey(base, -1, 'flex')).toBe(priceKey(base, -1, 'batch'));
    const keys = new Set([
      priceKey(base, -1, undefined),
      priceKey(base, 0, undefined),
      priceKey(base, -1, 'batch'),
      priceKey({ ...base, layer: 'imported' }, -1, undefined),
      priceKey({ ...base, effectiveFrom: '2026-01-01' }, -1, undefined),
      priceKey({ ...base, discount: 0.15 }, -1, undefined),
    ]);
    expect(keys.size).toBe(6);
  });
});

describe('properties', () => {
  const count = fc.integer({ min: 0, max: 2_000_000_000 });
  const tokensArb = fc
    .record({
      input: count,
      cacheRead: count,
      cacheWrite: count,
      output: count,
      oneHourShare: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ oneHourShare, ...t }) => {
      const out: Tokens = { ...t };
      const w1h = Math.floor(t.cacheWrite * oneHourShare);
      if (w1h > 0) out.cacheWrite1h = w1h;
      return out;
    });
  const entryArb = fc.constantFrom(...BUNDLED_CATALOG);
  const serviceTierArb = fc.constantFrom(undefined, 'standard', 'batch', 'flex', 'priority');

  it('costOf is additive over token buckets (same entry, tier and service tier)', () => {
    fc.assert(
      fc.property(entryArb, tokensArb, tokensArb, serviceTierArb, fc.nat(), (entry, a, b, st, pick) => {
        const tiers = entry.tiers?.length ?? 0;
        const tier = (pick % (tiers + 1)) - 1; // -1 … tiers-1
        const sum = addTokens(addTokens(zeroTokens(), a), b);
        const whole = costOf(entry, tier, st, sum);
        const parts = costOf(entry, tier, st, a) + costOf(entry, tier, st, b);
        expect(Math.abs(whole - parts)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(whole), 1e-300));
      }),
      { numRuns: 500 },
    );
  });

  it('zero tokens cost zero under every entry, tier and service tier', () => {
    fc.assert(
      fc.property(entryArb, serviceTierArb, fc.nat(), (entry, st, pick) => {
        const tier = (pick % ((entry.tiers?.length ?? 0) + 1)) - 1;
        expect(costOf(entry, tier, st, zeroTokens())).toBe(0);
      }),
    );
  });

  it('cost never decreases when tokens are added', () => {
    fc.assert(
      fc.property(entryArb, tokensArb, tokensArb, serviceTierArb, (entry, a, b, st) => {
        const sum = addTokens(addTokens(zeroTokens(), a), b);
        expect(costOf(entry, -1, st, sum)).toBeGreaterThanOrEqual(costOf(entry, -1, st, a));
      }),
    );
  });
});
