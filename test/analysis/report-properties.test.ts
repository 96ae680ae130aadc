import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport, type Report } from '../../src/analysis/report.ts';
import type { GroupDim } from '../../src/analysis/aggregate.ts';
import { parseConfig } from '../../src/config/load.ts';
import { loadPriceBook } from '../../src/pricing/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'finops-prop-'));
const book = await loadPriceBook({ importedPath: null });
const config = parseConfig(
  'attribution:\n  rules:\n    - match: { model: "claude-*" }\n      set: { app: writer }\n',
  'f.yaml',
);
let fileNo = 0;

const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1'],
  ['openai', 'o3'], // priced differently before and after 2025-06-10
  ['anthropic', 'claude-sonnet-4-5'], // long-context tier above 200k
  ['anthropic', 'claude-haiku-4-5'],
  ['self-hosted', 'mystery-model'], // unpriced
] as const;

const recordArb = fc.record({
  model: fc.integer({ min: 0, max: MODELS.length - 1 }),
  day: fc.integer({ min: 0, max: 400 }),
  input: fc.integer({ min: 0, max: 300_000 }),
  cacheRead: fc.integer({ min: 0, max: 50_000 }),
  output: fc.integer({ min: 0, max: 20_000 }),
  team: fc.constantFrom('a', 'b', 'c', undefined),
  batch: fc.boolean(),
});
type Rec = typeof recordArb extends fc.Arbitrary<infer T> ? T : never;

function toLine(r: Rec, i: number): string {
  const [provider, model] = MODELS[r.model]!;
  return JSON.stringify({
    timestamp: new Date(Date.UTC(2025, 4, 1) + r.day * 86_400_000 + i * 1000).toISOString(),
    provider,
    model,
    tokens: { input: r.input, cache_read: r.cacheRead, output: r.output },
    team: r.team,
    service_tier: r.batch ? 'batch' : undefined,
    request_id: `r${i}`,
  });
}

