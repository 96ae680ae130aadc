import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import {
  EMPTY_DAY,
  openaiConsoleCsvParser as parser,
  USAGE_GROUP_FIELDS,
} from '../../src/parsers/openai-console-csv.ts';
import { openaiCostsParser } from '../../src/parsers/openai-costs.ts';
import { openaiUsageParser } from '../../src/parsers/openai-usage.ts';
import { reportDedupKey } from '../../src/parsers/report-pages.ts';
import { emptyStats, readRecords } from '../../src/pipeline/read.ts';
import {
  collect,
  FOREIGN_HEADS,
  memInput,
  parseFile,
  SAMPLES_DIR,
  sampleFiles,
  SHARED_DATA,
  tempFile,
} from '../helpers/parse.ts';

// No real download could be shipped: the samples carry the real headers (see the folder's README.md) with
// invented rows, written as the dashboard writes them (float counts, True/False, empty days).
const dir = join(SAMPLES_DIR, 'openai-console-csv');
const USAGE = join(dir, 'completions_usage_2025-10-05_2025-10-08.csv');
const COST = join(dir, 'cost_2025-10-05_2025-10-08.csv');
const COST_OLD = join(dir, 'cost_2025-10-01_2025-10-04.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  day: r.start.slice(0, 10),
  model: r.modelRaw,
  tier: r.serviceTier,
  project: r.dims.project,
  requests: r.requests,
  ...r.tokens,
});

