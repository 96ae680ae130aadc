import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, memInput, SHARED_DATA } from '../helpers/parse.ts';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { claudeCodeParser } from '../../src/parsers/claude-code.ts';
import { isoInstant, requestLogParser, usageTokens } from '../../src/parsers/request-log.ts';
import { toIsoInstant } from '../../src/parsers/util.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLES = `${ROOT}fixtures/samples/request-log/`;
const GOOD = `${SAMPLES}requests.jsonl`;
const CRLF = `${SAMPLES}requests-crlf.jsonl`;
const BAD = `${SAMPLES}requests-bad.jsonl`;
const CC_API = `${ROOT}fixtures/samples/claude-code/projects/-home-dev-acme-api/3b1f6c2e-8d4a-4e9b-9c57-2a6e1f0d7b13.jsonl`;
const CC_WEB = `${ROOT}fixtures/samples/claude-code/projects/-home-dev-acme-web/9d2e7a41-0c3b-4f6e-a8d5-7e1b3c9f2a60.jsonl`;
const OPENAI_PAGE = join(SHARED_DATA, 'openai', 'usage-completions.spec-example.json');

function parseText(text: string, name = 'mem.jsonl') {
  return collect(requestLogParser, memInput(name, Buffer.from(text, 'utf8')));
}

const zero = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };

