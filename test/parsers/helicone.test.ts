import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { heliconeParser as parser, heliconeTokens, propertiesCell } from '../../src/parsers/helicone.ts';
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

// No real export was available: the samples are built from Helicone's request rows (query-clickhouse) and its export
// CLI, see fixtures/samples/helicone/README.md.
const dir = join(SAMPLES_DIR, 'helicone');
const JSONL = join(dir, 'requests.jsonl');
const CSV = join(dir, 'requests.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  provider: r.provider,
  model: r.modelRaw,
  tokens: r.tokens,
  cost: r.reportedCost?.amount,
  key: r.dedupKey,
});

describe('helicone: export CLI JSON Lines (rows, and one API page on a line)', async () => {
  const { records, problems, ignored } = await parseFile(parser, JSONL);

  it('copies the already disjoint buckets and adds reasoning to the output (hand-computed)', () => {
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // prompt_tokens is uncached already: 500 + 1,500 cache reads
      { line: 1, provider: 'openai', model: 'gpt-4o-mini-2024-07-18', tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 }, cost: 0.0003675, key: 'helicone:4c1d9a2e-5b3f-4e7a-9c0d-1e2f3a4b5c6d' },
      { line: 2, provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', tokens: { input: 500, cacheRead: 10000, cacheWrite: 1500, output: 640 }, cost: 0.0159375, key: 'helicone:5d2e0b3f-6c4a-4f8b-8d1e-2f3a4b5c6d7e' },
      // completion 260 leaves out reasoning 640: output 900
      { line: 3, provider: 'openai', model: 'o4-mini-2025-04-16', tokens: { input: 1200, cacheRead: 0, cacheWrite: 0, output: 900, reasoning: 640 }, cost: 0.00528, key: 'helicone:6e3f1c4a-7d5b-4a9c-9e2f-3a4b5c6d7e8f' },
      // served from Helicone's cache: zero as Helicone wrote it
      { line: 4, provider: 'openai', model: 'gpt-4o-mini-2024-07-18', tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }, cost: 0, key: 'helicone:7f4a2d5b-8e6c-4b0d-8f3a-4b5c6d7e8f90' },
      { line: 5, provider: 'aws-bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0', tokens: { input: 350, cacheRead: 0, cacheWrite: 0, output: 120 }, cost: 0.0002375, key: 'helicone:805b3e6c-9f7d-4c1e-9a4b-5c6d7e8f9012' },
      { line: 6, provider: 'google', model: 'gemini-2.5-flash', tokens: { input: 400, cacheRead: 600, cacheWrite: 0, output: 200, reasoning: 120 }, cost: 0.000645, key: 'helicone:916c4f7d-0a8e-4d2f-8b5c-6d7e8f901234' },
      { line: 6, provider: 'azure-openai', model: 'gpt-4o', tokens: { input: 1024, cacheRead: 0, cacheWrite: 0, output: 256 }, cost: 0.00512, key: 'helicone:a27d5a8e-1b9f-4e3a-9c6d-7e8f90123456' },
    ]);
    for (const r of records)
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
  });

  it('reads times, user, properties as tags, status, path and the cache marker', () => {
    const r = records[0]!;
    expect({ ...r, tags: { ...r.tags } }).toEqual({
      start: '2025-10-01T09:15:03.512Z',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      modelRaw: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      requests: 1,
      tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 },
      reportedCost: { amount: 0.0003675, currency: 'USD' },
      dims: { user: 'cust-42' },
      tags: {
        App: 'support-bot',
        Environment: 'prod',
        Team: 'support',
        request_path: '/v1/chat/completions',
        target_url: 'https://api.openai.com/v1/chat/completions',
        country_code: 'DE',
        prompt_id: 'support-answer',
        response_id: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
        cache_enabled: 'false',
      },
      requestId: '4c1d9a2e-5b3f-4e7a-9c0d-1e2f3a4b5c6d',
      dedupKey: 'helicone:4c1d9a2e-5b3f-4e7a-9c0d-1e2f3a4b5c6d',
      latencyMs: 1840,
      status: '200',
      source: { file: JSONL, line: 1, format: 'helicone' },
    });
    expect(records[2]!.operation).toBe('responses');
    expect(records[3]!.tags).toMatchObject({
      cache_hit: 'true',
      cache_reference_id: '4c1d9a2e-5b3f-4e7a-9c0d-1e2f3a4b5c6d',
      cache_enabled: 'true',
    });
    expect(records[5]!.start).toBe('2025-10-02T14:10:00.000Z');
  });
});

describe('helicone: export CLI CSV', async () => {
  const { records, problems } = await parseFile(parser, CSV);

  it('infers the provider from the model, undoes the double-quoted JSON cells, keys rows by response_id', () => {
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map((r) => ({ ...row(r), user: r.dims.user, latency: r.latencyMs, status: r.status, app: r.tags.App }))).toEqual([
      { line: 2, provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 1200, cacheRead: 0, cacheWrite: 0, output: 180 }, cost: 0.000288, key: 'helicone:response:17c8d9e0-f1a2-4b3c-9d4e-6f708192a3b4', user: 'cust-9', latency: 1200, status: '200', app: 'helpdesk' },
      { line: 3, provider: 'anthropic', model: 'claude-3-5-haiku-20241022', tokens: { input: 900, cacheRead: 0, cacheWrite: 0, output: 300 }, cost: 0.00192, key: 'helicone:response:28d9e0f1-a2b3-4c4d-8e5f-708192a3b4c5', user: undefined, latency: 900, status: '200', app: undefined },
      { line: 4, provider: 'openai', model: 'gpt-4o', tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }, cost: 0, key: 'helicone:response:39e0f1a2-b3c4-4d5e-9f6a-8192a3b4c5d6', user: 'cust-9', latency: 50, status: '429', app: 'helpdesk' },
    ]);
    for (const r of records) expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    expect(records[0]!.requestId).toBeUndefined();
    expect(records[0]!.tags.Environment).toBe('prod');
  });
});