describe('openai-console-csv: detection', () => {
  it('claims its own samples with ≥ 0.9', async () => {
    for (const f of [USAGE, COST, COST_OLD]) {
      const { head } = await openInput(f);
      expect(parser.detect(head, f), f).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('claims no other sample, no shared OpenAI file and no foreign head (< 0.5)', async () => {
    for (const s of sampleFiles().filter((x) => x.format !== 'openai-console-csv')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    const shared = join(SHARED_DATA, 'openai');
    for (const f of readdirSync(shared).filter((n) => n.endsWith('.json'))) {
      expect(parser.detect(readFileSync(join(shared, f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    for (const [name, head] of Object.entries(FOREIGN_HEADS)) expect(parser.detect(head, 'x'), name).toBe(0);
    expect(parser.detect('start_time,end_time,foo\n1,2,3\n', 'x')).toBe(0);
  });
});

describe('openai-console-csv: usage download (Activity → Export)', () => {
  it('reads float counts and True/False, makes input disjoint, and skips empty days (hand-computed)', async () => {
    const { records, problems, ignored } = await parseFile(parser, USAGE);
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // 1,200,000 input = 900,000 uncached + 300,000 cached
      { line: 2, day: '2025-10-05', model: 'gpt-4o-2024-08-06', tier: 'standard', project: 'proj_support', requests: 120, input: 900_000, cacheRead: 300_000, cacheWrite: 0, output: 250_000 },
      // batch True wins over service_tier "default"
      { line: 3, day: '2025-10-05', model: 'gpt-4o-mini-2024-07-18', tier: 'batch', project: 'proj_research', requests: 4000, input: 4_000_000, cacheRead: 1_000_000, cacheWrite: 0, output: 600_000 },
      { line: 4, day: '2025-10-06', model: 'gpt-4o-2024-08-06', tier: 'standard', project: 'proj_support', requests: 800, input: 750_000, cacheRead: 250_000, cacheWrite: 0, output: 200_000 },
      { line: 5, day: '2025-10-06', model: 'o3-mini-2025-01-31', tier: 'flex', project: 'proj_research', requests: 100, input: 400_000, cacheRead: 0, cacheWrite: 0, output: 300_000 },
      { line: 7, day: '2025-10-08', model: 'gpt-4o-mini-2024-07-18', tier: 'standard', project: 'proj_support', requests: 2500, input: 800_000, cacheRead: 0, cacheWrite: 0, output: 120_000 },
    ]);
    expect(ignored).toEqual([{ file: USAGE, line: 6, reason: EMPTY_DAY }]);
    for (const r of records) expect(UsageRecordSchema.parse(r)).toEqual(r);
    expect(records[2]).toMatchObject({
      start: '2025-10-06T00:00:00.000Z',
      end: '2025-10-07T00:00:00.000Z',
      provider: 'openai',
      operation: 'chat',
      dims: { project: 'proj_support', apiKey: 'key_Sup0rtB0t2025a', user: 'user-q3Lm8RtZ0aVb' },
      // audio input is a part of input_tokens: a tag, as the API parser keeps it
      tags: { input_audio_tokens: '1200' },
      source: { file: USAGE, line: 4, format: 'openai-console-csv' },
    });
  });

  it('subtracts cache writes too, checks the uncached column adds up, and names bad cells', async () => {
    const csv = [
      'start_time,end_time,model,num_model_requests,input_tokens,input_cached_tokens,input_cache_write_tokens,input_uncached_tokens,output_tokens,batch',
      '1759622400,1759708800,gpt-4o,1,1000,400,100,500,50,FALSE', // 1,000 = 500 + 400 + 100
      '1759622400,1759708800,gpt-4o,1,1000,400,100,,50,true', // uncached derived: 1,000 − 400 − 100
      '1759622400,1759708800,gpt-4o,1,1000,400,100,499,50,', // does not add up
      '1759622400,1759708800,gpt-4o,1,12.5,0,0,12.5,1,',
      '1759622400,1759708800,gpt-4o,1,10,0,0,10,-1,',
      '1759622400,1759708800,gpt-4o,1,10,0,0,10,1,maybe',
      ',,gpt-4o,1,10,0,0,10,1,',
    ].join('\n');
    const { records, problems } = await collect(
      parser,
      memInput('completions_usage_x.csv', Buffer.from(csv)),
    );
    expect(records.map((r) => [r.tokens, r.serviceTier])).toEqual([
      [{ input: 500, cacheRead: 400, cacheWrite: 100, output: 50 }, undefined],
      [{ input: 500, cacheRead: 400, cacheWrite: 100, output: 50 }, 'batch'],
    ]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [
        4,
        'input_uncached_tokens + input_cached_tokens + input_cache_write_tokens (999) is not input_tokens (1000)',
      ],
      [5, 'input_tokens is not a whole number: "12.5"'],
      [6, 'output_tokens is negative: -1'],
      [7, 'batch is not true or false: "maybe"'],
      [8, 'no start_time'],
    ]);
  });

  it('reads an embeddings usage download as input-only, by its file name', async () => {
    const csv =
      'start_time,end_time,model,num_model_requests,input_tokens\n1759622400,1759708800,text-embedding-3-small,600.0,3000000.0\n';
    const { records } = await collect(
      parser,
      memInput('/tmp/embeddings_usage_2025-10-05_2025-10-06.csv', Buffer.from(csv)),
    );
    expect(records[0]).toMatchObject({
      operation: 'embeddings',
      requests: 600,
      tokens: { input: 3_000_000, cacheRead: 0, cacheWrite: 0, output: 0 },
    });
    expect(records[0]!.dedupKey).toContain('"organization.usage.embeddings.result"');
  });

  it('reads each row from its own cells, whatever the rows before held (times, tier, counts, key)', async () => {
    const head =
      'start_time,end_time,project_id,user_id,api_key_id,model,batch,service_tier,num_model_requests,' +
      'input_tokens,output_tokens,input_cached_tokens,input_audio_tokens\n';
    const rows = [
      '1759622400,1759708800,p1,u1,k1,gpt-4o,False,Default,1.0,10.0,1.0,0.0,0.0',
      '1759708800,1759795200,p1,u1,k1,gpt-4o,True,default,2.0,20.0,2.0,5.0,3.0',
      '1759622400,1759708800,"p""2",u\\2,k-é,gpt-4o-mini,false,flex,3,30,3,0,0',
      'yesterday,1759708800,p1,u1,k1,gpt-4o,false,default,1,10,1,0,0',
      '1759622400,,p1,,,gpt-4o,TRUE,Priority,4,40.00,4.,0,0',
      '1759622400,1759708800,p1,u1,k1,gpt-4o,1,flex,5,5.5,1,0,0',
      '1759622400,1759708800,p1,u1,k1,gpt-4o,0,flex,6,60,-6,0,0',
      '1759622400,1759708800,p1,u1,k1,,yes,flex,7,70,7,0,0',
      '1759622400,1759708800,p1,u1,k1,gpt-4o,,FLEX,0008,80,8,0,0',
    ];
    const { records, problems } = await collect(
      parser,
      memInput('completions_usage_x.csv', Buffer.from(head + rows.join('\n') + '\n')),
    );
    expect(records.map((r) => [r.source.line, r.start, r.end, r.serviceTier, r.requests, r.tokens])).toEqual([
      [
        2,
        '2025-10-05T00:00:00.000Z',
        '2025-10-06T00:00:00.000Z',
        'standard',
        1,
        { input: 10, cacheRead: 0, cacheWrite: 0, output: 1 },
      ],
      [
        3,
        '2025-10-06T00:00:00.000Z',
        '2025-10-07T00:00:00.000Z',
        'batch',
        2,
        { input: 15, cacheRead: 5, cacheWrite: 0, output: 2 },
      ],
      [
        4,
        '2025-10-05T00:00:00.000Z',
        '2025-10-06T00:00:00.000Z',
        'flex',
        3,
        { input: 30, cacheRead: 0, cacheWrite: 0, output: 3 },
      ],
      [
        6,
        '2025-10-05T00:00:00.000Z',
        undefined,
        'batch',
        4,
        { input: 40, cacheRead: 0, cacheWrite: 0, output: 4 },
      ],
      [
        10,
        '2025-10-05T00:00:00.000Z',
        '2025-10-06T00:00:00.000Z',
        'flex',
        8,
        { input: 80, cacheRead: 0, cacheWrite: 0, output: 8 },
      ],
    ]);
    expect(records.map((r) => r.tags.input_audio_tokens)).toEqual([
      undefined,
      '3',
      undefined,
      undefined,
      undefined,
    ]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [5, 'start_time is not a valid time: "yesterday"'],
      [7, 'input_tokens is not a whole number: "5.5"'],
      [8, 'output_tokens is negative: -6'],
      [9, 'batch is not true or false: "yes"'],
    ]);
    // Each key is the one reportDedupKey (the Usage API parser's) gives the row's bucket and group-by values.
    const values: [
      string | null,
      string | null,
      string | null,
      string | null,
      boolean | null,
      string | null,
    ][] = [
      ['p1', 'u1', 'k1', 'gpt-4o', false, 'Default'],
      ['p1', 'u1', 'k1', 'gpt-4o', true, 'default'],
      ['p"2', 'u\\2', 'k-é', 'gpt-4o-mini', false, 'flex'],
      ['p1', null, null, 'gpt-4o', true, 'Priority'],
      ['p1', 'u1', 'k1', 'gpt-4o', null, 'FLEX'],
    ];
    expect(records.map((r) => r.dedupKey)).toEqual(
      records.map((r, i) => {
        const [project_id, user_id, api_key_id, model, batch, service_tier] = values[i]!;
        const result = {
          object: 'organization.usage.completions.result',
          project_id,
          user_id,
          api_key_id,
          model,
          batch,
          service_tier,
          api_source: null,
          source: null,
          size: null,
        };
        const bucket = r.end === undefined ? { start: r.start } : { start: r.start, end: r.end };
        return reportDedupKey('openai-usage', bucket, result, USAGE_GROUP_FIELDS);
      }),
    );
  });

  it('reads counts as the pattern ^\\d+(\\.0*)?$ does', async () => {
    const cells = [
      '0',
      '7',
      '007',
      '7.',
      '7.0',
      '7.000',
      '7.01',
      '7.10',
      '.0',
      '-0',
      '+7',
      '7e0',
      ' 7 ',
      '1000000000000',
      '1000000000001',
      '0000000000000000000000012',
      '99999999999999999999',
    ];
    const head = 'start_time,end_time,model,num_model_requests,input_tokens\n';
    const csv = head + cells.map((c) => `1759622400,1759708800,m,1,${c}`).join('\n') + '\n';
    const { records, problems } = await collect(
      parser,
      memInput('completions_usage_x.csv', Buffer.from(csv)),
    );
    const expected = cells.map((c) => {
      const v = c.trim();
      if (!/^\d+(\.0*)?$/.test(v))
        return v.startsWith('-')
          ? `input_tokens is negative: ${v}`
          : `input_tokens is not a whole number: ${JSON.stringify(v)}`;
      const n = Number.parseInt(v, 10);
      return n > 1e12 ? `input_tokens is absurdly large: ${v}` : n;
    });
    const got: (string | number)[] = [];
    for (let line = 2; line < cells.length + 2; line++) {
      const r = records.find((x) => x.source.line === line);
      got.push(r ? r.tokens.input : problems.find((p) => p.line === line)!.reason);
    }
    expect(got).toEqual(expected);
  });

  it('refuses a CSV with neither shape, at line 1', async () => {
    const { problems, records } = await collect(
      parser,
      memInput('x.csv', Buffer.from('start_time,end_time,foo\n1759622400,1759708800,1\n')),
    );
    expect(records).toEqual([]);
    expect(problems).toEqual([
      { file: 'x.csv', line: 1, reason: expect.stringMatching(/^not an OpenAI usage or cost download/) },
    ]);
  });
});

describe('openai-console-csv: cost download (Cost → Export)', () => {
  it('reads dollars by line item, one cost-only record per row; blank amounts are empty days', async () => {
    const { records, problems, ignored } = await parseFile(parser, COST);
    expect(problems).toEqual([]);
    expect(ignored).toEqual([{ file: COST, line: 9, reason: EMPTY_DAY }]);
    expect(
      records.map((r) => [
        r.source.line,
        r.start.slice(0, 10),
        r.modelRaw,
        r.reportedCost?.amount,
        r.dims.project,
      ]),
    ).toEqual([
      [2, '2025-10-05', 'gpt-4o-2024-08-06', 2.625, 'proj_support'],
      [3, '2025-10-05', 'gpt-4o-2024-08-06', 2.5, 'proj_support'],
      [4, '2025-10-05', 'gpt-4o-mini-2024-07-18', 0.3375, 'proj_research'],
      [5, '2025-10-05', 'gpt-4o-mini-2024-07-18', 0.18, 'proj_research'],
      [6, '2025-10-06', 'gpt-4o-2024-08-06', 2.1875, 'proj_support'],
      [7, '2025-10-06', 'gpt-4o-2024-08-06', 2, 'proj_support'],
      // a line item without a comma is its own model name, as in openai-costs (the pricer leaves it unpriced)
      [8, '2025-10-06', 'Image models', 0.04, 'proj_support'],
    ]);
    for (const r of records) {
      expect(UsageRecordSchema.parse(r)).toEqual(r);
      expect(r.tokens).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });
      expect(r.requests).toBe(0);
      expect(r.reportedCost?.currency).toBe('USD');
    }
    // The e-mail address and organization name never leave the file; the project name is kept for rules.
    expect(records[0]!.tags).toEqual({
      line_item: 'gpt-4o-2024-08-06, input',
      quantity: '1200000',
      quantity_unit: 'tokens',
      project_name: 'Support bot',
    });
    expect(JSON.stringify(records)).not.toContain('finance@acme.example');
  });

  it('reads the older organization-wide daily download', async () => {
    const { records, ignored, problems } = await parseFile(parser, COST_OLD);
    expect(problems).toEqual([]);
    expect(ignored.map((i) => i.line)).toEqual([4]);
    expect(records.map((r) => [r.start.slice(0, 10), r.reportedCost?.amount, r.modelRaw])).toEqual([
      ['2025-10-01', 0.895874, '(all models)'],
      ['2025-10-02', 0.56177125, '(all models)'],
      ['2025-10-04', 0.072054, '(all models)'],
    ]);
  });

  it('reports a blank amount on a row that names a cost, and a non-number', async () => {
    const csv = [
      'start_time,end_time,amount_value,amount_currency,line_item,project_id',
      '1759622400,1759708800,,usd,"gpt-4o, input",proj_a',
      '1759622400,1759708800,1.2.3,usd,"gpt-4o, output",proj_a',
    ].join('\n');
    const { problems } = await collect(parser, memInput('cost.csv', Buffer.from(csv)));
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'amount_value is empty on a row that names a cost (line_item, project, …)'],
      [3, 'amount_value is not a number: "1.2.3"'],
    ]);
  });

  it('never merges rows the download splits finer than the API (by user, across organizations)', async () => {
    const csv = [
      'start_time,end_time,amount_value,amount_currency,line_item,user_id,project_id,organization_id',
      '1759622400,1759708800,1,usd,"gpt-4o, input",,proj_a,org-1',
      '1759622400,1759708800,1,usd,"gpt-4o, input",user-a,proj_a,org-1',
      '1759622400,1759708800,1,usd,"gpt-4o, input",user-b,proj_a,org-1',
      '1759622400,1759708800,1,usd,"gpt-4o, input",,proj_a,org-2',
    ].join('\n');
    const { records } = await collect(parser, memInput('cost.csv', Buffer.from(csv)));
    expect(new Set(records.map((r) => r.dedupKey)).size).toBe(4);
  });
});

