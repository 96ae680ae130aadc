import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Reconciler } from '../../src/analysis/reconcile.ts';
import { buildReport } from '../../src/analysis/report.ts';
import { parseConfig } from '../../src/config/load.ts';
import { stringMap, type UsageRecord } from '../../src/core/record.ts';
import { parseJsonLines } from '../../src/parsers/json-lines.ts';
import type { Parser } from '../../src/parsers/types.ts';
import { rec } from '../../src/parsers/util.ts';
import { scanUsage, type ScanOptions } from '../../src/pipeline/scan.ts';
import { loadPriceBook } from '../../src/pricing/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'finops-rec-'));
const book = await loadPriceBook({ importedPath: null });
const config = parseConfig('', 'f.yaml');
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const req = (day: string, model: string, input: number, id?: string) =>
  JSON.stringify({
    timestamp: `${day}T12:00:00Z`,
    provider: 'openai',
    model,
    tokens: { input, output: 0 },
    request_id: id,
  });
const costPage = (rows: [string, number, string][]) =>
  JSON.stringify({
    object: 'page',
    data: rows.map(([day, value, item]) => ({
      object: 'bucket',
      start_time: Date.parse(`${day}T00:00:00Z`) / 1000,
      end_time: Date.parse(`${day}T00:00:00Z`) / 1000 + 86400,
      results: [
        {
          object: 'organization.costs.result',
          amount: { value, currency: 'usd' },
          line_item: item,
          project_id: 'p',
        },
      ],
    })),
    has_more: false,
  });

async function reconcile(paths: string[]) {
  const opts: ScanOptions = { paths, tz: 'UTC', filters: [], config, book };
  const r = new Reconciler('UTC');
  return r.result(await scanUsage(opts, (p) => r.add(p)), book);
}

describe('reconcile', () => {
  it('compares computed and billed per day × provider × model, and names the likely cause', async () => {
    const usage = file(
      'usage.jsonl',
      [
        // 1M gpt-4o-mini input tokens = $0.15 on each of three days; day 3 logged twice without ids.
        req('2026-10-01', 'gpt-4o-mini', 1_000_000),
        req('2026-10-02', 'gpt-4o-mini', 1_000_000),
        req('2026-10-03', 'gpt-4o-mini', 1_000_000),
        req('2026-10-03', 'gpt-4o-mini', 1_000_000),
        req('2026-10-04', 'mystery-model', 1000),
        req('2026-10-05', 'gpt-4o-mini', 1_000_000),
      ].join('\n'),
    );
    const costs = file(
      'costs.json',
      costPage([
        ['2026-10-01', 0.15, 'gpt-4o-mini-2024-07-18, input'], // matches
        ['2026-10-02', 0.3, 'gpt-4o-mini-2024-07-18, input'], // billed twice the list price
        ['2026-10-03', 0.15, 'gpt-4o-mini-2024-07-18, input'], // usage read twice
        ['2026-10-04', 0.05, 'mystery-model, input'], // no price for the model
        ['2026-10-06', 0.2, 'gpt-4.1, input'], // billed, no usage
      ]),
    );
    const r = await reconcile([usage, costs]);
    const line = (day: string, model: string) => r.rows.find((x) => x.period === day && x.model === model)!;
    expect(line('2026-10-01', 'gpt-4o-mini')).toMatchObject({
      computed: 0.15,
      reported: 0.15,
      difference: 0,
      status: 'ok',
      cause: null,
    });
    expect(line('2026-10-02', 'gpt-4o-mini')).toMatchObject({
      computed: 0.15,
      reported: 0.3,
      difference: -0.15,
      share: -0.5,
      status: 'under',
    });
    expect(line('2026-10-02', 'gpt-4o-mini').cause).toMatch(/no cache tokens/);
    expect(line('2026-10-03', 'gpt-4o-mini')).toMatchObject({
      computed: 0.3,
      reported: 0.15,
      difference: 0.15,
      share: 1,
      status: 'over',
    });
    expect(line('2026-10-03', 'gpt-4o-mini').cause).toMatch(/twice/);
    expect(line('2026-10-04', 'mystery-model')).toMatchObject({
      computed: 0,
      reported: 0.05,
      status: 'under',
    });
    expect(line('2026-10-04', 'mystery-model').cause).toMatch(/no price/);
    expect(line('2026-10-05', 'gpt-4o-mini')).toMatchObject({
      computed: 0.15,
      reported: null,
      difference: null,
      status: 'no-bill',
      cause: null,
    });
    expect(line('2026-10-06', 'gpt-4.1')).toMatchObject({ computed: 0, reported: 0.2, status: 'no-usage' });
    // Totals: computed 0.15×5 = 0.75; billed 0.85; difference only over billed lines: (0.15+0.15+0.30+0) − 0.85 = −0.25.
    expect(r.totals).toEqual({ computed: 0.75, reported: 0.85, difference: -0.25, lines: 6, mismatched: 4 });
  });

  it('a tolerance of max($0.01, 1 %) absorbs rounding in the bill', async () => {
    const usage = file('u2.jsonl', req('2026-10-01', 'gpt-4o-mini', 1_000_000));
    const costs = file('c2.json', costPage([['2026-10-01', 0.159, 'gpt-4o-mini, input']]));
    const r = await reconcile([usage, costs]);
    expect(r.rows[0]).toMatchObject({ status: 'ok', difference: -0.009 });
  });
});

