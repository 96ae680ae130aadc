import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../../src/core/errors.ts';
import { RoutingConfigSchema } from '../../src/simulate/config.ts';
import { estimateComplexity, routingResult, RoutingStep } from '../../src/simulate/routing.ts';
import { book, priced, runSteps } from './helpers.ts';

const B = book();

function step(config: unknown, extra: Partial<ConstructorParameters<typeof RoutingStep>[0]> = {}) {
  return new RoutingStep({
    config: RoutingConfigSchema.parse(config),
    source: 'test.yaml',
    book: B,
    error: (m) => new ConfigError(m),
    ...extra,
  });
}

const POLICY = {
  tiers: {
    frontier: ['gpt-4o', 'claude-sonnet-4-5'],
    mid: ['claude-haiku-4-5', 'gpt-4.1-mini'],
    small: ['gpt-4o-mini'],
  },
  keep: ['research'],
  rules: [
    { name: 'triage', match: { workflow: 'triage' }, tier: 'small' },
    { name: 'simple', match: { complexity: 'simple' }, tier: 'small' },
    { name: 'medium', match: { complexity: 'medium' }, tier: 'mid' },
  ],
  quality: { success_outcomes: ['resolved'] },
};

describe('estimateComplexity', () => {
  const c = RoutingConfigSchema.parse({}).complexity; // 2000 / 8000 prompt, 500 / 1500 output
  const rec = (
    tokens: { input: number; output: number; reasoning?: number },
    features?: object,
    requests = 1,
  ) =>
    priced(B, {
      model: 'gpt-4o',
      tokens,
      requests,
      promptInfo: features ? { features: features as never } : undefined,
    }).record;

  it('scores size, reasoning and text features', () => {
    // prompt 2000 is not above 2000: 0; output 500 not above 500: 0 → simple.
    expect(estimateComplexity(rec({ input: 2000, output: 500 }), c)).toEqual({ class: 'simple', score: 0 });
    // prompt 2001 → +1; output 501 → +1 → 2 = medium.
    expect(estimateComplexity(rec({ input: 2001, output: 501 }), c)).toEqual({ class: 'medium', score: 2 });
    // prompt 8001 → +2; output 1501 → +2 → 4 = complex.
    expect(estimateComplexity(rec({ input: 8001, output: 1501 }), c)).toEqual({ class: 'complex', score: 4 });
    // reasoning → +2; code +1 → 3 = medium.
    expect(
      estimateComplexity(
        rec({ input: 100, output: 50, reasoning: 10 }, { code: true, steps: 0, tools: false }),
        c,
      ),
    ).toEqual({ class: 'medium', score: 3 });
    // tools +2, 3 steps +1, code +1 → 4 = complex.
    expect(
      estimateComplexity(rec({ input: 100, output: 50 }, { code: true, steps: 3, tools: true }), c),
    ).toEqual({
      class: 'complex',
      score: 4,
    });
  });

  it('judges a bucket per request, and has no estimate without a request count', () => {
    // 10 requests of 3000 prompt tokens each → +1; 400 output each → 0 → simple.
    expect(estimateComplexity(rec({ input: 30_000, output: 4000 }, undefined, 10), c)).toEqual({
      class: 'simple',
      score: 1,
    });
    expect(estimateComplexity(rec({ input: 30_000, output: 4000 }, undefined, 0), c)).toBeUndefined();
  });
});