// The API pages of the same days and grouping as the samples (group_by=project_id,user_id,api_key_id,model,batch,
// service_tier for usage; line_item,project_id for costs), written as the API returns them.
const USAGE_PAGE = {
  object: 'page',
  data: [
    {
      object: 'bucket',
      start_time: 1759622400,
      end_time: 1759708800,
      results: [
        {
          object: 'organization.usage.completions.result',
          input_tokens: 1200000,
          output_tokens: 250000,
          input_cached_tokens: 300000,
          input_uncached_tokens: 900000,
          num_model_requests: 120,
          project_id: 'proj_support',
          user_id: 'user-q3Lm8RtZ0aVb',
          api_key_id: 'key_Sup0rtB0t2025a',
          model: 'gpt-4o-2024-08-06',
          batch: false,
          service_tier: 'default',
        },
        {
          object: 'organization.usage.completions.result',
          input_tokens: 5000000,
          output_tokens: 600000,
          input_cached_tokens: 1000000,
          num_model_requests: 4000,
          project_id: 'proj_research',
          user_id: 'user-7HkP2wXn4cYe',
          api_key_id: 'key_R3search2025bb',
          model: 'gpt-4o-mini-2024-07-18',
          batch: true,
          service_tier: 'default',
        },
      ],
    },
  ],
  has_more: false,
  next_page: null,
};
const cost = (value: number, lineItem: string, project: string) => ({
  object: 'organization.costs.result',
  amount: { value, currency: 'usd' },
  line_item: lineItem,
  project_id: project,
  api_key_id: null,
  quantity: null,
  quantity_unit: null,
});
const COST_PAGE = {
  object: 'page',
  data: [
    {
      object: 'bucket',
      start_time: 1759622400,
      end_time: 1759708800,
      results: [
        cost(2.625, 'gpt-4o-2024-08-06, input', 'proj_support'),
        cost(2.5, 'gpt-4o-2024-08-06, output', 'proj_support'),
        cost(0.3375, 'gpt-4o-mini-2024-07-18, input', 'proj_research'),
        cost(0.18, 'gpt-4o-mini-2024-07-18, output', 'proj_research'),
      ],
    },
  ],
  has_more: false,
  next_page: null,
};

