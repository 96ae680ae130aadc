import { describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, CATALOG_SNAPSHOT } from '../../src/pricing/catalog-data.ts';
import { PriceEntrySchema } from '../../src/pricing/imported-catalog.ts';
import { createPriceBook } from '../../src/pricing/price-book.ts';
import type { Prices } from '../../src/pricing/types.ts';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (s: string): boolean =>
  DAY_RE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

function allPrices(p: Partial<Prices>): number[] {
  return Object.values(p).filter((v): v is number => typeof v === 'number');
}

describe('bundled catalog', () => {
  it('has a snapshot date', () => {
    expect(isDay(CATALOG_SNAPSHOT)).toBe(true);
  });

  it.each(BUNDLED_CATALOG.map((e) => [`${e.id} @ ${e.effectiveFrom}`, e] as const))(
    '%s: source URL, date, non-negative prices, valid shape',
    (_name, e) => {
      expect(e.layer).toBe('bundled');
      expect(e.source).toMatch(/^https:\/\/\S+/);
      expect(isDay(e.effectiveFrom)).toBe(true);
      expect(e.effectiveFrom <= CATALOG_SNAPSHOT).toBe(true);
      const prices = [
        ...allPrices(e.prices),
        ...allPrices(e.batch ?? {}),
        ...(e.tiers ?? []).flatMap((t) => [...allPrices(t.prices), ...allPrices(t.batch ?? {})]),
      ];
      for (const p of prices) {
        expect(Number.isFinite(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
      }
      const thresholds = (e.tiers ?? []).map((t) => t.aboveInputTokens);
      expect(thresholds).toEqual([...thresholds].sort((a, b) => a - b));
      // Same schema the imported file is checked with: the bundled data could be written out and read back.
      expect(PriceEntrySchema.safeParse(e).success).toBe(true);
    },
  );

  it('has no two entries with the same id and effectiveFrom', () => {
    const seen = new Set<string>();
    for (const e of BUNDLED_CATALOG) {
      const k = `${e.id}@${e.effectiveFrom}`;
      expect(seen.has(k), k).toBe(false);
      seen.add(k);
    }
  });

  it('has unique aliases: each names one model, and none is another model id', () => {
    const ids = new Set(BUNDLED_CATALOG.map((e) => e.id.toLowerCase()));
    const owner = new Map<string, string>();
    for (const e of BUNDLED_CATALOG) {
      for (const a of e.aliases ?? []) {
        const key = a.toLowerCase();
        expect(ids.has(key), `${a} is also an id`).toBe(false);
        const prev = owner.get(key);
        expect(prev === undefined || prev === e.id, `${a} names ${prev} and ${e.id}`).toBe(true);
        owner.set(key, e.id);
      }
    }
  });

  it('gives every version of a model the same provider and mode', () => {
    const first = new Map<string, string>();
    for (const e of BUNDLED_CATALOG) {
      const sig = `${e.provider}/${e.mode}`;
      expect(first.get(e.id) ?? sig).toBe(sig);
      first.set(e.id, sig);
    }
  });

  it('prices Anthropic cache kinds at 0.1× / 1.25× / 2× input (Claude 3 Haiku: the listed $0.03 / $0.30)', () => {
    for (const e of BUNDLED_CATALOG.filter((x) => x.provider === 'anthropic')) {
      for (const p of [e.prices, ...(e.tiers ?? []).map((t) => t.prices)]) {
        if (e.id === 'claude-3-haiku') {
          expect(p).toEqual({
            input: 0.25,
            cacheRead: 0.03,
            cacheWrite5m: 0.3,
            cacheWrite1h: 0.5,
            output: 1.25,
          });
          continue;
        }
        expect(p.cacheRead, e.id).toBeCloseTo(p.input * 0.1, 12);
        expect(p.cacheWrite5m, e.id).toBeCloseTo(p.input * 1.25, 12);
        expect(p.cacheWrite1h, e.id).toBeCloseTo(p.input * 2, 12);
      }
    }
  });

  it('covers the models the design names', () => {
    const ids = new Set(BUNDLED_CATALOG.map((e) => e.id));
    for (const id of [
      'gpt-4o',
      'gpt-4o-2024-05-13',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'o1',
      'o3',
      'o3-mini',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'text-embedding-3-small',
      'text-embedding-3-large',
      'text-embedding-ada-002',
      'claude-3-haiku',
      'claude-3-5-haiku',
      'claude-haiku-4-5',
      'claude-3-5-sonnet',
      'claude-3-7-sonnet',
      'claude-sonnet-4',
      'claude-sonnet-4-5',
      'claude-opus-4',
      'claude-opus-4-1',
      'claude-opus-4-5',
      'gemini-2.0-flash',
      'gemini-2.5-flash',
      'gemini-2.5-flash-lite',
      'gemini-2.5-pro',
      'gemini-embedding-001',
      'mistral-large',
      'mistral-medium',
      'mistral-small',
      'codestral',
      'mistral-embed',
      'llama-3.1-8b-instruct',
      'llama-3.1-70b-instruct',
      'llama-3.3-70b-instruct',
      'llama-4-maverick-17b-instruct',
      'llama-4-scout-17b-instruct',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });
});

describe('dated prices', () => {
  const book = createPriceBook({ bundled: BUNDLED_CATALOG });

  it('prices o3 before and after its 2025-06-10 cut', () => {
    const before = book.lookup('o3', '2025-06-09T23:59:59.999Z');
    const after = book.lookup('o3', '2025-06-11T00:00:00.000Z');
    expect(before?.prices).toMatchObject({ input: 10, cacheRead: 2.5, output: 40 });
    expect(after?.prices).toMatchObject({ input: 2, cacheRead: 0.5, output: 8 });
    // the cut applies from the first instant of its day
    expect(book.lookup('o3', '2025-06-10T00:00:00Z')?.effectiveFrom).toBe('2025-06-10');
    // the UTC day decides: 01:00 at +05:00 on the 10th is still the 9th in UTC
    expect(book.lookup('o3', '2025-06-10T01:00:00+05:00')?.prices.input).toBe(10);
  });

  it('has no price before a model’s first effectiveFrom', () => {
    expect(book.lookup('o3', '2025-04-15T12:00:00Z')).toBeUndefined();
    expect(book.lookup('gpt-5', '2025-08-06T23:59:59Z')).toBeUndefined();
    expect(book.lookup('gpt-5', '2025-08-07T00:00:00Z')?.prices.input).toBe(1.25);
  });

  it('follows a moving name through its generations (mistral-medium-latest)', () => {
    const id = book.resolve('mistral-medium-latest');
    expect(id).toBe('mistral-medium');
    expect(book.lookup(id!, '2024-06-01T00:00:00Z')?.prices).toEqual({ input: 2.7, output: 8.1 });
    expect(book.lookup(id!, '2025-09-01T00:00:00Z')?.prices).toEqual({ input: 0.4, output: 2 });
    expect(book.lookup(id!, '2026-05-01T00:00:00Z')?.prices).toEqual({ input: 1.5, output: 7.5 });
  });

  it('drops the Sonnet 4.6 long-context premium on 2026-03-13 and ends Sonnet 5’s intro price on 2026-09-01', () => {
    expect(book.lookup('claude-sonnet-4-6', '2026-03-12T00:00:00Z')?.tiers).toHaveLength(1);
    expect(book.lookup('claude-sonnet-4-6', '2026-03-13T00:00:00Z')?.tiers).toBeUndefined();
    expect(book.lookup('claude-sonnet-5', '2026-08-31T00:00:00Z')?.prices.input).toBe(2);
    expect(book.lookup('claude-sonnet-5', '2026-09-01T00:00:00Z')?.prices.input).toBe(3);
  });

  it('returns the same object for repeated lookups on one day (cached)', () => {
    const a = book.lookup('gpt-4o-mini', '2026-10-01T01:00:00Z');
    const b = book.lookup('gpt-4o-mini', '2026-10-01T23:00:00Z');
    expect(a).toBeDefined();
    expect(a).toBe(b);
  });
});
