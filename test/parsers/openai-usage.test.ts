import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { HEAD_BYTES } from '../../src/io/input.ts';
import { openaiUsageParser as parser } from '../../src/parsers/openai-usage.ts';
import { FOREIGN_HEADS, parseFile, SAMPLES_DIR, sampleFiles, tempFile } from '../helpers/parse.ts';

const dir = join(SAMPLES_DIR, 'openai-usage');
const SPEC = join(dir, 'usage-completions.spec-example.json');
const SPEC_EMB = join(dir, 'usage-embeddings.spec-example.json');
const MULTI = join(dir, 'usage-multi-page.json');
const MULTI_JSONL = join(dir, 'usage-multi-page.jsonl');

/** The numbers that matter, one row per record. */
const row = (r: UsageRecord) => ({
  line: r.source.line,
  day: r.start.slice(0, 10),
  model: r.modelRaw,
  op: r.operation,
  tier: r.serviceTier,
  project: r.dims.project,
  requests: r.requests,
  ...r.tokens,
});

describe('openai-usage: published spec examples (openai-openapi @ f85dbe22)', () => {
  it('makes the completions example disjoint: 1000 input = 500 uncached + 400 cached + 100 cache-write', async () => {
    const { records, problems } = await parseFile(parser, SPEC);
    expect(problems).toEqual([]);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.tokens).toEqual({ input: 500, cacheRead: 400, cacheWrite: 100, output: 500 });
    expect(r.requests).toBe(5);
    expect(r).toMatchObject({
      start: '2024-11-01T00:00:00.000Z',
      end: '2024-11-02T00:00:00.000Z',
      provider: 'openai',
      // Not grouped by model: a name the pricer cannot price, so it lands as unpriced, never at $0.
      model: '(not grouped by model)',
      modelRaw: '(not grouped by model)',
      operation: 'chat',
      dims: {},
      source: { file: SPEC, line: 9, format: 'openai-usage' },
    });
    expect(r.serviceTier).toBeUndefined();
    // Audio and image counts are parts of the totals: tags only.
    expect(r.tags).toEqual({
      input_audio_tokens: '50',
      input_cached_audio_tokens: '50',
      output_audio_tokens: '50',
      input_image_tokens: '50',
      input_cached_image_tokens: '50',
      output_image_tokens: '50',
    });
    expect(UsageRecordSchema.parse(r)).toEqual(r);
  });

  it('reads the embeddings example', async () => {
    const { records, problems } = await parseFile(parser, SPEC_EMB);
    expect(problems).toEqual([]);
    expect(records.map(row)).toEqual([
      {
        line: 9,
        day: '2024-11-01',
        model: '(not grouped by model)',
        op: 'embeddings',
        tier: undefined,
        project: undefined,
        requests: 2,
        input: 16,
        cacheRead: 0,
        cacheWrite: 0,
        output: 0,
      },
    ]);
  });
});

