import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import {
  isJsonHead,
  litellmSpendParser as parser,
  rowInstant,
  spendTokens,
} from '../../src/parsers/litellm-spend.ts';
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

// No real export was available: the samples are built from LiteLLM's `LiteLLM_SpendLogs` schema (schema.prisma) and
// the payload of spend_tracking_utils.py, see fixtures/samples/litellm-spend/README.md.
const dir = join(SAMPLES_DIR, 'litellm-spend');
const JSON_FILE = join(dir, 'spend-logs.json');
const CSV_FILE = join(dir, 'spend-logs.csv');
const KEY = '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b';
const KEY2 = '3c7e1a9b5d2f4e6a8b0c1d3e5f7a9b1c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a';
const TEAM = 'b1e2c3d4-5f6a-4b7c-8d9e-0a1b2c3d4e5f';

const row = (r: UsageRecord) => ({
  line: r.source.line,
  provider: r.provider,
  model: r.modelRaw,
  tokens: r.tokens,
  cost: r.reportedCost?.amount,
  key: r.dedupKey,
});

describe('litellm-spend: /spend/logs JSON array', async () => {
  const { records, problems, ignored } = await parseFile(parser, JSON_FILE);

  it('yields one record per logged request with disjoint buckets (hand-computed)', () => {
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // prompt 2,000 incl. 1,500 cached (additional_usage_values.prompt_tokens_details) → input 500
      { line: 2, provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 }, cost: 0.0003675, key: 'request:openai:chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG' },
      // prompt 12,000 incl. 10,000 reads + 1,500 writes (usage_object) → input 500
      { line: 65, provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', tokens: { input: 500, cacheRead: 10000, cacheWrite: 1500, output: 640 }, cost: 0.0131625, key: 'request:anthropic:msg_01HkYp3qVb7TnWx9ZrC2mD4e' },
      // prompt 9,000 incl. 6,000 writes of which 4,000 at the 1-hour TTL → input 3,000
      { line: 141, provider: 'aws-bedrock', model: 'us.anthropic.claude-sonnet-4-20250514-v1:0', tokens: { input: 3000, cacheRead: 0, cacheWrite: 6000, cacheWrite1h: 4000, output: 400 }, cost: 0.0465, key: 'request:aws-bedrock:chatcmpl-9d2f7c1e-3b4a-4f6e-8a1d-2c5b7e9f0a13' },
      // served from LiteLLM's cache: no provider tokens, the request is kept
      { line: 199, provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }, cost: 0, key: 'request:openai:chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG_cache_hit1759310160.123456' },
      { line: 252, provider: 'openai', model: 'text-embedding-3-small', tokens: { input: 812, cacheRead: 0, cacheWrite: 0, output: 0 }, cost: 0.00001624, key: 'request:openai:b3f1e2c4-5d6a-4b7c-8d9e-0f1a2b3c4d5e' },
      // 640 reasoning inside 900 completion tokens
      { line: 301, provider: 'openai', model: 'o4-mini', tokens: { input: 1200, cacheRead: 0, cacheWrite: 0, output: 900, reasoning: 640 }, cost: 0.00528, key: 'request:openai:chatcmpl-B9xQ3aR5jH8kT2nP4wM6qE9uV1cX' },
      { line: 399, provider: 'openai', model: 'gpt-4o', tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }, cost: 0, key: 'request:openai:c0ffee00-1111-4222-8333-444455556666' },
    ]);
    const lines = readFileSync(JSON_FILE, 'utf8').split('\n');
    for (const r of records) {
      expect(lines[r.source.line - 1]!.trim()).toBe('{');
      expect(lines[r.source.line]!.trim()).toMatch(/^"request_id": /);
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
    }
  });

  it('counts the MCP tool call (no model) as ignored', () => {
    expect(ignored).toEqual([{ file: JSON_FILE, line: 354, reason: 'not model usage: MCP tool call' }]);
  });

  it('fills dims (aliases first), tags, task, latency and status', () => {
    const r = records[0]!;
    expect({ ...r, tags: { ...r.tags } }).toEqual({
      start: '2025-10-01T09:15:03.498Z',
      provider: 'openai',
      model: 'gpt-4o-mini',
      modelRaw: 'gpt-4o-mini',
      operation: 'chat',
      requests: 1,
      tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 },
      reportedCost: { amount: 0.0003675, currency: 'USD' },
      dims: { team: 'support', apiKey: 'support-bot-prod', user: 'u-dana' },
      tags: {
        ticket: 'T-1042',
        channel: 'email',
        call_type: 'acompletion',
        model_group: 'gpt-4o-mini',
        model_id: 'a9f1c2e3-openai-gpt-4o-mini',
        api_base: 'https://api.openai.com/v1',
        session_id: 'sess-a1',
        status: 'success',
        end_user: 'cust-42',
        team_id: TEAM,
        team_alias: 'support',
        key_alias: 'support-bot-prod',
        api_key: KEY,
        request_tags: 'prod,helpdesk',
      },
      requestId: 'chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG',
      dedupKey: 'request:openai:chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG',
      taskId: 'sess-a1',
      latencyMs: 1862,
      status: 'success',
      source: { file: JSON_FILE, line: 2, format: 'litellm-spend' },
    });
    // no alias logged: the hashed key; no team
    expect(records[2]!.dims).toEqual({ apiKey: KEY2, user: 'u-omar' });
    expect(records[2]!.operation).toBe('chat'); // anthropic_messages
    expect(records[2]!.latencyMs).toBe(8250); // endTime − startTime
    expect(records[3]!.tags.cache_hit).toBe('true');
    expect(records[4]!.operation).toBe('embeddings');
    expect(records[6]!.status).toBe('failure');
  });
});