describe('helicone: token conventions and cells', () => {
  it('copies prompt, cache read and cache write; output is completion + reasoning', () => {
    expect(
      heliconeTokens({
        prompt_tokens: '500',
        prompt_cache_read_tokens: '1500',
        prompt_cache_write_tokens: '20',
        completion_tokens: '260',
        reasoning_tokens: '640',
      }),
    ).toEqual({ input: 500, cacheRead: 1500, cacheWrite: 20, output: 900, reasoning: 640 });
    expect(heliconeTokens({})).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });
    expect(() => heliconeTokens({ completion_tokens: -1 })).toThrow('completion_tokens is negative: -1');
  });

  it('reads properties as objects, JSON text, or the export CLI’s doubled quotes', () => {
    expect(propertiesCell({ App: 'x' }, 'p')).toEqual({ App: 'x' });
    expect(propertiesCell('{"App":"x"}', 'p')).toEqual({ App: 'x' });
    expect(propertiesCell('{""App"":""x""}', 'p')).toEqual({ App: 'x' });
    expect(propertiesCell('{"":1}', 'p')).toEqual({ '': 1 });
    expect(propertiesCell('', 'p')).toBeUndefined();
    expect(() => propertiesCell('[1]', 'p')).toThrow('p is not an object');
  });
});

describe('helicone: bad input', () => {
  const good = {
    request_id: 'r1',
    request_created_at: '2025-10-01 00:00:00',
    response_created_at: '2025-10-01 00:00:01',
    provider: 'OPENAI',
    model: 'gpt-4o',
    prompt_tokens: 10,
    completion_tokens: 5,
    cost: 0.1,
  };

  it('reports each unusable row with its line and an actionable reason', async () => {
    const rows = [
      { ...good, request_created_at: undefined },
      { ...good, model: undefined },
      { ...good, prompt_cache_read_tokens: -2 },
      { ...good, cost: '$1' },
      { ...good, delay_ms: 'slow' },
      { ...good, properties: '{"App":' },
      { ...good, provider: undefined, model: 'llama-3-70b' },
      good,
    ];
    const text = rows.map((r) => JSON.stringify(r)).join('\n');
    const { records, problems } = await collect(parser, memInput('bad.jsonl', Buffer.from(text)));
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'no request_created_at'],
      [2, 'no model'],
      [3, 'prompt_cache_read_tokens is negative: -2'],
      [4, 'cost is not a number: "$1"'],
      [5, 'delay_ms is not a non-negative number: "slow"'],
      [6, 'properties is not valid JSON'],
    ]);
    expect(records.map((r) => [r.source.line, r.provider, r.latencyMs])).toEqual([
      [7, 'unknown', 1000],
      [8, 'openai', 1000],
    ]);
  });

  it('reads flattened property columns and refuses a CSV without request_created_at', async () => {
    const csv = [
      'request_id,request_created_at,model,prompt_tokens,completion_tokens,cost,Helicone-Property-App,properties.Team',
      'r1,2025-10-01 00:00:00,gpt-4o,10,5,0.1,bot,support',
    ].join('\n');
    const { records } = await parseFile(parser, tempFile('p.csv', csv));
    expect(records[0]!.tags).toMatchObject({ App: 'bot', Team: 'support' });
    const refused = await parseFile(parser, tempFile('x.csv', 'model,cost\ngpt-4o,1\n'));
    expect(refused.problems.map((p) => p.reason)).toEqual([
      'not a Helicone request CSV: no request_created_at column',
    ]);
  });
});

describe('helicone: detection', () => {
  it('claims its own samples with ≥ 0.9', async () => {
    for (const f of readdirSync(dir).filter((f) => !f.endsWith('.md'))) {
      const { head } = await openInput(join(dir, f));
      expect(parser.detect(head, f), f).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('claims no other sample, no shared third-party file and no foreign line format', async () => {
    for (const s of sampleFiles().filter((s) => s.format !== 'helicone')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    for (const f of readdirSync(join(SHARED_DATA, 'openai'))) {
      expect(parser.detect(readFileSync(join(SHARED_DATA, 'openai', f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    for (const head of Object.values(FOREIGN_HEADS)) expect(parser.detect(head, 'x.jsonl')).toBe(0);
  });
});

describe('helicone: chunk boundaries (property)', () => {
  it('never changes the items of the JSON Lines or of the CSV', async () => {
    for (const file of [JSONL, CSV]) {
      const bytes = readFileSync(file);
      const whole = await collect(parser, memInput(file, bytes));
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
          async (cuts) => {
            const split = await collect(parser, memInput(file, bytes, cuts));
            expect(split.items).toEqual(whole.items);
          },
        ),
        { numRuns: 50 },
      );
    }
  });
});
