import { describe, expect, it } from 'vitest';
import { cacheResult, CacheStep, OTHER_PREFIXES } from '../../src/simulate/cache.ts';
import { CacheConfigSchema } from '../../src/simulate/config.ts';
import { at, book, priced, runSteps } from './helpers.ts';

const B = book();
const cfg = (c: object = {}) => CacheConfigSchema.parse(c);
const sonnet = (start: string, hash: string, prefix: number, tokens: object, app = 'bot') =>
  priced(B, {
    model: 'claude-sonnet-4-5',
    start,
    tokens,
    app,
    promptInfo: { prefix: { hash, tokens: prefix } },
  });

describe('simulate cache', () => {
  it('reads within the TTL, writes after it; already-cached requests stay; hand-computed', () => {
    const step = new CacheStep(cfg());
    const recs = [
      sonnet(at(0), 'h1', 2000, { input: 3000 }), // first use: write
      sonnet(at(4), 'h1', 2000, { input: 3000 }), // 4 min later: read
      sonnet(at(10), 'h1', 2000, { input: 3000 }), // 6 min after the last use: write
      sonnet(at(14, 59), 'h1', 2000, { input: 3000 }), // 4:59 later: read
      sonnet(at(16), 'h1', 2000, { input: 1000, cacheRead: 2000 }), // already caching the prefix: unchanged
    ];
    const { engine, head } = runSteps([step], recs, ['app']);
    const r = cacheResult(head, engine, step);
    // Baseline: 4 × 3,000 × $3 + (1,000 × 3 + 2,000 × 0.3 = 3,600) = 36,000 + 3,600 = 39,600 µ$.
    // Writes: 2 × (1,000 × 3 + 2,000 × 3.75) = 2 × 10,500 = 21,000; reads: 2 × (1,000 × 3 + 2,000 × 0.3) =
    // 2 × 3,600 = 7,200; plus the unchanged 3,600 → 31,800 µ$; saving 7,800 µ$.
    expect(r.totals).toMatchObject({
      baselineCost: 0.0396,
      simulatedCost: 0.0318,
      savings: 0.0078,
      prefixedRequests: 5,
      alreadyCached: 1,
      reads: 2,
      writes: 2,
      tokensRead: 4000,
      tokensWritten: 4000,
      notPaying: 0,
    });
    expect(r.prefixes[0]).toMatchObject({
      hash: 'h1',
      tokens: 2000,
      minTokens: 1024,
      reads: 2,
      writes: 2,
      savings: 0.0078,
      applied: true,
    });
    expect(r.command).toBe('simulate cache');
  });

  it('respects minimum cacheable lengths per model, and config overrides', () => {
    const step = new CacheStep(cfg());
    expect(step.minTokens('claude-sonnet-4-5')).toBe(1024);
    expect(step.minTokens('claude-haiku-4-5')).toBe(4096);
    expect(step.minTokens('claude-opus-4-5')).toBe(4096);
    expect(step.minTokens('gpt-4o')).toBe(1024);
    expect(
      new CacheStep(cfg({ min_tokens: [{ model: 'gpt-4o*', tokens: 2048 }] })).minTokens('gpt-4o-mini'),
    ).toBe(2048);
    const recs = [
      sonnet(at(0), 'small', 800, { input: 3000 }),
      sonnet(at(1), 'small', 800, { input: 3000 }),
      priced(B, {
        model: 'claude-haiku-4-5',
        start: at(2),
        tokens: { input: 5000 },
        promptInfo: { prefix: { hash: 'h', tokens: 3000 } },
      }),
      priced(B, {
        model: 'claude-haiku-4-5',
        start: at(3),
        tokens: { input: 5000 },
        promptInfo: { prefix: { hash: 'h', tokens: 3000 } },
      }),
    ];
    const { engine, head } = runSteps([step], recs, ['app']);
    const r = cacheResult(head, engine, step);
    expect(r.totals).toMatchObject({ belowMinimum: 4, reads: 0, writes: 0, savings: 0 });
  });

  it('leaves a prefix uncached where the write premium outweighs the reads', () => {
    const step = new CacheStep(cfg());
    // Three uses an hour apart: three writes of 1,500 at $3.75 instead of $3 → +1,125 µ$ each: not applied.
    const recs = [0, 1, 2].map((h) =>
      priced(B, {
        model: 'claude-sonnet-4-5',
        start: `2026-10-01T${String(10 + h).padStart(2, '0')}:00:00.000Z`,
        tokens: { input: 2000 },
        promptInfo: { prefix: { hash: 'rare', tokens: 1500 } },
      }),
    );
    const { engine, head } = runSteps([step], recs, ['app']);
    const r = cacheResult(head, engine, step);
    expect(r.totals).toMatchObject({ savings: 0, writes: 0, notPaying: 3 });
    // The delta it would have cost: 3 × 1,500 × (3.75 − 3) = 3,375 µ$.
    expect(r.prefixes[0]).toMatchObject({ hash: 'rare', savings: -0.003375, applied: false });
    expect(r.notes.join(' ')).toContain('left uncached');
  });

  it('OpenAI: no write premium, reads at the cached-input price', () => {
    const step = new CacheStep(cfg());
    const rec = (m: number) =>
      priced(B, {
        model: 'gpt-4o',
        start: at(m),
        tokens: { input: 2000 },
        promptInfo: { prefix: { hash: 'sys', tokens: 1200 } },
      });
    const { engine, head } = runSteps([step], [rec(0), rec(1)], ['app']);
    // Write = input price: 2,000 × 2.5 = 5,000 µ$ unchanged; read: 1,200 × 1.25 + 800 × 2.5 = 3,500 µ$.
    // Baseline 10,000 → 8,500 µ$.
    expect(cacheResult(head, engine, step).totals).toMatchObject({
      baselineCost: 0.01,
      simulatedCost: 0.0085,
      savings: 0.0015,
    });
  });

  it('a one-hour TTL writes at the one-hour price', () => {
    const step = new CacheStep(cfg({ ttl: '1h' }));
    const recs = [0, 30, 59].map((m) => sonnet(at(m), 'h', 2000, { input: 3000 }));
    const { engine, head } = runSteps([step], recs, ['app']);
    // Baseline 3 × 9,000 = 27,000 µ$. Write: 2,000 × 6 + 1,000 × 3 = 15,000; two reads: 2 × 3,600 = 7,200.
    // 22,200 µ$: saving 4,800 µ$.
    expect(cacheResult(head, engine, step).totals).toMatchObject({
      simulatedCost: 0.0222,
      savings: 0.0048,
      writes: 1,
      reads: 2,
    });
  });

  it('bounds memory: least recently used prefixes go first, extra prefixes are summed as (other)', () => {
    const step = new CacheStep(cfg({ max_prefixes: 2 }));
    const recs = [
      sonnet(at(0), 'A', 2000, { input: 3000 }),
      sonnet(at(1), 'B', 2000, { input: 3000 }),
      sonnet(at(2), 'C', 2000, { input: 3000 }), // third key: A (least recently used) is dropped while warm
      sonnet(at(3), 'A', 2000, { input: 3000 }), // so A writes again (saving understated, not overstated)
    ];
    const { engine, head } = runSteps([step], recs, ['app']);
    const r = cacheResult(head, engine, step);
    expect(step.evictedWarm).toBeGreaterThanOrEqual(1);
    expect(r.trackedPrefixes).toBe(2);
    expect(step.delta.has(OTHER_PREFIXES)).toBe(true);
    expect(r.totals).toMatchObject({ reads: 0 });
    expect(r.notes.join(' ')).toContain('(other)');
  });
});
