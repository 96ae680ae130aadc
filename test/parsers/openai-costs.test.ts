import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { HEAD_BYTES } from '../../src/io/input.ts';
import { openaiCostsParser as parser } from '../../src/parsers/openai-costs.ts';
import { FOREIGN_HEADS, parseFile, SAMPLES_DIR, sampleFiles, tempFile } from '../helpers/parse.ts';

const dir = join(SAMPLES_DIR, 'openai-costs');
const SPEC = join(dir, 'costs.spec-example.json');
const BY_LINE_ITEM = join(dir, 'costs-by-line-item.json');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  day: r.start.slice(0, 10),
  model: r.modelRaw,
  project: r.dims.project,
  lineItem: r.tags.line_item,
  amount: r.reportedCost?.amount,
});

describe('openai-costs: published spec example (openai-openapi @ f85dbe22)', () => {
  it('reads $0.06, not grouped: a cost-only record for (all models)', async () => {
    const { records, problems } = await parseFile(parser, SPEC);
    expect(problems).toEqual([]);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r).toEqual({
      start: '2024-11-01T00:00:00.000Z',
      end: '2024-11-02T00:00:00.000Z',
      provider: 'openai',
      model: '(all models)',
      modelRaw: '(all models)',
      requests: 0,
      tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 },
      // dollars as stated; currency "usd" upper-cased
      reportedCost: { amount: 0.06, currency: 'USD' },
      dims: {},
      tags: {},
      dedupKey: 'openai-costs:["2024-11-01T00:00:00.000Z","2024-11-02T00:00:00.000Z",null,null,null]',
      source: { file: SPEC, line: 9, format: 'openai-costs' },
    });
    expect(UsageRecordSchema.parse(r)).toEqual(r);
  });
});

describe('openai-costs: grouped by line item and project', () => {
  it('yields one record per result with the model from the line item, amounts in dollars', async () => {
    const { records, problems } = await parseFile(parser, BY_LINE_ITEM);
    expect(problems).toEqual([]);
    // One row per record, as a table.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 9, day: '2025-06-01', model: 'gpt-4o-2024-08-06', project: 'proj_support', lineItem: 'gpt-4o-2024-08-06, input', amount: 2.625 },
      { line: 21, day: '2025-06-01', model: 'gpt-4o-2024-08-06', project: 'proj_support', lineItem: 'gpt-4o-2024-08-06, output', amount: 2.5 },
      { line: 33, day: '2025-06-01', model: 'gpt-4o-mini-2024-07-18', project: 'proj_support', lineItem: 'gpt-4o-mini-2024-07-18, input', amount: 0.12 },
      { line: 45, day: '2025-06-01', model: 'gpt-4o-mini-2024-07-18', project: 'proj_support', lineItem: 'gpt-4o-mini-2024-07-18, output', amount: 0.072 },
      { line: 57, day: '2025-06-01', model: 'gpt-4o-mini-2024-07-18', project: 'proj_research', lineItem: 'gpt-4o-mini-2024-07-18, input', amount: 0.3375 },
      { line: 69, day: '2025-06-01', model: 'gpt-4o-mini-2024-07-18', project: 'proj_research', lineItem: 'gpt-4o-mini-2024-07-18, output', amount: 0.18 },
      { line: 88, day: '2025-06-02', model: 'gpt-4o-2024-08-06', project: 'proj_support', lineItem: 'gpt-4o-2024-08-06, input', amount: 2.1875 },
      { line: 100, day: '2025-06-02', model: 'gpt-4o-2024-08-06', project: 'proj_support', lineItem: 'gpt-4o-2024-08-06, output', amount: 2 },
      // a line item that names no model: kept whole
      { line: 112, day: '2025-06-02', model: 'Image models', project: 'proj_research', lineItem: 'Image models', amount: 0.04 },
    ]);
    const lines = readFileSync(BY_LINE_ITEM, 'utf8').split('\n');
    for (const r of records) {
      expect(lines[r.source.line - 1]!.trim()).toBe('{');
      expect(lines[r.source.line]!.trim()).toBe('"object": "organization.costs.result",');
      expect(r.requests).toBe(0);
      expect(r.tokens).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });
      expect(r.reportedCost?.currency).toBe('USD');
    }
    // 2.625 + 2.5 + 0.12 + 0.072 + 0.3375 + 0.18 + 2.1875 + 2 + 0.04
    expect(records.reduce((n, r) => n + r.reportedCost!.amount, 0)).toBeCloseTo(10.062, 10);
  });
});