describe('litellm-spend: LiteLLM_SpendLogs as CSV (COPY … WITH CSV HEADER)', async () => {
  const { records, problems, ignored } = await parseFile(parser, CSV_FILE);

  it('reads JSON cells, short PostgreSQL offsets and providers from model prefixes', () => {
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    // prettier-ignore
    expect(records.map((r) => ({ ...row(r), start: r.start, team: r.dims.team, latency: r.latencyMs }))).toEqual([
      // older LiteLLM: prompt 10,150 = 150 + 10,000 reads; the 2,000 writes do not fit, so they were outside
      { line: 2, provider: 'anthropic', model: 'claude-3-7-sonnet-20250219', tokens: { input: 150, cacheRead: 10000, cacheWrite: 2000, output: 300 }, cost: 0.0135, key: 'request:anthropic:msg_01QpR7sT9uVwX1yZ3aB5cD7e', start: '2025-10-03T08:00:00.123Z', team: 'support', latency: 4500 },
      // prompt 3,000 incl. 1,024 cached; times with a `+00` offset
      { line: 3, provider: 'openai', model: 'gpt-4.1', tokens: { input: 1976, cacheRead: 1024, cacheWrite: 0, output: 500 }, cost: 0.008048, key: 'request:openai:chatcmpl-BA1b2C3d4E5f6G7h8I9j0K1l2M3n', start: '2025-10-03T08:05:00.000Z', team: 'support', latency: 2500 },
      // azure deployment; metadata {} → the team id
      { line: 4, provider: 'azure-openai', model: 'gpt-4o', tokens: { input: 800, cacheRead: 0, cacheWrite: 0, output: 120 }, cost: 0.0032, key: 'request:azure-openai:chatcmpl-BA2x3Y4z5A6b7C8d9E0f1G2h3I4j', start: '2025-10-03T08:10:00.000Z', team: TEAM, latency: 1000 },
      // no custom_llm_provider: the `gemini/` prefix
      { line: 5, provider: 'google', model: 'gemini/gemini-2.5-flash', tokens: { input: 1000, cacheRead: 0, cacheWrite: 0, output: 200 }, cost: 0.00078, key: 'request:google:2f4e6a8c-0b1d-4f3a-9c5e-7a9b1d3f5e7c', start: '2025-10-03T08:15:00.000Z', team: undefined, latency: 3000 },
    ]);
    for (const r of records) expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    expect(records[0]!.tags.request_tags).toBe('code-review');
  });

  it('gives the same rows the same records as JSON Lines (so overlapping exports share keys)', async () => {
    const table = parseCsv(readFileSync(CSV_FILE), { columns: true }) as Record<string, string>[];
    // As the JSON API writes them: empty cells absent, JSON columns as objects.
    const jsonl = table
      .map((r) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(r)
              .filter(([, v]) => v !== '')
              .map(([k, v]) => [k, k === 'metadata' || k === 'request_tags' ? JSON.parse(v) : v]),
          ),
        ),
      )
      .join('\n');
    const again = await parseFile(parser, tempFile('rows.jsonl', jsonl));
    const strip = (r: UsageRecord) => ({ ...r, tags: { ...r.tags }, source: r.source.line });
    expect(again.records.map(strip)).toEqual(records.map(strip).map((r) => ({ ...r, source: r.source - 1 })));
  });
});

