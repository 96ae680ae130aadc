import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { stringMap, UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { langfuseParser as parser, usageDetailsTokens } from '../../src/parsers/langfuse.ts';
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

// No real export was available: the samples are built from the public API's observation shape and Langfuse's
// ingestion code (usage keys made disjoint), see fixtures/samples/langfuse/README.md.
const dir = join(SAMPLES_DIR, 'langfuse');
const PAGE = join(dir, 'observations.json');
const CSV = join(dir, 'observations.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  provider: r.provider,
  model: r.modelRaw,
  tokens: r.tokens,
  cost: r.reportedCost?.amount,
  env: r.dims.environment,
});

describe('langfuse: an API page of observations', async () => {
  const { records, problems, ignored } = await parseFile(parser, PAGE);

  it('yields one record per generation with usage, disjoint by usage key (hand-computed)', () => {
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // Langfuse already took the 1,500 cached tokens out of `input`
      { line: 3, provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 }, cost: 0.0003675, env: 'production' },
      // output 260 + output_reasoning_tokens 640 = 900, of which 640 reasoning
      { line: 64, provider: 'openai', model: 'o4-mini', tokens: { input: 1200, cacheRead: 0, cacheWrite: 0, output: 900, reasoning: 640 }, cost: 0.00264, env: 'production' },
      // cache writes 500 (5m) + 1,000 (1h); no cost total: the sum of the parts
      { line: 120, provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', tokens: { input: 500, cacheRead: 10000, cacheWrite: 1500, cacheWrite1h: 1000, output: 640 }, cost: 0.0015 + 0.003 + 0.001875 + 0.006 + 0.0096, env: 'production' },
      // Gemini raw keys: promptTokenCount 1,000 includes the 600 cached; candidates 80 + thoughts 120
      { line: 266, provider: 'google', model: 'gemini-2.5-flash', tokens: { input: 400, cacheRead: 600, cacheWrite: 0, output: 200, reasoning: 120 }, cost: 0.000645, env: 'staging' },
      // legacy `usage` only, `calculatedTotalCost`; environment `default` names none
      { line: 318, provider: 'openai', model: 'gpt-4', tokens: { input: 52, cacheRead: 0, cacheWrite: 0, output: 47 }, cost: 0.00438, env: undefined },
    ]);
    const lines = readFileSync(PAGE, 'utf8').split('\n');
    for (const r of records) {
      expect(lines[r.source.line - 1]!.trim()).toBe('{');
      expect(lines[r.source.line]!.trim()).toMatch(/^"id": /);
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
    }
  });

  it('counts observations without usage (SPAN, EVENT, a failed GENERATION) as ignored', () => {
    expect(ignored).toEqual([
      { file: PAGE, line: 178, reason: 'observation without usage: SPAN' },
      { file: PAGE, line: 223, reason: 'observation without usage: EVENT' },
      { file: PAGE, line: 361, reason: 'observation without usage: GENERATION' },
    ]);
  });

  it("uses Langfuse's own id for dedup, the trace as task, metadata and labels as tags", () => {
    const r = records[0]!;
    expect({ ...r, tags: { ...r.tags } }).toEqual({
      start: '2025-10-01T09:15:03.512Z',
      provider: 'openai',
      model: 'gpt-4o-mini',
      modelRaw: 'gpt-4o-mini',
      requests: 1,
      tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 },
      reportedCost: { amount: 0.0003675, currency: 'USD' },
      dims: { environment: 'production' },
      tags: {
        ticket: 'T-1042',
        channel: 'email',
        name: 'OpenAI-generation',
        promptName: 'support-answer',
        promptVersion: '3',
        level: 'DEFAULT',
        parentObservationId: 'obs-01J9Q0SPAN000000000000001',
        type: 'GENERATION',
      },
      requestId: 'obs-01J9Q0A1B2C3D4E5F6G7H8J9K0',
      dedupKey: 'langfuse:obs-01J9Q0A1B2C3D4E5F6G7H8J9K0',
      traceId: '7f3a9c1e2b4d4f6a8c0e1a3b5d7f9b2c',
      taskId: '7f3a9c1e2b4d4f6a8c0e1a3b5d7f9b2c',
      latencyMs: 1840,
      source: { file: PAGE, line: 3, format: 'langfuse' },
    });
    expect(records[1]!.serviceTier).toBe('flex'); // modelParameters.service_tier
    expect(records[2]!.tags.ls_provider).toBe('anthropic');
    expect(records[3]!.tags['usage.web_search_queries']).toBe('2');
  });
});

describe('langfuse: UI export as CSV', async () => {
  const { records, problems, ignored } = await parseFile(parser, CSV);

  it('reads JSON cells, userId and EMBEDDING observations', () => {
    expect(problems).toEqual([]);
    expect(ignored).toEqual([{ file: CSV, line: 4, reason: 'observation without usage: AGENT' }]);
    // prettier-ignore
    expect(records.map((r) => ({ ...row(r), user: r.dims.user, op: r.operation }))).toEqual([
      { line: 2, provider: 'anthropic', model: 'claude-3-5-haiku-20241022', tokens: { input: 300, cacheRead: 4000, cacheWrite: 0, output: 150 }, cost: 0.00116, env: 'staging', user: 'cust-7', op: undefined },
      { line: 3, provider: 'openai', model: 'text-embedding-3-small', tokens: { input: 2048, cacheRead: 0, cacheWrite: 0, output: 0 }, cost: 0.00004096, env: 'staging', user: 'cust-7', op: 'embeddings' },
      { line: 5, provider: 'mistral', model: 'mistral-large-latest', tokens: { input: 700, cacheRead: 0, cacheWrite: 0, output: 90 }, cost: 0.00221, env: undefined, user: 'cust-8', op: undefined },
    ]);
    for (const r of records) expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    expect(records[0]!.tags).toMatchObject({ kb: 'billing', traceName: 'rag-answer', sessionId: 's-99' });
  });
});