describe('openai-costs: dedupKey', () => {
  it('is the same for the same result read from two files, different across groups', async () => {
    const a = await parseFile(parser, BY_LINE_ITEM);
    const text = readFileSync(BY_LINE_ITEM, 'utf8');
    const b = await parseFile(parser, tempFile('copy.jsonl', JSON.stringify(JSON.parse(text)) + '\n'));
    expect(b.records.map((r) => r.dedupKey)).toEqual(a.records.map((r) => r.dedupKey));
    expect(new Set(a.records.map((r) => r.dedupKey)).size).toBe(a.records.length);
    expect(a.records[0]!.dedupKey).toBe(
      'openai-costs:["2025-06-01T00:00:00.000Z","2025-06-02T00:00:00.000Z","gpt-4o-2024-08-06, input","proj_support",null]',
    );
  });
});

describe('openai-costs: bad input', () => {
  it('reports bad amounts and buckets at their lines', async () => {
    const res = (value: unknown, extra: object = {}) => ({
      object: 'organization.costs.result',
      amount: { value, currency: 'usd' },
      line_item: null,
      project_id: null,
      ...extra,
    });
    const text = [
      JSON.stringify({
        object: 'page',
        data: [
          {
            start_time: 1748736000,
            end_time: 1748822400,
            results: [
              res(1.5),
              res('12.25'),
              res('n/a'),
              res(null),
              res(1, { amount: 5 }),
              res(2, { object: 'organization.usage.completions.result' }),
            ],
          },
        ],
      }),
      JSON.stringify({ object: 'page', data: [{ start_time: 'yesterday', results: [res(1)] }] }),
      'not json',
    ].join('\n');
    const file = tempFile('bad-costs.jsonl', text);
    const { records, problems } = await parseFile(parser, file);
    expect(records.map((r) => r.reportedCost)).toEqual([
      { amount: 1.5, currency: 'USD' },
      { amount: 12.25, currency: 'USD' },
    ]);
    expect(problems).toEqual([
      { file, line: 1, reason: 'amount.value is not a number: "n/a"' },
      { file, line: 1, reason: 'amount.value is not a number: null' },
      { file, line: 1, reason: 'result has no "amount" object' },
      {
        file,
        line: 1,
        reason:
          'unsupported result type "organization.usage.completions.result" (expected organization.costs.result)',
      },
      { file, line: 2, reason: `start_time is not a valid time: "yesterday"; the bucket's 1 result skipped` },
      { file, line: 3, reason: 'not JSON: "not json"' },
    ]);
  });
});

describe('openai-costs: detection', () => {
  it('claims its own samples (≥ 0.9) and no other format (< 0.5)', () => {
    const files = sampleFiles();
    expect(files.filter((f) => f.format === 'openai-costs')).toHaveLength(2);
    for (const f of files) {
      const head = readFileSync(f.path).subarray(0, HEAD_BYTES).toString('utf8');
      const score = parser.detect(head, f.path);
      if (f.format === 'openai-costs') expect(score, f.path).toBeGreaterThanOrEqual(0.9);
      else expect(score, f.path).toBeLessThan(0.5);
    }
    for (const [format, head] of Object.entries(FOREIGN_HEADS))
      expect(parser.detect(head, 'x.jsonl'), format).toBeLessThan(0.5);
  });
});
