import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { HEAD_BYTES } from '../../src/io/input.ts';
import { anthropicCostParser as parser, centsToDollars } from '../../src/parsers/anthropic-cost.ts';
import { RowError } from '../../src/parsers/util.ts';
import { FOREIGN_HEADS, parseFile, SAMPLES_DIR, sampleFiles, tempFile } from '../helpers/parse.ts';

// The samples are written from the published schema of GET /v1/organizations/cost_report (Anthropic API
// reference: "amount: Cost amount in lowest currency units (e.g. cents) as a decimal string"), not copied from a
// real export.
const dir = join(SAMPLES_DIR, 'anthropic-cost');
const REPORT = join(dir, 'cost-report.json');
const UNGROUPED = join(dir, 'cost-report-ungrouped.jsonl');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  day: r.start.slice(0, 10),
  model: r.modelRaw,
  project: r.dims.project,
  costType: r.tags.cost_type,
  tokenType: r.tags.token_type,
  dollars: r.reportedCost?.amount,
});

describe('centsToDollars', () => {
  it('moves the decimal point two places: "123.45" cents is $1.2345', () => {
    expect(centsToDollars('123.45')).toBe(1.2345);
    expect(centsToDollars('750.00')).toBe(7.5);
    expect(centsToDollars('10')).toBe(0.1);
    expect(centsToDollars('5')).toBe(0.05);
    expect(centsToDollars('0.6')).toBe(0.006);
    expect(centsToDollars('0.006')).toBe(0.00006);
    expect(centsToDollars('.5')).toBe(0.005);
    expect(centsToDollars('300.000000')).toBe(3);
    expect(centsToDollars('-250')).toBe(-2.5); // a credit
    expect(centsToDollars('0')).toBe(0);
    expect(centsToDollars(' 42 ')).toBe(0.42);
    expect(centsToDollars(1234.5)).toBe(12.345);
    expect(centsToDollars(1e-7)).toBe(1e-9);
    expect(centsToDollars('1e3')).toBe(10);
    expect(Object.is(centsToDollars('-0.0'), 0)).toBe(true);
  });

  it('gives the double nearest the exact dollars where dividing by 100 would not', () => {
    // 0.07 / 100 = 0.0007000000000000001 in binary floating point; the string shift gives 0.0007.
    expect(0.07 / 100).not.toBe(0.0007);
    expect(centsToDollars('0.07')).toBe(0.0007);
  });

  it('throws a RowError for what is not a decimal number', () => {
    for (const bad of ['', '.', '-', 'abc', '1,5', 'e3', '12.3.4', null, undefined, {}, Number.NaN]) {
      expect(() => centsToDollars(bad), JSON.stringify(bad)).toThrow(RowError);
    }
    expect(() => centsToDollars('n/a')).toThrow('amount is not a number: "n/a"');
  });
});

describe('anthropic-cost: cost report grouped by workspace and description', () => {
  it('yields cost-only records in dollars, on the line of each result', async () => {
    const { records, problems } = await parseFile(parser, REPORT);
    expect(problems).toEqual([]);
    const WS = 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ';
    const S4 = 'claude-sonnet-4-20250514';
    // One row per record, as a table.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 6, day: '2025-08-01', model: S4, project: WS, costType: 'tokens', tokenType: 'uncached_input_tokens', dollars: 1.2345 },
      { line: 17, day: '2025-08-01', model: S4, project: WS, costType: 'tokens', tokenType: 'output_tokens', dollars: 7.5 },
      { line: 28, day: '2025-08-01', model: S4, project: WS, costType: 'tokens', tokenType: 'cache_creation.ephemeral_1h_input_tokens', dollars: 0.006 },
      { line: 39, day: '2025-08-01', model: S4, project: WS, costType: 'tokens', tokenType: 'cache_creation.ephemeral_5m_input_tokens', dollars: 0.001875 },
      { line: 50, day: '2025-08-01', model: S4, project: WS, costType: 'tokens', tokenType: 'cache_read_input_tokens', dollars: 0.00006 },
      // non-token costs name no model
      { line: 61, day: '2025-08-01', model: '(all models)', project: WS, costType: 'web_search', tokenType: undefined, dollars: 0.1 },
      { line: 72, day: '2025-08-01', model: '(all models)', project: WS, costType: 'code_execution', tokenType: undefined, dollars: 0.05 },
      // default workspace: workspace_id null → no project
      { line: 89, day: '2025-08-02', model: 'claude-opus-4-1-20250805', project: undefined, costType: 'tokens', tokenType: 'output_tokens', dollars: 3 },
    ]);
    const lines = readFileSync(REPORT, 'utf8').split('\n');
    for (const r of records) {
      expect(lines[r.source.line - 1]!.trim()).toBe('{');
      expect(lines[r.source.line]!.trim()).toMatch(/^"amount": "/);
      expect(r.requests).toBe(0);
      expect(r.tokens).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });
      expect(r.reportedCost?.currency).toBe('USD');
      expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    }
    expect(records[0]).toMatchObject({
      start: '2025-08-01T00:00:00.000Z',
      end: '2025-08-02T00:00:00.000Z',
      provider: 'anthropic',
      model: S4,
      serviceTier: 'standard',
      tags: {
        description: 'Claude Sonnet 4 Usage - Input Tokens',
        cost_type: 'tokens',
        token_type: 'uncached_input_tokens',
        context_window: '0-200k',
      },
      source: { file: REPORT, line: 6, format: 'anthropic-cost' },
    });
  });

  it('reads an ungrouped export: one (all models) amount a day', async () => {
    const { records, problems } = await parseFile(parser, UNGROUPED);
    expect(problems).toEqual([]);
    // One row per record, as a table.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 1, day: '2025-08-01', model: '(all models)', project: undefined, costType: undefined, tokenType: undefined, dollars: 12.345 },
      { line: 2, day: '2025-08-02', model: '(all models)', project: undefined, costType: undefined, tokenType: undefined, dollars: 10.5 },
    ]);
  });
});