function writeFile(lines: string[]): string {
  const p = join(dir, `f${fileNo++}.jsonl`);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

async function report(paths: string[], by: GroupDim[]): Promise<Report> {
  return buildReport({ paths, by, tz: 'UTC', filters: [], config, book });
}

/** The parts of a report that must not depend on how the input was laid out. */
function essence(r: Report) {
  return { totals: r.totals, groups: r.groups, unpriced: r.unpriced, period: r.period };
}

describe('report invariants (fast-check)', () => {
  it('order of rows and splitting into files change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 4 }),
        async (recs, shuffleSeed, parts) => {
          const lines = recs.map(toLine);
          const base = await report([writeFile(lines)], ['team', 'model']);
          // Shuffle deterministically, then split into `parts` files.
          const shuffled = lines
            .map((l, i) => ({ l, k: (i * 7919 + shuffleSeed * 104729) % 1_000_003 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.l);
          const size = Math.ceil(shuffled.length / parts);
          const files: string[] = [];
          for (let i = 0; i < shuffled.length; i += size) files.push(writeFile(shuffled.slice(i, i + size)));
          const split = await report(files, ['team', 'model']);
          expect(essence(split)).toEqual(essence(base));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('groups add up to the totals under any grouping, and a duplicated file changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 40 }),
        fc.constantFrom<GroupDim[]>(['team'], ['model'], ['provider', 'month'], ['app', 'day']),
        async (recs, by) => {
          const file = writeFile(recs.map(toLine));
          const r = await report([file], by);
          const sum = (f: (g: Report['groups'][number]) => number) => r.groups.reduce((s, g) => s + f(g), 0);
          expect(sum((g) => g.requests)).toBe(r.totals.requests);
          for (const k of ['input', 'cacheRead', 'cacheWrite', 'output'] as const)
            expect(sum((g) => g.tokens[k])).toBe(r.totals.tokens[k]);
          expect(sum((g) => g.cost)).toBeCloseTo(r.totals.cost, 5);
          expect(sum((g) => g.unpricedRequests)).toBe(r.totals.unpricedRequests);
          // Cost does not depend on the grouping.
          const byTeam = await report([file], ['team']);
          expect(byTeam.totals.cost).toBeCloseTo(r.totals.cost, 6);
          // The same file twice: every row is a duplicate, the totals are unchanged.
          const twice = await report([file, file], by);
          expect(twice.totals).toEqual(r.totals);
          expect(twice.problems.duplicates).toBe(recs.length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a row of an unknown model is unpriced: its tokens are counted, its cost is not', async () => {
    const lines = [
      toLine({ model: 5, day: 10, input: 1000, cacheRead: 0, output: 10, team: 'a', batch: false }, 1),
      toLine({ model: 0, day: 10, input: 1_000_000, cacheRead: 0, output: 0, team: 'a', batch: false }, 2),
    ];
    const r = await report([writeFile(lines)], ['team']);
    // gpt-4o-mini: 1M input at $0.15.
    expect(r.totals.cost).toBe(0.15);
    expect(r.totals.tokens.input).toBe(1_001_000);
    expect(r.unpriced).toEqual([
      {
        provider: 'self-hosted',
        model: 'mystery-model',
        reason: 'unknown model',
        requests: 1,
        tokens: { input: 1000, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 10, reasoning: 0 },
      },
    ]);
    expect(r.groups[0]!.unpricedRequests).toBe(1);
  });

  it('prices each record at the rate in force on its date', async () => {
    // o3: $10/$40 until 2025-06-09, $2/$8 from 2025-06-10. 1M input + 1M output on each side of the cut.
    const lines = [
      JSON.stringify({
        timestamp: '2025-06-09T23:59:59Z',
        provider: 'openai',
        model: 'o3-2025-04-16',
        tokens: { input: 1e6, output: 1e6 },
      }),
      JSON.stringify({
        timestamp: '2025-06-10T00:00:00Z',
        provider: 'openai',
        model: 'o3-2025-04-16',
        tokens: { input: 1e6, output: 1e6 },
      }),
    ];
    const r = await report([writeFile(lines)], ['day']);
    expect(r.groups.map((g) => [g.key.day, g.cost])).toEqual([
      ['2025-06-09', 50],
      ['2025-06-10', 10],
    ]);
  });

  it('applies the long-context tier per request, not per group', async () => {
    // claude-sonnet-4-5: $3/$15 up to 200k prompt tokens; $6/$22.50 for the whole request above.
    const lines = [
      JSON.stringify({
        timestamp: '2026-10-01T00:00:00Z',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        tokens: { input: 200_000, output: 1000 },
      }),
      JSON.stringify({
        timestamp: '2026-10-01T00:00:01Z',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        tokens: { input: 200_001, output: 1000 },
      }),
    ];
    const r = await report([writeFile(lines)], ['model']);
    // 200,000×3 + 1,000×15 = 615,000; 200,001×6 + 1,000×22.5 = 1,222,506  → (615,000 + 1,222,506) / 1e6
    expect(r.totals.cost).toBeCloseTo(1.837506, 9);
  });
});

describe('long-context tier without a request count', () => {
  it('uses base rates unless the source states long context', async () => {
    // Anthropic usage report rows: a day's tokens, no request count. 300,000 uncached input tokens of
    // claude-sonnet-4-5 at $3/M = $0.90 as "0-200k"; at the >200k rate $6/M = $1.80 as "200k-1M".
    const page = (cw: string) =>
      JSON.stringify({
        data: [
          {
            starting_at: '2026-10-01T00:00:00Z',
            ending_at: '2026-10-02T00:00:00Z',
            results: [
              {
                uncached_input_tokens: 300_000,
                cache_read_input_tokens: 0,
                cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
                output_tokens: 0,
                model: 'claude-sonnet-4-5-20250929',
                context_window: cw,
                workspace_id: cw,
              },
            ],
          },
        ],
        has_more: false,
      });
    const short = join(dir, `cw-short-${fileNo++}.json`);
    writeFileSync(short, page('0-200k'));
    const long = join(dir, `cw-long-${fileNo++}.json`);
    writeFileSync(long, page('200k-1M'));
    expect((await report([short], ['model'])).totals.cost).toBeCloseTo(0.9, 9);
    expect((await report([long], ['model'])).totals.cost).toBeCloseTo(1.8, 9);
  });
});