describe('simulate routing', () => {
  it('--to-model: hand-computed savings and sensitivity range', () => {
    const s = step({}, { toModel: 'gpt-4o-mini', source: '--to-model', error: (m) => new UsageError(m) });
    const { engine, head } = runSteps(
      [s],
      [
        priced(B, {
          model: 'gpt-4o-2024-08-06',
          tokens: { input: 1_000_000, output: 100_000 },
          workflow: 'triage',
        }),
      ],
    );
    const r = routingResult(head, engine, s);
    const g = r.groups[0]!;
    // gpt-4o: 1M × $2.50 + 100k × $10 per 1M = 2.50 + 1.00 = $3.50.
    expect(g.baselineCost).toBe(3.5);
    // gpt-4o-mini: 1M × $0.15 + 100k × $0.60 = 0.15 + 0.06 = $0.21.
    expect(g.simulatedCost).toBe(0.21);
    expect(g.savings).toBe(3.29);
    expect(g.savingsShare).toBe(0.94); // 3.29 / 3.50
    // Output at the target = 100k × $0.60 = $0.06; retries = 10 % × $3.50 = $0.35.
    // low = 3.29 − 20 % × 0.06 − 0.35 = 2.928; high = 3.29 + 0.012 = 3.302.
    expect(g.savingsRange).toEqual({ low: 2.928, high: 3.302 });
    expect(g.routed).toBe(1);
    expect(r.routes).toEqual([
      {
        from: 'gpt-4o',
        to: 'gpt-4o-mini',
        rule: '--to-model',
        requests: 1,
        baselineCost: 3.5,
        simulatedCost: 0.21,
        savings: 3.29,
      },
    ]);
    expect(r.command).toBe('simulate routing');
    expect(r.schemaVersion).toBe(1);
    expect(r.assumptions.some((a) => a.includes('Sensitivity range'))).toBe(true);
  });

  it('a policy: tiers, rules in order, keep, complexity, untiered models, quality as logged', () => {
    const s = step(POLICY);
    const recs = [
      // triage → small (gpt-4o-mini). gpt-4o: 1000 × 2.5 + 10 × 10 = 2,600 µ$; mini: 1000 × 0.15 + 10 × 0.6 = 156 µ$.
      priced(B, { model: 'gpt-4o', tokens: { input: 1000, output: 10 }, workflow: 'triage' }),
      // 10,000 prompt (+2) and 600 output (+1) = medium → mid, same provider: claude-haiku-4-5.
      // Sonnet: 10,000 × 3 + 600 × 15 = 39,000 µ$; Haiku: 10,000 × 1 + 600 × 5 = 13,000 µ$.
      priced(B, {
        model: 'claude-sonnet-4-5',
        tokens: { input: 10_000, output: 600 },
        workflow: 'answer',
        outcome: 'resolved',
      }),
      // pinned: 2000 × 3 + 200 × 15 = 9,000 µ$ both ways.
      priced(B, { model: 'claude-sonnet-4-5', tokens: { input: 2000, output: 200 }, workflow: 'research' }),
      // already on the small tier: 1000 × 0.15 + 100 × 0.6 = 210 µ$ both ways.
      priced(B, {
        model: 'gpt-4o-mini',
        tokens: { input: 1000, output: 100 },
        workflow: 'chat',
        outcome: 'escalated',
        tags: { eval_score: '0.5' },
      }),
      // code +1, 3 steps +1, tools +2 = complex: no rule → stays. 500 × 3 + 100 × 15 = 3,000 µ$.
      priced(B, {
        model: 'claude-sonnet-4-5',
        tokens: { input: 500, output: 100 },
        workflow: 'code',
        promptInfo: { features: { code: true, steps: 3, tools: true } },
      }),
      // simple, but gpt-4.1-nano is in no tier: stays (and a note says so). 1000 × 0.1 = 100 µ$.
      priced(B, { model: 'gpt-4.1-nano', tokens: { input: 1000 }, workflow: 'nano' }),
      // an embedding model in no tier: no complexity rule applies to it, no note. 1000 × 0.02 = 20 µ$.
      priced(B, { model: 'text-embedding-3-small', tokens: { input: 1000 }, workflow: 'embed' }),
    ];
    const { engine, head } = runSteps([s], recs);
    const r = routingResult(head, engine, s);
    const by = Object.fromEntries(r.groups.map((g) => [g.key.workflow, g]));
    // baseline 2,600 + 39,000 + 9,000 + 210 + 3,000 + 100 + 20 = 53,930 µ$;
    // simulated 156 + 13,000 + 9,000 + 210 + 3,000 + 100 + 20 = 25,486 µ$; savings 28,444 µ$.
    expect(r.totals.baselineCost).toBe(0.05393);
    expect(r.totals.simulatedCost).toBe(0.025486);
    expect(r.totals.savings).toBe(0.028444);
    expect(r.totals.routed).toBe(2);
    expect(r.totals.pinned).toBe(1);
    expect(by.triage!.savings).toBe(0.002444); // 2,600 − 156
    expect(by.answer!.savings).toBe(0.026); // 39,000 − 13,000
    for (const w of ['research', 'chat', 'code', 'nano', 'embed']) expect(by[w]!.savings).toBe(0);
    expect(r.routes.map((x) => [x.from, x.to, x.rule])).toEqual([
      ['claude-sonnet-4-5', 'claude-haiku-4-5', 'medium'],
      ['gpt-4o', 'gpt-4o-mini', 'triage'],
    ]);
    // simple: triage, research (2000 is not above 2000), chat, nano, embed; medium: answer; complex: code.
    expect(r.complexity).toEqual({ simple: 5, medium: 1, complex: 1, unknown: 0 });
    expect(by.answer!.quality.routed).toEqual({
      requests: 1,
      withOutcome: 1,
      successRate: 1,
      scored: 0,
      meanScore: null,
    });
    expect(by.chat!.quality.onTarget).toEqual({
      requests: 1,
      withOutcome: 1,
      successRate: 0,
      scored: 1,
      meanScore: 0.5,
    });
    expect(r.notes.join(' ')).toContain('1 request(s) matched a tier rule but run on a model in no tier');
    expect(r.policy.tiers[2]).toEqual({ name: 'small', models: ['gpt-4o-mini'] });
  });

  it('--map routes by model glob; a rule never routes up', () => {
    const s = step({}, { map: [{ from: 'claude-sonnet-*', to: 'claude-haiku-4-5' }], source: '--map' });
    const recs = [
      // 100k input: Sonnet 100k × $3 = $0.30 → Haiku 100k × $1 = $0.10.
      priced(B, { model: 'claude-sonnet-4-5-20250929', tokens: { input: 100_000 } }),
      // 1M input in one request is above Sonnet's 200k threshold: the whole request at $6 → Haiku (no tier) $1.
      priced(B, { model: 'claude-sonnet-4-5', tokens: { input: 1_000_000 } }),
      priced(B, { model: 'gpt-4o', tokens: { input: 1_000_000 } }),
    ];
    const { engine, head } = runSteps([s], recs, []);
    const r = routingResult(head, engine, s);
    // (0.30 − 0.10) + (6 − 1) = 5.20; gpt-4o is not mapped.
    expect(r.totals.savings).toBe(5.2);
    expect(r.totals.routed).toBe(2);

    const up = step({
      tiers: { big: ['gpt-4o'], small: ['gpt-4o-mini'] },
      rules: [{ match: {}, tier: 'big' }],
    });
    const out = runSteps([up], [priced(B, { model: 'gpt-4o-mini', tokens: { input: 1000 } })]);
    expect(routingResult(out.head, out.engine, up).totals.routed).toBe(0);
  });

  it('names an unknown model, and a target with no price on the request’s date (never $0)', () => {
    expect(() =>
      step({}, { toModel: 'gpt-9', source: '--to-model', error: (m) => new UsageError(m) }),
    ).toThrow(/unknown model "gpt-9"/);
    expect(() =>
      step({ tiers: { a: ['gpt-4o', 'no-such-model'] }, rules: [{ match: {}, tier: 'a' }] }),
    ).toThrow(ConfigError);
    // gpt-5 is priced from 2025-08-07: routing January 2025 usage to it has no price.
    const s = step({}, { toModel: 'gpt-5', source: '--to-model' });
    expect(() =>
      runSteps(
        [s],
        [priced(B, { model: 'gpt-4o', start: '2025-01-01T00:00:00.000Z', tokens: { input: 10 } })],
      ),
    ).toThrow(/gpt-5 has no price in force on 2025-01-01/);
  });

  it('keeps an embedding request off a chat model', () => {
    const s = step({}, { toModel: 'gpt-4o-mini', source: '--to-model' });
    const { engine, head } = runSteps(
      [s],
      [priced(B, { model: 'text-embedding-3-small', tokens: { input: 1000 } })],
    );
    const r = routingResult(head, engine, s);
    expect(r.totals.routed).toBe(0);
    expect(r.notes.join(' ')).toContain('embedding');
  });
});