describe('openai-usage: multi-page export grouped by model and project', () => {
  // Hand-computed from usage-multi-page.json: input = input_tokens − input_cached_tokens − cache writes.
  // One row per record, as a table.
  // prettier-ignore
  const EXPECTED = [
    // page 1, 2025-06-01: 1,200,000 − 300,000 cached
    { line: 9, day: '2025-06-01', model: 'gpt-4o-2024-08-06', op: 'chat', tier: 'standard', project: 'proj_support', requests: 1000, input: 900_000, cacheRead: 300_000, cacheWrite: 0, output: 250_000 },
    { line: 24, day: '2025-06-01', model: 'gpt-4o-mini-2024-07-18', op: 'chat', tier: 'standard', project: 'proj_support', requests: 2500, input: 800_000, cacheRead: 0, cacheWrite: 0, output: 120_000 },
    // batch: true wins over service_tier "default"
    { line: 39, day: '2025-06-01', model: 'gpt-4o-mini-2024-07-18', op: 'chat', tier: 'batch', project: 'proj_research', requests: 4000, input: 4_000_000, cacheRead: 1_000_000, cacheWrite: 0, output: 600_000 },
    // page 1, 2025-06-02: input_uncached_tokens 700,000 = 1,000,000 − 250,000 − 50,000
    { line: 61, day: '2025-06-02', model: 'gpt-4o-2024-08-06', op: 'chat', tier: 'standard', project: 'proj_support', requests: 800, input: 700_000, cacheRead: 250_000, cacheWrite: 50_000, output: 200_000 },
    { line: 78, day: '2025-06-02', model: 'o3-mini-2025-01-31', op: 'chat', tier: 'flex', project: 'proj_research', requests: 100, input: 400_000, cacheRead: 0, cacheWrite: 0, output: 300_000 },
    // page 2
    { line: 107, day: '2025-06-03', model: 'gpt-4o-2024-08-06', op: 'chat', tier: 'standard', project: 'proj_support', requests: 700, input: 450_000, cacheRead: 450_000, cacheWrite: 0, output: 150_000 },
    { line: 122, day: '2025-06-03', model: 'gpt-4o-mini-2024-07-18', op: 'chat', tier: 'batch', project: 'proj_research', requests: 1500, input: 2_000_000, cacheRead: 0, cacheWrite: 0, output: 300_000 },
    // page 3: embeddings
    { line: 151, day: '2025-06-01', model: 'text-embedding-3-small', op: 'embeddings', tier: undefined, project: 'proj_research', requests: 600, input: 3_000_000, cacheRead: 0, cacheWrite: 0, output: 0 },
    { line: 167, day: '2025-06-02', model: 'text-embedding-3-small', op: 'embeddings', tier: undefined, project: 'proj_research', requests: 500, input: 2_500_000, cacheRead: 0, cacheWrite: 0, output: 0 },
  ];

  it('yields one record per result, on the line of its result object', async () => {
    const { records, problems } = await parseFile(parser, MULTI);
    expect(problems).toEqual([]);
    expect(records.map(row)).toEqual(EXPECTED);
    const lines = readFileSync(MULTI, 'utf8').split('\n');
    for (const r of records) expect(lines[r.source.line - 1]!.trim()).toBe('{');
    for (const r of records) expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    expect(records[0]!.end).toBe('2025-06-02T00:00:00.000Z');
  });

  it('sums to the hand-computed totals', async () => {
    const { records } = await parseFile(parser, MULTI);
    const sum = (k: 'input' | 'cacheRead' | 'cacheWrite' | 'output') =>
      records.reduce((n, r) => n + r.tokens[k], 0);
    expect(sum('input')).toBe(14_750_000);
    expect(sum('cacheRead')).toBe(2_000_000);
    expect(sum('cacheWrite')).toBe(50_000);
    expect(sum('output')).toBe(1_920_000);
    expect(records.reduce((n, r) => n + r.requests, 0)).toBe(11_700);
  });

  it('reads the JSON Lines variant to the same records, each on its page line', async () => {
    const a = await parseFile(parser, MULTI);
    const b = await parseFile(parser, MULTI_JSONL);
    expect(b.problems).toEqual([]);
    expect(b.records.map((r) => r.source.line)).toEqual([1, 1, 1, 1, 1, 2, 2, 3, 3]);
    const strip = (r: UsageRecord) => ({ ...r, source: undefined });
    expect(b.records.map(strip)).toEqual(a.records.map(strip));
  });

  it('reads an array of pages, and a bare array of buckets (a saved `data`)', async () => {
    const pages = readFileSync(MULTI_JSONL, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data: unknown[] });
    const expected = (await parseFile(parser, MULTI)).records.map((r) => r.dedupKey);
    const asArray = await parseFile(parser, tempFile('pages.json', JSON.stringify(pages, null, 2)));
    expect(asArray.problems).toEqual([]);
    expect(asArray.records.map((r) => r.dedupKey)).toEqual(expected);
    const buckets = await parseFile(
      parser,
      tempFile(
        'data.json',
        JSON.stringify(
          pages.flatMap((p) => p.data),
          null,
          1,
        ),
      ),
    );
    expect(buckets.problems).toEqual([]);
    expect(buckets.records.map(row)).toEqual(
      EXPECTED.map((e) => ({ ...e, line: expect.any(Number) as unknown as number })),
    );
  });
});