describe('requestLogParser on requests.jsonl', async () => {
  const { records, problems } = await collect(requestLogParser, memInput(GOOD, readFileSync(GOOD)));
  const byLine = new Map(records.map((r) => [r.source.line, r]));
  const at = (line: number): UsageRecord => {
    const r = byLine.get(line);
    if (!r) throw new Error(`no record for line ${line}`);
    return r;
  };

  it('yields one record per non-blank line, in order, and no problems', () => {
    expect(problems).toEqual([]);
    expect(records.map((r) => r.source.line)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20,
    ]);
    for (const r of records) {
      expect(r.source).toEqual({ file: GOOD, line: r.source.line, format: 'request-log' });
      expect(r.requests).toBe(1);
      expect(r.model).toBe(r.modelRaw);
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
    }
  });

  it('reads every top-level field (line 1)', () => {
    expect({ ...at(1), tags: { ...at(1).tags } }).toEqual({
      start: '2026-10-01T09:14:03.512Z',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      modelRaw: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      serviceTier: 'standard',
      requests: 1,
      tokens: { input: 1520, cacheRead: 1024, cacheWrite: 0, output: 212 },
      reportedCost: { amount: 0.000426, currency: 'USD' },
      dims: {
        app: 'helpdesk-bot',
        team: 'support',
        workflow: 'answer',
        project: 'helpdesk',
        apiKey: 'key-support-01',
        user: 'agent-17',
        environment: 'prod',
      },
      tags: {},
      requestId: 'req_8f2c',
      dedupKey: 'request:openai:req_8f2c',
      traceId: 'trc_77a1',
      taskId: 'tkt_1042',
      latencyMs: 1840,
      status: 'ok',
      outcome: 'resolved',
      source: { file: GOOD, line: 1, format: 'request-log' },
    });
  });

  it('makes OpenAI Chat usage disjoint: prompt 2000 / cached 1500 / completion 300 / reasoning 100 (line 2)', () => {
    expect(at(2).tokens).toEqual({ input: 500, cacheRead: 1500, cacheWrite: 0, output: 300, reasoning: 100 });
    expect(at(2).dedupKey).toBe('request:openai:chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG');
  });

  it('treats null *_details as absent (line 3, Azure)', () => {
    expect(at(3).tokens).toEqual({ input: 812, cacheRead: 0, cacheWrite: 0, output: 64 });
    expect(at(3).provider).toBe('azure-openai');
  });

  it('copies Anthropic usage, whose input is already uncached (lines 4, 5, 19)', () => {
    expect(at(4).tokens).toEqual({ input: 310, cacheRead: 5200, cacheWrite: 0, output: 640 });
    expect(at(5).tokens).toEqual({
      input: 310,
      cacheRead: 5200,
      cacheWrite: 12000,
      cacheWrite1h: 8000,
      output: 640,
    });
    expect(at(5).serviceTier).toBe('priority'); // from usage.service_tier
    // cache_creation split without the total: total = 5m + 1h
    expect(at(19).tokens).toEqual({
      input: 80,
      cacheRead: 0,
      cacheWrite: 3000,
      cacheWrite1h: 2000,
      output: 10,
    });
  });

  it('makes OpenAI Responses usage disjoint (line 6)', () => {
    expect(at(6).tokens).toEqual({
      input: 1304,
      cacheRead: 4096,
      cacheWrite: 0,
      output: 950,
      reasoning: 640,
    });
    expect(at(6)).toMatchObject({
      operation: 'responses',
      serviceTier: 'flex',
      traceId: 'trc_research_9',
      taskId: 'trc_research_9',
    });
  });

  it('keeps text only when no counts are given (lines 7, 8, 9, 18)', () => {
    expect(at(7).text).toEqual({
      prompt: "Classify this ticket: «Je n'arrive pas à payer ma facture» 💳",
      completion: 'billing',
    });
    expect(at(7).tokens).toEqual(zero);
    expect(at(8).text).toEqual({ prompt: '要約してください: 注文 #4521 は配送中です。' });
    expect(at(9).text).toBeUndefined();
    expect(at(9).tokens).toEqual({ input: 100, cacheRead: 0, cacheWrite: 0, output: 20 });
    expect(at(18).text).toEqual({ completion: 'Thanks — we’ll be in touch within 24 h.' });
  });

  it('reads every timestamp form as a UTC instant', () => {
    expect(at(7).start).toBe('2025-10-01T09:20:00.000Z'); // epoch ms 1759310400000
    expect(at(8).start).toBe('2025-10-01T09:21:00.000Z'); // `ts`, epoch s 1759310460
    expect(at(9).start).toBe('2026-10-01T08:00:00.000Z'); // +02:00
    expect(at(10).start).toBe('2026-10-01T10:05:00.000Z'); // no zone = UTC
    expect(at(11).start).toBe('2026-10-01T10:06:30.000Z'); // space instead of T
  });

  it('reads rag chunks and the reasoning part of our own buckets (line 10)', () => {
    expect(at(10).tokens).toEqual({ input: 4200, cacheRead: 0, cacheWrite: 0, output: 380, reasoning: 120 });
    expect(at(10).rag).toEqual({
      chunks: [
        { tokens: 640, score: 0.82, used: true },
        { tokens: 512, score: 0.41, used: false },
        { tokens: 300 },
      ],
    });
  });

  it('merges the dims object under top-level dims, accepts digit-string counts (line 11)', () => {
    expect(at(11).dims).toEqual({
      app: 'search',
      team: 'search-infra',
      apiKey: 'key-plat-02',
      environment: 'staging',
    });
    expect(at(11).tokens).toEqual({ input: 900, cacheRead: 0, cacheWrite: 0, output: 75 });
    expect({ ...at(11).tags }).toEqual({ feature: 'autocomplete', ab: 'B' });
  });

  it('reads cache_write_1h; omits zero sub-parts; `tags` wins over `metadata` (line 12)', () => {
    expect(at(12).tokens).toEqual({
      input: 200,
      cacheRead: 0,
      cacheWrite: 9000,
      cacheWrite1h: 9000,
      output: 45,
    });
    expect({ ...at(12).tags }).toEqual({ doc: 'msa-2026-v2' });
  });

  it('stringifies metadata into a null-prototype map, `__proto__` included (line 5)', () => {
    const tags = at(5).tags;
    expect(Object.getPrototypeOf(tags)).toBeNull();
    expect(Object.entries(tags)).toEqual([
      ['customer_tier', 'enterprise'],
      ['__proto__', 'not-a-prototype'],
      ['retries', '2'],
      ['beta', 'true'],
      ['nested', '{"region":"eu","ids":[1,2]}'],
    ]);
    expect(({} as Record<string, unknown>).customer_tier).toBeUndefined();
  });

  it('reads extras and per-provider dedup keys (lines 13–16, 18, 20)', () => {
    expect(at(13)).toMatchObject({
      tokens: { input: 1500, cacheRead: 0, cacheWrite: 0, output: 0 },
      latencyMs: 30000,
      status: 'timeout',
      outcome: 'failed',
      reportedCost: { amount: 0.00015, currency: 'USD' },
      dedupKey: 'request:mistral:mis-0001',
    });
    expect(at(14)).toMatchObject({
      operation: 'embeddings',
      tokens: { input: 8000, cacheRead: 0, cacheWrite: 0, output: 0 },
    });
    expect(at(15)).toMatchObject({
      provider: 'aws-bedrock',
      serviceTier: 'batch',
      tokens: { input: 950, cacheRead: 0, cacheWrite: 0, output: 120 },
      taskId: 'trc_batch_3',
    });
    expect(at(15).dedupKey).toBeUndefined(); // no request id, no key
    expect(at(16).dedupKey).toBe(at(2).dedupKey); // the same request logged twice
    expect(at(18)).toMatchObject({
      requestId: '9001',
      dedupKey: 'request:openai:9001',
      dims: { app: 'helpdesk-bot', user: '42' },
    });
    expect(at(20).tokens).toEqual({ input: 250, cacheRead: 50, cacheWrite: 0, output: 40 }); // `tokens` wins over `usage`
  });

  it('parses the CRLF variant to the same records', async () => {
    const crlf = await collect(requestLogParser, memInput(CRLF, readFileSync(CRLF)));
    expect(crlf.problems).toEqual([]);
    expect(crlf.records.map((r) => ({ ...r, source: { ...r.source, file: GOOD } }))).toEqual(records);
  });

  it('reads through openInput like the CLI does', async () => {
    const viaFile = await collect(requestLogParser, await openInput(GOOD));
    expect(viaFile.records).toEqual(records);
  });
});