describe('langfuse: usage key conventions', () => {
  const t = (d: Record<string, unknown>) => usageDetailsTokens(d, stringMap());

  it('puts each disjoint key in its bucket by name', () => {
    expect(t({ input: 500, input_cached_tokens: 1500, output: 300, total: 2300 })).toEqual({
      input: 500,
      cacheRead: 1500,
      cacheWrite: 0,
      output: 300,
    });
    expect(
      t({ input: 4, cache_read_input_tokens: 10000, cache_creation_input_tokens: 2000, output: 120 }),
    ).toEqual({ input: 4, cacheRead: 10000, cacheWrite: 2000, output: 120 });
    expect(t({ input_tokens: 7, output_tokens: 3, input_audio_tokens: 2, output_audio: 1 })).toEqual({
      input: 9,
      cacheRead: 0,
      cacheWrite: 0,
      output: 4,
    });
    expect(t({ total: 5 })).toBeUndefined();
    expect(t({})).toBeUndefined();
  });

  it('counts a cache-write total next to its own 5m/1h split once', () => {
    expect(
      t({ input_cache_creation: 1500, input_cache_creation_5m: 500, input_cache_creation_1h: 1000 }),
    ).toEqual({ input: 0, cacheRead: 0, cacheWrite: 1500, cacheWrite1h: 1000, output: 0 });
  });

  it('rejects negative and fractional counts, naming the key', () => {
    expect(() => t({ input: -1 })).toThrow('usageDetails.input is negative: -1');
    expect(() => t({ output: 1.5 })).toThrow('usageDetails.output is not a whole number: 1.5');
  });
});

describe('langfuse: bad input', () => {
  const good = {
    id: 'o1',
    traceId: 't1',
    type: 'GENERATION',
    startTime: '2025-10-01T00:00:00Z',
    model: 'gpt-4o',
    usageDetails: { input: 10, output: 5 },
  };

  it('reports each unusable observation with its line and an actionable reason', async () => {
    const rows = [
      { ...good, id: undefined },
      { ...good, startTime: undefined },
      { ...good, model: undefined },
      { ...good, usageDetails: { input: 'ten' } },
      { ...good, usageDetails: [1, 2] },
      { ...good, costDetails: { total: -0.5 } },
      { ...good, metadata: 'not json {' },
      good,
    ];
    const text = rows.map((r) => JSON.stringify(r)).join('\n');
    const { records, problems } = await collect(parser, memInput('bad.jsonl', Buffer.from(text)));
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'no id'],
      [2, 'no startTime'],
      [3, 'no model (usage without a model cannot be priced)'],
      [4, 'usageDetails.input is not a number: "ten"'],
      [5, 'usageDetails is not an object'],
      [6, 'costDetails.total is negative: -0.5'],
      [7, 'metadata is not an object'],
    ]);
    expect(records.map((r) => r.source.line)).toEqual([8]);
  });

  it('keeps a cost-only generation, and the cost of a non-token unit', async () => {
    const rows = [
      { ...good, usageDetails: {}, costDetails: { total: 0.02 } },
      {
        ...good,
        usageDetails: {},
        usage: { input: 4000, output: 0, unit: 'CHARACTERS' },
        calculatedTotalCost: 0.001,
      },
    ];
    const { records } = await collect(
      parser,
      memInput('c.jsonl', Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'))),
    );
    expect(records.map((r) => [r.tokens, r.reportedCost?.amount, r.tags['usage.unit']])).toEqual([
      [{ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }, 0.02, undefined],
      [{ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }, 0.001, 'CHARACTERS'],
    ]);
  });

  it('refuses a CSV without id or startTime columns', async () => {
    const { problems } = await parseFile(parser, tempFile('x.csv', 'traceId,model\nt,gpt-4o\n'));
    expect(problems.map((p) => p.reason)).toEqual([
      'not a Langfuse observations CSV: no id or startTime column',
    ]);
  });
});

describe('langfuse: detection', () => {
  it('claims its own samples with ≥ 0.9', async () => {
    for (const f of readdirSync(dir).filter((f) => !f.endsWith('.md'))) {
      const { head } = await openInput(join(dir, f));
      expect(parser.detect(head, f), f).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('claims no other sample, no shared third-party file and no foreign line format', async () => {
    for (const s of sampleFiles().filter((s) => s.format !== 'langfuse')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    for (const f of readdirSync(join(SHARED_DATA, 'openai'))) {
      expect(parser.detect(readFileSync(join(SHARED_DATA, 'openai', f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    for (const head of Object.values(FOREIGN_HEADS)) expect(parser.detect(head, 'x.jsonl')).toBe(0);
  });
});

describe('langfuse: chunk boundaries (property)', () => {
  it('never changes the items of the API page or of the CSV', async () => {
    for (const file of [PAGE, CSV]) {
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