describe('openai-usage: dedupKey', () => {
  it('is the same for the same result read from two files', async () => {
    const a = await parseFile(parser, MULTI);
    const b = await parseFile(parser, MULTI_JSONL);
    expect(b.records.map((r) => r.dedupKey)).toEqual(a.records.map((r) => r.dedupKey));
  });

  it('differs between groups, buckets and endpoints', async () => {
    const { records } = await parseFile(parser, MULTI);
    const keys = records.map((r) => r.dedupKey);
    expect(new Set(keys).size).toBe(records.length);
    const result = { input_tokens: 10, output_tokens: 1, num_model_requests: 1, project_id: 'p', model: 'm' };
    const page = (extra: object, object = 'organization.usage.completions.result', start = 1748736000) =>
      JSON.stringify({
        object: 'page',
        data: [{ start_time: start, end_time: start + 86400, results: [{ object, ...result, ...extra }] }],
      });
    const file = tempFile(
      'groups.jsonl',
      [
        page({}),
        page({ project_id: 'q' }),
        page({ api_key_id: 'k' }),
        page({ user_id: 'u' }),
        page({ batch: true }),
        page({ service_tier: 'flex' }),
        page({}, 'organization.usage.embeddings.result'),
        page({}, undefined, 1748822400),
        page({}), // the first again: same key
      ].join('\n'),
    );
    const r = await parseFile(parser, file);
    const k = r.records.map((x) => x.dedupKey);
    expect(new Set(k.slice(0, 8)).size).toBe(8);
    expect(k[8]).toBe(k[0]);
  });
});

describe('openai-usage: other endpoints', () => {
  it('reads moderations, images, audio, vector stores, code interpreter and tool-call results', async () => {
    const results = [
      {
        object: 'organization.usage.moderations.result',
        input_tokens: 70,
        num_model_requests: 3,
        model: 'omni-moderation-latest',
      },
      {
        object: 'organization.usage.images.result',
        images: 4,
        num_model_requests: 2,
        source: 'image.generation',
        size: '1024x1024',
        model: 'dall-e-3',
      },
      {
        object: 'organization.usage.audio_speeches.result',
        characters: 1200,
        num_model_requests: 5,
        model: 'tts-1',
      },
      {
        object: 'organization.usage.audio_transcriptions.result',
        seconds: 360,
        num_model_requests: 6,
        model: 'whisper-1',
      },
      { object: 'organization.usage.vector_stores.result', usage_bytes: 1048576, project_id: 'p' },
      { object: 'organization.usage.code_interpreter_sessions.result', num_sessions: 7, project_id: 'p' },
      { object: 'organization.usage.file_searches.result', num_requests: 9, project_id: 'p' },
    ];
    const file = tempFile(
      'endpoints.json',
      JSON.stringify({ object: 'page', data: [{ start_time: 1748736000, end_time: 1748822400, results }] }),
    );
    const { records, problems } = await parseFile(parser, file);
    expect(problems).toEqual([]);
    // One row per record, as a table.
    // prettier-ignore
    expect(records.map((r) => [r.operation, r.modelRaw, r.requests, r.tokens.input, r.tags])).toEqual([
      ['moderations', 'omni-moderation-latest', 3, 70, {}],
      ['images', 'dall-e-3', 2, 0, { images: '4', source: 'image.generation', size: '1024x1024' }],
      ['audio_speech', 'tts-1', 5, 0, { characters: '1200' }],
      ['audio_transcription', 'whisper-1', 6, 0, { seconds: '360' }],
      ['vector_store', '(vector storage)', 0, 0, { usage_bytes: '1048576' }],
      ['code_interpreter', '(code interpreter)', 0, 0, { num_sessions: '7' }],
      ['file_search', '(file search)', 0, 0, { num_requests: '9' }],
    ]);
  });
});