describe('requestLogParser on requests-bad.jsonl', () => {
  it('reports one problem per line with file:line and a precise reason', async () => {
    const { records, problems } = await collect(requestLogParser, memInput(BAD, readFileSync(BAD)));
    expect(records).toEqual([]);
    expect(problems.map((p) => p.file)).toEqual(problems.map(() => BAD));
    const reasons = problems.map((p) => [p.line, p.reason] as const);
    expect(reasons[0]?.[0]).toBe(1);
    expect(reasons[0]?.[1]).toMatch(/^invalid JSON: /);
    expect(reasons.slice(1)).toEqual([
      [2, 'not a JSON object'],
      [3, 'no timestamp'],
      [4, 'timestamp is not a valid time: "yesterday"'],
      [5, 'no provider'],
      [6, 'no model'],
      [7, 'tokens.input is negative: -5'],
      [8, 'usage.completion_tokens is not a whole number: 12.5'],
      [9, 'usage.prompt_tokens_details.cached_tokens (900) exceeds usage.prompt_tokens (800)'],
      [10, 'no token counts and no prompt/completion text'],
      [
        11,
        'tokens has an unknown key "cached" (expected input, cache_read, cache_write, cache_write_1h, output, reasoning)',
      ],
      [12, 'usage has none of prompt_tokens, completion_tokens, input_tokens, output_tokens'],
      [13, 'rag.chunks[1].tokens is negative: -3'],
      [14, 'cost is not a number: "cheap"'],
      [15, 'latency_ms is not a non-negative number: -4'],
      [16, 'metadata is not an object'],
      [17, 'tokens.reasoning (50) exceeds tokens.output (20)'],
      [
        18,
        'usage.cache_creation.ephemeral_1h_input_tokens (500) exceeds usage.cache_creation_input_tokens (100)',
      ],
      [19, 'usage.input_tokens_details.cached_tokens (200) exceeds usage.input_tokens (100)'],
      [20, 'team is not a string'],
      [21, 'prompt is not a string'],
    ]);
  });
});

describe('requestLogParser edge cases', () => {
  it('skips blank and whitespace-only lines without a problem; reads a last line without newline', async () => {
    const line =
      '{"timestamp":"2026-10-01T00:00:00Z","provider":"openai","model":"gpt-4o","tokens":{"input":1}}';
    const { records, problems } = await parseText(`\n   \n${line}\n\t\n${line}`);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.source.line)).toEqual([3, 5]);
  });

  it('rejects usage mixing OpenAI Responses and Anthropic fields', async () => {
    const { problems } = await parseText(
      '{"timestamp":"2026-10-01T00:00:00Z","provider":"x","model":"m","usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":1},"cache_read_input_tokens":5}}',
    );
    expect(problems.map((p) => p.reason)).toEqual([
      'usage mixes OpenAI Responses (input_tokens_details) and Anthropic (cache_*_input_tokens) fields',
    ]);
  });

  it('usageTokens: a bare {input_tokens, output_tokens} is uncached input', () => {
    expect(usageTokens({ input_tokens: 7, output_tokens: 3 }, 'usage')).toEqual({
      input: 7,
      cacheRead: 0,
      cacheWrite: 0,
      output: 3,
    });
  });
});

describe('isoInstant (fast path of toIsoInstant)', () => {
  const same = (v: unknown) => {
    let want: string | Error;
    try {
      want = toIsoInstant(v);
    } catch (e) {
      want = e as Error;
    }
    if (want instanceof Error) expect(() => isoInstant(v)).toThrow(want.message);
    else expect(isoInstant(v)).toBe(want);
  };

  it('agrees with toIsoInstant on fixed cases', () => {
    for (const v of [
      '2026-10-01T09:14:03.512Z',
      '2026-02-30T00:00:00.000Z', // rolls over, as Date does
      '2024-02-29T23:59:59.999Z',
      '2026-10-01T24:00:00.000Z',
      '1999-12-31T23:59:59.999Z',
      '2026-1a-01T00:00:00.000Z',
      '2026-10-01T09:14:03.51xZ',
      // A non-digit in the time fields is not a canonical instant (was taken as one: -1 passed `<= 23`).
      '2026-10-01Tab:14:03.512Z',
      '2026-10-01T09:-1:03.512Z',
      '2026-10-01T09:14:0x.512Z',
    ]) {
      same(v);
    }
  });

  it('agrees with toIsoInstant on arbitrary 24-character timestamps', () => {
    // Fields around their valid ranges, so both the fast path and its fallbacks are hit.
    const f = (min: number, max: number, width: number) =>
      fc.integer({ min, max }).map((n) => String(n).padStart(width, '0'));
    fc.assert(
      fc.property(
        fc.tuple(
          f(1995, 2205, 4),
          f(0, 13, 2),
          f(0, 32, 2),
          f(0, 25, 2),
          f(0, 60, 2),
          f(0, 60, 2),
          f(0, 999, 3),
        ),
        ([y, mo, da, h, mi, se, ms]) => same(`${y}-${mo}-${da}T${h}:${mi}:${se}.${ms}Z`),
      ),
      { numRuns: 3000 },
    );
  });
});