describe('litellm-spend: token conventions', () => {
  const meta = (u: Record<string, unknown>) => ({ usage_object: u });

  it('subtracts cached reads and writes from prompt_tokens, which includes them', () => {
    expect(
      spendTokens(
        { prompt_tokens: 2000, completion_tokens: 10 },
        { additional_usage_values: { prompt_tokens_details: { cached_tokens: 1500 } } },
      ),
    ).toEqual({ input: 500, cacheRead: 1500, cacheWrite: 0, output: 10 });
    expect(
      spendTokens(
        { prompt_tokens: '12000', completion_tokens: '640' },
        meta({ cache_read_input_tokens: 10000, cache_creation_input_tokens: 1500 }),
      ),
    ).toEqual({ input: 500, cacheRead: 10000, cacheWrite: 1500, output: 640 });
  });

  it('falls back when the counts do not fit (older LiteLLM; an Anthropic-shaped prompt count)', () => {
    // reads inside, writes outside
    expect(
      spendTokens(
        { prompt_tokens: 10150, completion_tokens: 1 },
        meta({ cache_read_input_tokens: 10000, cache_creation_input_tokens: 2000 }),
      ),
    ).toEqual({ input: 150, cacheRead: 10000, cacheWrite: 2000, output: 1 });
    // neither inside
    expect(
      spendTokens({ prompt_tokens: 4, completion_tokens: 1 }, meta({ cache_read_input_tokens: 10000 })),
    ).toEqual({ input: 4, cacheRead: 10000, cacheWrite: 0, output: 1 });
  });

  it('keeps the prompt whole without usage metadata, and rejects impossible parts', () => {
    expect(spendTokens({ prompt_tokens: 800, completion_tokens: 120 }, undefined)).toEqual({
      input: 800,
      cacheRead: 0,
      cacheWrite: 0,
      output: 120,
    });
    expect(() =>
      spendTokens(
        { prompt_tokens: 1, completion_tokens: 5 },
        meta({ completion_tokens_details: { reasoning_tokens: 6 } }),
      ),
    ).toThrow('completion_tokens_details.reasoning_tokens (6) exceeds completion_tokens (5)');
  });

  it('reads PostgreSQL timestamps', () => {
    expect(rowInstant('2025-10-03 08:05:00+00', 'startTime')).toBe('2025-10-03T08:05:00.000Z');
    expect(rowInstant('2025-10-03 10:05:00.5+02', 'startTime')).toBe('2025-10-03T08:05:00.500Z');
    expect(rowInstant('2025-10-03T08:05:00.123456+00:00', 'startTime')).toBe('2025-10-03T08:05:00.123Z');
    expect(isJsonHead('  \n[{"a":1}]')).toBe(true);
    expect(isJsonHead('request_id,spend\n')).toBe(false);
  });
});