describe('openai-usage: bad input', () => {
  it('reports each bad result, bucket and value at its file:line and keeps the good ones', async () => {
    const ok = {
      object: 'organization.usage.completions.result',
      input_tokens: 100,
      input_cached_tokens: 40,
      output_tokens: 10,
      num_model_requests: 1,
    };
    const bad = (model: string, extra: object) => ({ ...ok, model, ...extra });
    const page = {
      object: 'page',
      data: [
        {
          object: 'bucket',
          start_time: 1748736000,
          end_time: 1748822400,
          results: [
            bad('m-ok', {}),
            bad('m-negative', { output_tokens: -5 }),
            bad('m-cached', { input_cached_tokens: 150 }),
            bad('m-written', { input_cache_write_tokens: 70 }),
            bad('m-uncached', { input_uncached_tokens: 50 }),
            bad('m-requests', { num_model_requests: 'many' }),
            bad('m-costs', { object: 'organization.costs.result' }),
            'oops',
          ],
        },
        { object: 'bucket', end_time: 1748908800, results: [ok, ok] },
        { object: 'bucket', start_time: 1748908800, end_time: 1748995200 },
      ],
    };
    const text = [
      JSON.stringify(page, null, 2),
      'curl: (28) Operation timed out',
      '{"object":"page","data":[{"start_time":1748736000,"results":[{"object":"organization.usage.completions.res',
      '{"error":{"message":"Invalid admin key","type":"invalid_request_error"}}',
      '{"hello":"world"}',
      '{"object":"page","data":[{"start_time":1748736000,"results":[{"input_tokens":1}]}]}',
    ].join('\n');
    const file = tempFile('bad.json', text);
    const { records, problems } = await parseFile(parser, file);

    const lines = text.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    // The line of the object (`{` alone, at this indent) that holds `needle`.
    const objectOf = (needle: string, indent: number) => {
      let i = lineOf(needle) - 1;
      while (lines[i] !== `${' '.repeat(indent)}{`) i--;
      return i + 1;
    };
    expect(records.map((r) => [r.source.line, r.modelRaw, r.tokens.input])).toEqual([
      [objectOf('m-ok', 8), 'm-ok', 60],
    ]);
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.reason}`)).toEqual([
      `${file}:${objectOf('m-negative', 8)}: output_tokens is negative: -5`,
      `${file}:${objectOf('m-cached', 8)}: input_cached_tokens (150) exceeds input_tokens (100)`,
      `${file}:${objectOf('m-written', 8)}: input_cached_tokens + input_cache_write_tokens (110) exceeds input_tokens (100)`,
      `${file}:${objectOf('m-uncached', 8)}: input_uncached_tokens + input_cached_tokens + input_cache_write_tokens (90) is not input_tokens (100)`,
      `${file}:${objectOf('m-requests', 8)}: num_model_requests is not a number: "many"`,
      `${file}:${objectOf('m-costs', 8)}: unsupported result type "organization.costs.result" (finops reads the usage endpoints' results)`,
      `${file}:${lineOf('"oops"')}: result is not an object`,
      `${file}:${objectOf('"end_time": 1748908800', 4)}: no start_time; the bucket's 2 results skipped`,
      `${file}:${objectOf('"end_time": 1748995200', 4)}: bucket 3 of the page has no "results" array`,
      `${file}:${lineOf('curl:')}: not JSON: "curl: (28) Operation timed out"`,
      `${file}:${lineOf('[{"object":"organization.usage.completions.res')}: the line ends inside a string (the value is cut off)`,
      `${file}:${lineOf('Invalid admin key')}: the API returned an error, not a page: Invalid admin key`,
      `${file}:${lineOf('"hello"')}: not an OpenAI usage page: expected an object with a "data" array of buckets`,
      `${file}:${lines.length}: result has no "object" type`,
    ]);
  });
});

describe('openai-usage: detection', () => {
  it('claims its own samples (≥ 0.9) and no other format (< 0.5)', () => {
    const files = sampleFiles();
    expect(files.filter((f) => f.format === 'openai-usage')).toHaveLength(4);
    for (const f of files) {
      const head = readFileSync(f.path).subarray(0, HEAD_BYTES).toString('utf8');
      const score = parser.detect(head, f.path);
      if (f.format === 'openai-usage') expect(score, f.path).toBeGreaterThanOrEqual(0.9);
      else expect(score, f.path).toBeLessThan(0.5);
    }
    for (const [format, head] of Object.entries(FOREIGN_HEADS))
      expect(parser.detect(head, 'x.jsonl'), format).toBeLessThan(0.5);
  });
});
