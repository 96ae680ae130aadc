import { describe, expect, it } from 'vitest';
import { batchResult, BatchStep, isBatchCandidate } from '../../src/simulate/batch.ts';
import { BatchConfigSchema } from '../../src/simulate/config.ts';
import { book, priced, runSteps } from './helpers.ts';

describe('simulate batch', () => {
  it('prices candidates at batch rates; already-batch requests stay; hand-computed', () => {
    const B = book([{ model: 'acme-llm', prices: { input: 1, output: 2 } }]);
    const step = new BatchStep(
      BatchConfigSchema.parse({ workflows: ['nightly*'], tags: { interactive: 'false' } }),
    );
    const recs = [
      // Sonnet 100k in + 10k out: $0.30 + $0.15 = $0.45 → batch (50 %) $0.15 + $0.075 = $0.225.
      priced(B, {
        model: 'claude-sonnet-4-5',
        tokens: { input: 100_000, output: 10_000 },
        workflow: 'nightly-eval',
        latencyMs: 8000,
      }),
      // Already batch: unchanged ($0.225 both ways).
      priced(B, {
        model: 'claude-sonnet-4-5',
        tokens: { input: 100_000, output: 10_000 },
        workflow: 'nightly-eval',
        serviceTier: 'batch',
        latencyMs: 4000,
      }),
      // Tagged: gpt-4o 1M input $2.50 → its listed batch price $1.25.
      priced(B, {
        model: 'gpt-4o',
        tokens: { input: 1_000_000 },
        workflow: 'report',
        tags: { interactive: 'false' },
      }),
      // A private model with no batch price: 50 % of (1M × $1 + 1M × $2 = $3) = $1.50.
      priced(B, {
        model: 'acme-llm',
        tokens: { input: 1_000_000, output: 1_000_000 },
        workflow: 'nightly-digest',
      }),
      // Not a candidate.
      priced(B, { model: 'gpt-4o', tokens: { input: 1_000_000 }, workflow: 'chat' }),
    ];
    const { engine, head } = runSteps([step], recs);
    const r = batchResult(head, engine, step);
    const by = Object.fromEntries(r.groups.map((g) => [g.key.workflow, g]));
    expect(by['nightly-eval']).toMatchObject({
      candidates: 2,
      alreadyBatch: 1,
      moved: 1,
      meanLatencyMs: 6000,
      baselineCost: 0.675, // 0.45 + 0.225
      simulatedCost: 0.45, // 0.225 + 0.225
      savings: 0.225,
    });
    expect(by.report).toMatchObject({ savings: 1.25 });
    expect(by['nightly-digest']).toMatchObject({ baselineCost: 3, savings: 1.5 });
    expect(by.chat).toBeUndefined();
    // Rows shown: 0.675 + 2.50 + 3 = 6.175 → 0.45 + 1.25 + 1.50 = 3.20.
    expect(r.totals).toMatchObject({
      baselineCost: 6.175,
      simulatedCost: 3.2,
      savings: 2.975,
      candidates: 4,
      moved: 3,
    });
    expect(r.turnaround).toBe('24 h');
    expect(r.assumptions.join(' ')).toContain('within 24 h');
  });

  it('matches workflow, app, or every tag given', () => {
    const B = book();
    const c = BatchConfigSchema.parse({ apps: 'etl', tags: { interactive: 'false', env: 'prod' } });
    const rec = (app: string, tags: Record<string, string>) =>
      priced(B, { model: 'gpt-4o', app, tags }).record;
    expect(isBatchCandidate(rec('etl', {}), c)).toBe(true);
    expect(isBatchCandidate(rec('web', { interactive: 'false', env: 'prod' }), c)).toBe(true);
    expect(isBatchCandidate(rec('web', { interactive: 'false' }), c)).toBe(false);
    expect(new BatchStep(BatchConfigSchema.parse(undefined)).active).toBe(false);
  });
});
