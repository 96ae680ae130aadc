import fc from 'fast-check';
import { ConfigError } from '../../src/core/errors.ts';
import { describe, expect, it } from 'vitest';
import { allResult, orderedSteps, type AllSteps } from '../../src/simulate/all.ts';
import { BatchStep } from '../../src/simulate/batch.ts';
import { CacheStep } from '../../src/simulate/cache.ts';
import {
  BatchConfigSchema,
  CacheConfigSchema,
  RagConfigSchema,
  RoutingConfigSchema,
} from '../../src/simulate/config.ts';
import { RagStep } from '../../src/simulate/rag.ts';
import { RoutingStep } from '../../src/simulate/routing.ts';
import { at, book, priced, runSteps } from './helpers.ts';

const B = book();

function levers(
  map: { from: string; to: string }[] = [{ from: 'claude-sonnet-4-5', to: 'claude-3-5-haiku' }],
): AllSteps {
  return {
    routing: new RoutingStep({
      config: RoutingConfigSchema.parse({}),
      map,
      source: '--map',
      book: B,
      error: (m) => new ConfigError(m),
    }),
    rag: new RagStep({ topK: 1 }, RagConfigSchema.parse({})),
    cache: new CacheStep(CacheConfigSchema.parse({})),
    batch: new BatchStep(BatchConfigSchema.parse({ tags: { interactive: 'false' } })),
  };
}

// One request through all four levers: Sonnet, 10,000 input (4 chunks of 1,000 + a 3,000-token prefix + 3,000
// of question), 1,000 output, no one waiting (interactive=false). Twice, one minute apart.
const X = (minute: number) =>
  priced(B, {
    model: 'claude-sonnet-4-5',
    start: at(minute),
    tokens: { input: 10_000, output: 1000 },
    workflow: 'qa',
    tags: { interactive: 'false' },
    rag: { chunks: [0.9, 0.8, 0.7, 0.6].map((score, i) => ({ tokens: 1000, score, used: i === 0 })) },
    promptInfo: { prefix: { hash: 'p', tokens: 3000 } },
  });