describe('detection matrix', () => {
  const head = (p: string) =>
    readFileSync(p)
      .subarray(0, 64 * 1024)
      .toString('utf8');
  const cases: [string, string, number, number][] = [
    // file, label, min/max for request-log, min/max for claude-code (>= 0.9 means "claims", < 0.5 means "refuses")
    [GOOD, 'requests.jsonl', 0.9, 0],
    [CRLF, 'requests-crlf.jsonl', 0.9, 0],
    [CC_API, 'claude-code session', 0, 0.9],
    [CC_WEB, 'claude-code resumed session', 0, 0.9],
    [OPENAI_PAGE, 'OpenAI usage page JSON', 0, 0],
    [join(SHARED_DATA, 'openai', 'costs.spec-example.json'), 'OpenAI costs page JSON', 0, 0],
  ];
  for (const [file, label, rl, cc] of cases) {
    it(`${label}: request-log ${rl ? '>= 0.9' : '< 0.5'}, claude-code ${cc ? '>= 0.9' : '< 0.5'}`, () => {
      const h = head(file);
      const a = requestLogParser.detect(h, file);
      const b = claudeCodeParser.detect(h, file);
      if (rl) expect(a).toBeGreaterThanOrEqual(0.9);
      else expect(a).toBeLessThan(0.5);
      if (cc) expect(b).toBeGreaterThanOrEqual(0.9);
      else expect(b).toBeLessThan(0.5);
    });
  }

  it('refuses lines that carry another format marker', () => {
    const anthropicReport =
      '{"starting_at":"2026-10-01T00:00:00Z","ending_at":"2026-10-02T00:00:00Z","timestamp":1,"model":"m"}\n';
    expect(requestLogParser.detect(anthropicReport, 'x.jsonl')).toBe(0);
    expect(requestLogParser.detect('{"object":"page","timestamp":1,"model":"m"}\n', 'x.jsonl')).toBe(0);
  });

  it('judges a head cut inside a long first line by its key names', () => {
    const long = `{"timestamp":"2026-10-01T00:00:00Z","model":"gpt-4o","provider":"openai","prompt":"${'x'.repeat(70_000)}`;
    const h = long.slice(0, 64 * 1024);
    expect(requestLogParser.detect(h, 'x.jsonl')).toBeGreaterThanOrEqual(0.5);
    expect(claudeCodeParser.detect(h, 'x.jsonl')).toBe(0);
  });
});

describe('chunk boundaries (property)', () => {
  async function sameAcrossCuts(file: string, bytes: Buffer, runs: number) {
    const whole = await collect(requestLogParser, memInput(file, bytes));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 40 }),
        async (cuts) => {
          const split = await collect(requestLogParser, memInput(file, bytes, cuts));
          expect(split.items).toEqual(whole.items);
        },
      ),
      { numRuns: runs },
    );
  }

  it('never changes the result of the samples (good, CRLF, bad)', async () => {
    await sameAcrossCuts(GOOD, readFileSync(GOOD), 150);
    await sameAcrossCuts(CRLF, readFileSync(CRLF), 100);
    await sameAcrossCuts(BAD, readFileSync(BAD), 100);
  });

  it('never changes the result of lines with arbitrary Unicode text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (prompts, crlf, rawCuts) => {
          const eol = crlf ? '\r\n' : '\n';
          const text = prompts
            .map((p, i) =>
              JSON.stringify({ ts: 1759310400 + i, provider: 'openai', model: 'gpt-4o', prompt: p, user: p }),
            )
            .join(eol);
          const bytes = Buffer.from(text, 'utf8');
          const whole = await collect(requestLogParser, memInput('u.jsonl', bytes));
          expect(whole.records.map((r) => r.text?.prompt)).toEqual(prompts);
          const split = await collect(
            requestLogParser,
            memInput(
              'u.jsonl',
              bytes,
              rawCuts.map((c) => c % bytes.length),
            ),
          );
          expect(split.items).toEqual(whole.items);
        },
      ),
      { numRuns: 200 },
    );
  });
});