describe('openai-console-csv: a download and an API export of the same buckets count once', () => {
  it('gives each usage row the key the Usage API parser gives the same bucket and group', async () => {
    const api = await collect(
      openaiUsageParser,
      memInput('usage.json', Buffer.from(JSON.stringify(USAGE_PAGE))),
    );
    const csv = await parseFile(parser, USAGE);
    expect(api.records.map((r) => r.dedupKey)).toEqual(csv.records.slice(0, 2).map((r) => r.dedupKey));
    // …and the same numbers, dims and tier: whichever is read first, the report is the same.
    const strip = (r: UsageRecord) => ({ ...r, source: undefined, tags: undefined });
    expect(csv.records.slice(0, 2).map(strip)).toEqual(api.records.map(strip));
  });

  it('gives each cost row the key the Costs API parser gives the same bucket and line item', async () => {
    const api = await collect(
      openaiCostsParser,
      memInput('costs.json', Buffer.from(JSON.stringify(COST_PAGE))),
    );
    const csv = await parseFile(parser, COST);
    expect(api.records.map((r) => r.dedupKey)).toEqual(csv.records.slice(0, 4).map((r) => r.dedupKey));
    expect(csv.records.slice(0, 4).map((r) => r.reportedCost)).toEqual(
      api.records.map((r) => r.reportedCost),
    );
  });

  it('drops the second copy in the pipeline (readRecords), whichever file comes first', async () => {
    const usageJson = tempFile('usage-2025-10-05.json', JSON.stringify(USAGE_PAGE));
    const costJson = tempFile('costs-2025-10-05.json', JSON.stringify(COST_PAGE));
    const stats = emptyStats();
    const kept: UsageRecord[] = [];
    for await (const batch of readRecords([USAGE, usageJson, COST, costJson], { parsers: [parser] }, stats)) {
      kept.push(...batch);
    }
    expect(stats.duplicates).toBe(2 + 4);
    expect(stats.files.map((f) => [f.format, f.records, f.duplicates])).toEqual([
      ['openai-console-csv', 5, 0],
      ['openai-usage', 0, 2],
      ['openai-console-csv', 7, 0],
      ['openai-costs', 0, 4],
    ]);
    expect(kept).toHaveLength(12);
  });
});