describe('simulate all', () => {
  it('applies routing → RAG → caching → batch, each on what the previous left (hand-computed)', () => {
    const s = levers();
    const { engine, head } = runSteps(orderedSteps(s), [X(0), X(1)]);
    const r = allResult(head, engine, s);
    // Baseline, Sonnet: 10,000 × 3 + 1,000 × 15 = 45,000 µ$ each → $0.09.
    // Routing to claude-3-5-haiku: 10,000 × 0.8 + 1,000 × 4 = 12,000 µ$ each → $0.024; saves $0.066.
    // RAG top-k 1 cuts 3,000: 7,000 × 0.8 + 4,000 = 9,600 µ$ each → $0.0192; saves $0.0048.
    // Caching (3,000 ≥ Haiku 3.5's 2,048 minimum): the first writes, 4,000 × 0.8 + 3,000 × 1 + 4,000 = 10,200;
    // the second reads, 3,200 + 3,000 × 0.08 + 4,000 = 7,440 → $0.01764; saves $0.00156.
    // Batch (50 % of every rate): 4,000 × 0.4 + 3,000 × 0.5 + 1,000 × 2 = 5,100 and 1,600 + 3,000 × 0.04 + 2,000
    // = 3,720 → $0.00882; saves $0.00882.
    expect(r.steps.map((x) => [x.lever, x.costBefore, x.costAfter, x.savings])).toEqual([
      ['routing', 0.09, 0.024, 0.066],
      ['rag', 0.024, 0.0192, 0.0048],
      ['cache', 0.0192, 0.01764, 0.00156],
      ['batch', 0.01764, 0.00882, 0.00882],
    ]);
    // The steps add up to the total: 0.066 + 0.0048 + 0.00156 + 0.00882 = 0.08118 = 0.09 − 0.00882.
    expect(r.totals).toMatchObject({ baselineCost: 0.09, simulatedCost: 0.00882, savings: 0.08118 });
    expect(r.opportunities.map((o) => [o.rank, o.lever, o.savings])).toEqual([
      [1, 'routing', 0.066],
      [2, 'batch', 0.00882],
      [3, 'rag', 0.0048],
      [4, 'cache', 0.00156],
    ]);
    expect(r.opportunities[0]!.action).toBe('route claude-sonnet-4-5 → claude-3-5-haiku');
    // 31 days is not assumed: one day read, so per month = saving × 30.4375.
    expect(r.period.days).toBe(1);
    expect(r.totals.savingsPerMonth).toBe(2.470916); // 0.08118 × 30.4375 = 2.47091625
    expect(r.assumptions[0]).toContain('routing → RAG trim → caching → batch');
    expect(r.command).toBe('simulate all');
  });

  it('caching is judged on the routed model: Haiku 4.5 needs 4,096 tokens, so the 3,000-token prefix is not cached', () => {
    const s = levers([{ from: 'claude-sonnet-4-5', to: 'claude-haiku-4-5' }]);
    const { engine, head } = runSteps(orderedSteps(s), [X(0), X(1)]);
    const r = allResult(head, engine, s);
    expect(r.steps.find((x) => x.lever === 'cache')!.savings).toBe(0);
  });

  it('a lever without a policy is not applied, and says so', () => {
    const s: AllSteps = { cache: new CacheStep(CacheConfigSchema.parse({})) };
    const { engine, head } = runSteps(orderedSteps(s), [X(0)]);
    const r = allResult(head, engine, s);
    expect(r.steps.map((x) => x.applied)).toEqual([false, false, true, false]);
    expect(r.notes.join(' ')).toContain('routing: not applied');
  });

  it('property: lever savings add up to the total, groups to the totals; trimming, caching and batch never add cost', () => {
    const models = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash'];
    const rec = fc.record({
      model: fc.constantFrom(...models),
      minute: fc.integer({ min: 0, max: 59 }),
      input: fc.integer({ min: 0, max: 300_000 }),
      cacheRead: fc.integer({ min: 0, max: 5000 }),
      output: fc.integer({ min: 0, max: 5000 }),
      workflow: fc.constantFrom('a', 'b', 'c'),
      batch: fc.boolean(),
      chunks: fc.array(
        fc.record({
          tokens: fc.integer({ min: 0, max: 2000 }),
          score: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { maxLength: 6 },
      ),
      prefix: fc.constantFrom(0, 1500, 5000),
    });
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 25 }), (specs) => {
        const s = levers([
          { from: 'claude-sonnet-4-5', to: 'claude-haiku-4-5' },
          { from: 'gpt-4o', to: 'gpt-4o-mini' },
        ]);
        const recs = specs.map((x) =>
          priced(B, {
            model: x.model,
            start: at(x.minute),
            tokens: { input: x.input, cacheRead: x.cacheRead, output: x.output },
            workflow: x.workflow,
            tags: x.batch ? { interactive: 'false' } : {},
            rag: { chunks: x.chunks },
            promptInfo:
              x.prefix > 0
                ? { prefix: { hash: `h${x.prefix}`, tokens: Math.min(x.prefix, x.input + x.cacheRead) } }
                : undefined,
          }),
        );
        const { engine, head } = runSteps(orderedSteps(s), recs);
        const r = allResult(head, engine, s);
        const sum = r.steps.reduce((a, x) => a + x.savings, 0);
        expect(sum).toBeCloseTo(r.totals.savings, 5);
        expect(r.groups.reduce((a, g) => a + g.savings, 0)).toBeCloseTo(r.totals.savings, 5);
        for (const l of ['rag', 'cache', 'batch'] as const) {
          expect(r.steps.find((x) => x.lever === l)!.savings).toBeGreaterThanOrEqual(-1e-9);
        }
      }),
      { numRuns: 150 },
    );
  });
});