describe('litellm-spend: bad input', () => {
  const good = {
    request_id: 'r1',
    call_type: 'acompletion',
    spend: 0.1,
    startTime: '2025-10-01T00:00:00Z',
    model: 'gpt-4o',
    custom_llm_provider: 'openai',
    prompt_tokens: 10,
    completion_tokens: 5,
  };

  it('reports each unusable row with its line and an actionable reason', async () => {
    const rows = [
      { ...good, request_id: undefined },
      { ...good, startTime: 'yesterday' },
      { ...good, model: '', model_group: '' },
      { ...good, prompt_tokens: -3 },
      { ...good, spend: 'lots' },
      { ...good, spend: -1 },
      { ...good, metadata: '{"usage_object": ' },
      { ...good, metadata: { usage_object: { prompt_tokens_details: { cached_tokens: 'x' } } } },
      { ...good, request_tags: { a: 1 } },
      good,
    ];
    const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n[1,2]\n`;
    const { records, problems } = await collect(parser, memInput('bad.jsonl', Buffer.from(text)));
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'no request_id'],
      [2, 'startTime is not a valid time: "yesterday"'],
      [3, 'no model (and no model_group)'],
      [4, 'prompt_tokens is negative: -3'],
      [5, 'spend is not a number: "lots"'],
      [6, 'spend is negative: -1'],
      [7, 'metadata is not valid JSON'],
      [8, 'metadata.usage_object.prompt_tokens_details.cached_tokens is not a number: "x"'],
      [9, 'request_tags is not a list'],
      [11, 'not a LiteLLM spend log row: expected a JSON object'],
      [11, 'not a LiteLLM spend log row: expected a JSON object'],
    ]);
    expect(records.map((r) => r.source.line)).toEqual([10]);
  });

  it('refuses a CSV without a request_id column, and reports bad CSV rows at their lines', async () => {
    const refused = await parseFile(parser, tempFile('x.csv', 'id,spend\n1,2\n'));
    expect(refused.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'not a LiteLLM spend log CSV: no request_id column'],
    ]);
    const csv = [
      'request_id,call_type,spend,startTime,model,prompt_tokens,completion_tokens,metadata',
      'a,acompletion,0.1,2025-10-01 00:00:00,gpt-4o,10,5,',
      'b,acompletion,0.1,2025-10-01 00:00:00,gpt-4o,ten,5,',
      'c,acompletion,0.1,2025-10-01 00:00:00,gpt-4o,10,5,"{""usage_object"": 3}"',
    ].join('\n');
    const { records, problems } = await parseFile(parser, tempFile('y.csv', csv));
    expect(records.map((r) => [r.source.line, r.provider, r.tokens.input])).toEqual([[2, 'openai', 10]]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'prompt_tokens is not a number: "ten"'],
      [4, 'metadata.usage_object is not an object'],
    ]);
  });

  it('reports an API error saved instead of rows', async () => {
    const { problems } = await collect(
      parser,
      memInput(
        'e.json',
        Buffer.from('{"error": {"message": "Authentication Error, Invalid proxy server token"}}'),
      ),
    );
    expect(problems).toEqual([
      {
        file: 'e.json',
        line: 1,
        reason: 'the API returned an error, not rows: Authentication Error, Invalid proxy server token',
      },
    ]);
  });
});

describe('litellm-spend: detection', () => {
  it('claims its own samples with ≥ 0.9, and a /spend/logs/v2 page', async () => {
    for (const f of readdirSync(dir).filter((f) => !f.endsWith('.md'))) {
      const { head } = await openInput(join(dir, f));
      expect(parser.detect(head, f), f).toBeGreaterThanOrEqual(0.9);
    }
    expect(
      parser.detect(
        '{"data":[{"request_id":"x","call_type":"acompletion","spend":0,"startTime":"t"}],"total":1}',
        'x',
      ),
    ).toBeGreaterThanOrEqual(0.9);
  });

  it('claims no other sample, no shared third-party file and no foreign line format', async () => {
    for (const s of sampleFiles().filter((s) => s.format !== 'litellm-spend')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    for (const f of readdirSync(join(SHARED_DATA, 'openai'))) {
      expect(parser.detect(readFileSync(join(SHARED_DATA, 'openai', f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    for (const head of Object.values(FOREIGN_HEADS)) expect(parser.detect(head, 'x.jsonl')).toBe(0);
  });
});

describe('litellm-spend: chunk boundaries (property)', () => {
  it('never changes the items of the JSON array, of JSON Lines, or of the CSV', async () => {
    const jsonl = Buffer.from(
      (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as unknown[]).map((r) => JSON.stringify(r)).join('\n') +
        '\n',
    );
    for (const [file, bytes] of [
      [JSON_FILE, readFileSync(JSON_FILE)],
      ['rows.jsonl', jsonl],
      [CSV_FILE, readFileSync(CSV_FILE)],
    ] as const) {
      const whole = await collect(parser, memInput(file, bytes));
      expect(whole.records.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
          async (cuts) => {
            const split = await collect(parser, memInput(file, bytes, cuts));
            expect(split.items).toEqual(whole.items);
          },
        ),
        { numRuns: 60 },
      );
    }
  });
});
