import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AllResult } from '../../src/simulate/all.ts';
import type { BatchResult } from '../../src/simulate/batch.ts';
import type { CacheResult } from '../../src/simulate/cache.ts';
import type { RagResult } from '../../src/simulate/rag.ts';
import type { RoutingResult } from '../../src/simulate/routing.ts';

// Spawns the built CLI (`npm test` builds first), as in test/cli.
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'finops.js');
const DEMO = 'fixtures/demo';
const CONFIG = 'fixtures/demo/finops.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'finops-sim-'));

function finops(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      TZ: 'UTC',
      // No COLUMNS: piped, the tables are drawn whole (the golden files); fitting is tested in test/cli.
      FINOPS_HOME: join(tmp, 'home'),
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(args: string[], input?: string): T {
  const r = finops([...args, '--format', 'json'], input);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const demo = (cmd: string, ...more: string[]) => ['simulate', cmd, DEMO, '--config', CONFIG, ...more];

describe('finops simulate on the demo data', () => {
  const all = json<AllResult>(demo('all'));

  it('all: one ranked savings table; the levers add up; the baseline is the report’s spend', () => {
    expect(all).toMatchObject({
      schemaVersion: 1,
      command: 'simulate all',
      order: ['routing', 'rag', 'cache', 'batch'],
    });
    expect(all.steps.every((s) => s.applied)).toBe(true);
    const sum = all.steps.reduce((a, s) => a + s.savings, 0);
    expect(sum).toBeCloseTo(all.totals.savings, 5);
    for (let i = 1; i < all.steps.length; i++)
      expect(all.steps[i]!.costBefore).toBe(all.steps[i - 1]!.costAfter);
    // Every priced request is simulated: the baseline equals what `finops report` computes.
    const report = json<{ totals: { cost: number } }>(['report', DEMO, '--config', CONFIG, '--by', 'team']);
    expect(all.totals.baselineCost).toBeCloseTo(report.totals.cost, 5);
    expect(all.assumptions.length).toBeGreaterThan(5);
    // What the demo is built to show (fixtures/generate.ts), in rank order.
    expect(all.opportunities.map((o) => [o.lever, o.key.workflow])).toEqual([
      ['routing', 'answer'],
      ['rag', 'answer'],
      ['routing', 'faq'],
      ['cache', 'nightly-eval'],
      ['routing', 'extract-order'],
      ['routing', 'triage'],
      ['batch', 'nightly-eval'],
      ['routing', 'email-draft'],
    ]);
  });

  it('all renders as a table, markdown and CSV (golden files)', async () => {
    const table = finops([...demo('all'), '--format', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toContain('\u001b[');
    await expect(table.stdout).toMatchFileSnapshot('golden/demo-simulate-all.txt');
    const md = finops([...demo('all'), '--format', 'markdown']);
    await expect(md.stdout).toMatchFileSnapshot('golden/demo-simulate-all.md');
    const csv = finops([...demo('all'), '--format', 'csv']);
    await expect(csv.stdout).toMatchFileSnapshot('golden/demo-simulate-all.csv');
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe('rank,lever,workflow,action,savings_usd,savings_per_month_usd,share_of_baseline');
    expect(rows).toHaveLength(all.opportunities.length + 1);
  });

  it('routing: frontier classification and FAQ routed down, pinned workflows kept, quality evidence shown', () => {
    const r = json<RoutingResult>(demo('routing'));
    expect(r.command).toBe('simulate routing');
    const by = Object.fromEntries(r.groups.map((g) => [g.key.workflow, g]));
    expect(by.triage!.savingsShare).toBeGreaterThan(0.9); // gpt-4o → gpt-4o-mini: 94 %
    expect(by.faq!.routedShare).toBeLessThan(1); // 15 % already on gpt-4o-mini
    expect(by.faq!.quality.onTarget!.meanScore).toBeGreaterThan(0.8);
    expect(by.answer!.quality.routed!.successRate).toBeGreaterThan(0.7);
    for (const w of ['account-research', 'coding', 'nightly-eval']) expect(by[w]!.routed).toBe(0);
    for (const g of r.groups) expect(g.savingsRange.low).toBeLessThanOrEqual(g.savings);
  });

  it('rag: the answer workflow leaks (utilization under 30 %); top-k 4 / min-score 0.7 cuts no used chunk', () => {
    const r = json<RagResult>(demo('rag'));
    expect(r.groups.map((g) => g.key.workflow)).toEqual(['answer']);
    const g = r.groups[0]!;
    expect(g.lowUtilization).toBe(true);
    expect(g.utilization).toBeLessThan(0.3);
    expect(g.contextCutShare).toBeGreaterThan(0.5);
    expect(g.usedChunksCut).toBe(0);
    // A harsher policy from the flags wins over finops.yaml, and now cuts used chunks.
    const harsh = json<RagResult>(demo('rag', '--top-k', '1'));
    expect(harsh.policy).toEqual({ topK: 1, minScore: 0.7, maxContextTokens: null });
    expect(harsh.groups[0]!.usedChunksCut).toBeGreaterThan(0);
  });

  it('cache: eval rubric and order template pay; FAQ prompt is below the minimum; helpdesk already caches', () => {
    const r = json<CacheResult>(demo('cache'));
    const by = Object.fromEntries(r.groups.map((g) => [g.key.app, g]));
    expect(by['eval-harness']!.savings).toBeGreaterThan(0);
    expect(by['order-intake']!.savings).toBeGreaterThan(0);
    expect(by['web-assistant']).toMatchObject({
      belowMinimum: by['web-assistant']!.prefixedRequests,
      savings: 0,
    });
    expect(by['helpdesk-bot']).toMatchObject({
      alreadyCached: by['helpdesk-bot']!.prefixedRequests,
      savings: 0,
    });
    expect(r.by).toEqual(['app']);
  });

  it('batch: the nightly eval at half price, with the latency trade-off', () => {
    const r = json<BatchResult>(demo('batch'));
    expect(r.groups.map((g) => g.key.workflow)).toEqual(['nightly-eval']);
    expect(r.groups[0]!.savingsShare).toBe(0.5);
    expect(r.groups[0]!.meanLatencyMs).toBeGreaterThan(1000);
    expect(r.turnaround).toBe('24 h');
  });

  it.each(['routing', 'rag', 'cache', 'batch', 'all'])(
    '%s renders in table, CSV (one header row) and markdown',
    (cmd) => {
      {
        for (const f of ['table', 'csv', 'markdown']) {
          const r = finops(['simulate', cmd, join(DEMO, 'gateway'), '--config', CONFIG, '--format', f]);
          expect(r.code, `${cmd} ${f}: ${r.stderr}`).toBe(0);
          if (f === 'csv') {
            const [head, ...rest] = r.stdout.trim().split('\n');
            expect(head).toMatch(/^[a-z_,]+$/);
            expect(rest.every((l) => !/^(rank|workflow|app),/.test(l))).toBe(true);
          }
          if (f === 'markdown') expect(r.stdout).toMatch(/^## /);
        }
      }
    },
  );
});

describe('finops simulate: small inputs and usage errors', () => {
  const log = [
    // gpt-4o: 1,000,000 × $2.50 + 100,000 × $10 = $3.50; on gpt-4o-mini 0.15 + 0.06 = $0.21.
    JSON.stringify({
      timestamp: '2026-10-01T10:00:00Z',
      provider: 'openai',
      model: 'gpt-4o',
      tokens: { input: 1_000_000, output: 100_000 },
      workflow: 'triage',
    }),
  ].join('\n');

  it('--to-model on stdin, hand-computed', () => {
    const r = json<RoutingResult>(['simulate', 'routing', '-', '--to-model', 'gpt-4o-mini'], log);
    expect(r.totals).toMatchObject({ baselineCost: 3.5, simulatedCost: 0.21, savings: 3.29, routed: 1 });
    expect(r.policy.source).toBe('--to-model');
  });

  it('--policy FILE (a routing: section) wins over finops.yaml', () => {
    const p = write(
      'policy.yaml',
      'routing:\n  tiers: { big: [gpt-4o], small: [gpt-4o-mini] }\n  rules:\n    - { match: { workflow: triage }, tier: small }\n',
    );
    const r = json<RoutingResult>(['simulate', 'routing', '-', '--policy', p], log);
    expect(r.totals.savings).toBe(3.29);
    expect(r.policy.rules).toEqual(['rule 1 → small']);
  });

  it('exits 2 on an unknown model, a missing policy, a bad policy file, bad flags', () => {
    const unknown = finops(['simulate', 'routing', '-', '--to-model', 'gpt-9'], log);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown model "gpt-9"');
    const none = finops(['simulate', 'routing', '-'], log);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no routing policy');
    const bad = write(
      'bad.yaml',
      'routing:\n  tiers: { small: [gpt-4o-mini] }\n  rules:\n    - { match: { workflow: x }, tier: tiny }\n',
    );
    const badRun = finops(['simulate', 'routing', '-', '--policy', bad], log);
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toContain('routing.rules.0.tier: unknown tier "tiny"');
    expect(finops(['simulate', 'batch', '-'], log)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no batch candidates'),
    });
    expect(finops(['simulate', 'rag', '-', '--top-k', '0'], log).code).toBe(2);
    expect(
      finops(['simulate', 'routing', '-', '--retry-share', '150%', '--to-model', 'gpt-4o-mini'], log).code,
    ).toBe(2);
    expect(finops(['simulate', 'all', '-', '--format', 'xml'], log).code).toBe(2);
  });

  it('all without policies applies only caching, and says which levers were left out', () => {
    const r = json<AllResult>(['simulate', 'all', '-'], log);
    expect(r.steps.map((s) => s.applied)).toEqual([false, false, true, false]);
    expect(r.notes.join(' ')).toContain('routing: not applied');
  });
});
