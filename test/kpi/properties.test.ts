import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { UsageRecord } from '../../src/core/record.ts';
import { KpiEngine } from '../../src/kpi/engine.ts';
import type { ScanResult } from '../../src/pipeline/scan.ts';
import { emptyStats } from '../../src/pipeline/read.ts';

const config = parseConfig(
  `kpis:
  - name: escalation-rate
    numerator: { outcome: escalated }
    denominator: { outcome: "*" }
  - name: resolved-share
    numerator: { outcome: resolved }
    denominator: { outcome: "*" }
  - name: requests-per-resolved
    numerator: requests
    denominator: { outcome: resolved }
`,
  'f.yaml',
);
const scan: ScanResult = {
  stats: emptyStats(),
  enrich: { tokenizedRecords: 0, tokenizedTokens: 0 },
  joined: 0,
};

const stepArb = fc.record({
  task: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
  day: fc.integer({ min: 0, max: 90 }),
  outcome: fc.option(fc.constantFrom('resolved', 'escalated', 'failed', 'Resolved'), { nil: undefined }),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function record(s: Step, i: number): UsageRecord {
  const r: UsageRecord = {
    start: new Date(Date.UTC(2026, 8, 1) + s.day * 86_400_000 + i * 1000).toISOString(),
    provider: 'self-hosted',
    model: 'm',
    modelRaw: 'm',
    requests: 1,
    tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 },
    dims: {},
    tags: {},
    source: { file: 'x', line: i + 1, format: 'request-log' },
  };
  if (s.task !== undefined) r.taskId = `t${s.task}`;
  if (s.outcome !== undefined) r.outcome = s.outcome;
  return r;
}

describe('kpi engine properties', () => {
  it('values are finite or null with a reason; every task is counted once; shares add up', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 60 }),
        fc.constantFrom('week', 'month', 'quarter'),
        (steps, by) => {
          const engine = new KpiEngine(config.kpis, { tz: 'UTC', by });
          steps.forEach((s, i) => engine.add({ record: record(s, i), tier: 0 }));
          const r = engine.result(scan, null);
          const [esc, res, perResolved] = r.kpis;
          // Tasks with an outcome: each task id once, plus each id-less request with an outcome.
          const ids = new Set(steps.filter((s) => s.outcome && s.task !== undefined).map((s) => s.task));
          const loose = steps.filter((s) => s.outcome && s.task === undefined).length;
          const counted = esc!.values.reduce((n, v) => n + (v.denominator ?? 0), 0);
          expect(counted).toBe(ids.size + loose);
          for (const k of r.kpis) {
            for (const v of k.values) {
              if (v.value === null) expect(v.missing).toMatch(/\S/);
              else {
                expect(Number.isFinite(v.value)).toBe(true);
                expect(v.missing).toBeNull();
              }
            }
          }
          r.periods.forEach((_, i) => {
            const e = esc!.values[i]!;
            const s = res!.values[i]!;
            if (e.value === null) return;
            // escalated and resolved are disjoint outcomes of a task: their shares never pass 100 %.
            expect(e.value).toBeGreaterThanOrEqual(0);
            expect(e.value + s.value!).toBeLessThanOrEqual(1 + 1e-9);
            if (s.numerator === 0) expect(perResolved!.values[i]!.value).toBeNull();
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