describe('anthropic-cost: dedupKey', () => {
  it('is the same for the same result read from two files, different across groups', async () => {
    const a = await parseFile(parser, REPORT);
    const compact = JSON.stringify(JSON.parse(readFileSync(REPORT, 'utf8')));
    const b = await parseFile(parser, tempFile('copy.jsonl', compact + '\n'));
    expect(b.records.map((r) => r.dedupKey)).toEqual(a.records.map((r) => r.dedupKey));
    expect(new Set(a.records.map((r) => r.dedupKey)).size).toBe(a.records.length);
  });
});

describe('anthropic-cost: bad input', () => {
  it('reports amounts that are not numbers and buckets without a start, at their lines', async () => {
    const res = (amount: unknown) => ({
      amount,
      currency: 'USD',
      cost_type: 'tokens',
      description: 'x',
      model: 'claude-sonnet-4-20250514',
      token_type: 'output_tokens',
      workspace_id: null,
    });
    const page = {
      data: [
        {
          starting_at: '2025-08-01T00:00:00Z',
          ending_at: '2025-08-02T00:00:00Z',
          results: [res('100'), res('1,5'), res(null)],
        },
        { ending_at: '2025-08-03T00:00:00Z', results: [res('1')] },
      ],
    };
    const text = JSON.stringify(page, null, 2);
    const file = tempFile('bad-cost.json', text);
    const { records, problems } = await parseFile(parser, file);
    expect(records.map((r) => r.reportedCost?.amount)).toEqual([1]);
    const lines = text.split('\n');
    const results = lines.flatMap((l, i) => (l === '        {' ? [i + 1] : []));
    const buckets = lines.flatMap((l, i) => (l === '    {' ? [i + 1] : []));
    expect(problems).toEqual([
      { file, line: results[1], reason: 'amount is not a number: "1,5"' },
      { file, line: results[2], reason: 'amount is not a number: null' },
      { file, line: buckets[1], reason: `no starting_at; the bucket's 1 result skipped` },
    ]);
  });
});

describe('anthropic-cost: detection', () => {
  it('claims its own samples (≥ 0.9) and no other format (< 0.5)', () => {
    const files = sampleFiles();
    expect(files.filter((f) => f.format === 'anthropic-cost')).toHaveLength(2);
    for (const f of files) {
      const head = readFileSync(f.path).subarray(0, HEAD_BYTES).toString('utf8');
      const score = parser.detect(head, f.path);
      if (f.format === 'anthropic-cost') expect(score, f.path).toBeGreaterThanOrEqual(0.9);
      else expect(score, f.path).toBeLessThan(0.5);
    }
    for (const [format, head] of Object.entries(FOREIGN_HEADS))
      expect(parser.detect(head, 'x.jsonl'), format).toBeLessThan(0.5);
  });

  it('recognises a result holding only an amount and a currency', () => {
    const head =
      '{"data":[{"starting_at":"2025-08-01T00:00:00Z","results":[{"amount":"12.5","currency":"USD"}]}]}';
    expect(parser.detect(head, 'x.json')).toBeGreaterThanOrEqual(0.5);
  });
});