describe('RoutingConfigSchema', () => {
  it('names the key path of a mistake', () => {
    const bad = RoutingConfigSchema.safeParse({
      tiers: { small: ['a'] },
      rules: [{ match: {}, tier: 'tiny' }],
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({
      path: ['rules', 0, 'tier'],
      message: expect.stringContaining('unknown tier "tiny"'),
    });
    const both = RoutingConfigSchema.safeParse({ rules: [{ match: {}, tier: 'a', model: 'b' }] });
    expect(both.error!.issues.some((i) => i.message === 'give exactly one of tier or model')).toBe(true);
    const twice = RoutingConfigSchema.safeParse({ tiers: { a: ['m'], b: ['M'] } });
    expect(twice.error!.issues[0]!.message).toContain('is in two tiers');
    const typo = RoutingConfigSchema.safeParse({ rules: [{ match: { workflw: 'x' }, tier: 'a' }] });
    expect(typo.success).toBe(false);
  });

  it('fills the defaults', () => {
    expect(RoutingConfigSchema.parse(null)).toMatchObject({
      tiers: {},
      keep: [],
      rules: [],
      complexity: { long_prompt: 2000, very_long_prompt: 8000, long_output: 500, very_long_output: 1500 },
      sensitivity: { output_change: 0.2, retry_share: 0.1 },
      quality: { success_outcomes: ['resolved'], score_tag: 'eval_score' },
    });
  });
});