// A bill-like format for the join test: one JSON line per bill row, marked fromBill.
const billParser: Parser = {
  id: 'test-bill',
  title: 'test bill',
  detection: '"bill": true',
  origin: 'tests',
  detect: (head) => (head.includes('"bill":true') ? 0.99 : 0),
  parse: (input) =>
    parseJsonLines(input, {
      line(o, line, out) {
        const r: UsageRecord = {
          start: `${o.day as string}T00:00:00.000Z`,
          provider: 'openai',
          model: o.model as string,
          modelRaw: o.model as string,
          requests: 0,
          tokens: { input: o.input as number, cacheRead: 0, cacheWrite: 0, output: 0 },
          reportedCost: { amount: o.cost as number, currency: 'USD' },
          fromBill: true,
          dims: {},
          tags: stringMap(),
          source: { file: input.name, line, format: 'test-bill' },
        };
        out.push(rec(r));
      },
    }),
};

describe('bills joined with usage', () => {
  it("counts a bill's tokens only where no usage source covers the same provider, model and day", async () => {
    const usage = file('u3.jsonl', req('2026-10-01', 'gpt-4o-mini', 1_000_000));
    const bill = file(
      'bill.jsonl',
      [
        JSON.stringify({ bill: true, day: '2026-10-01', model: 'gpt-4o-mini', input: 1_000_000, cost: 0.15 }),
        JSON.stringify({ bill: true, day: '2026-10-02', model: 'gpt-4o-mini', input: 2_000_000, cost: 0.3 }),
      ].join('\n'),
    );
    const report = await buildReport({
      paths: [usage, bill],
      tz: 'UTC',
      filters: [],
      config,
      book,
      parsers: [billParser],
      by: ['day'],
    });
    // Day 1: usage 1M (the bill's 1M is the same spend); day 2: only the bill, 2M.
    expect(report.totals.tokens.input).toBe(3_000_000);
    expect(report.totals.cost).toBeCloseTo(0.45, 9);
    expect(report.totals.reportedCost).toBeCloseTo(0.45, 9);
    expect(report.groups.map((g) => [g.key.day, g.tokens.input, g.cost, g.reportedCost])).toEqual([
      ['2026-10-01', 1_000_000, 0.15, 0.15],
      ['2026-10-02', 2_000_000, 0.3, 0.3],
    ]);
    expect(report.notes.join(' ')).toContain('1 bill row(s) cover the same provider, model and day');
  });
});
