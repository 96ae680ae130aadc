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
import { requestLogParser } from '../../src/parsers/request-log.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROJECTS = `${ROOT}fixtures/samples/claude-code/projects/`;
const API = `${PROJECTS}-home-dev-acme-api/3b1f6c2e-8d4a-4e9b-9c57-2a6e1f0d7b13.jsonl`;
const WEB = `${PROJECTS}-home-dev-acme-web/9d2e7a41-0c3b-4f6e-a8d5-7e1b3c9f2a60.jsonl`;
const REQUESTS = `${ROOT}fixtures/samples/request-log/requests.jsonl`;
const OPENAI_PAGE = join(SHARED_DATA, 'openai', 'usage-completions.spec-example.json');
const S1 = '3b1f6c2e-8d4a-4e9b-9c57-2a6e1f0d7b13';
const S2 = '9d2e7a41-0c3b-4f6e-a8d5-7e1b3c9f2a60';
const MSG_A = 'msg_01Hq3vRkQ7aZP2wTt8mNcY5e';
const REQ_A = 'req_011CRa1Hq3vRkQ7aZP2wTt8m';
const MSG_B = 'msg_01Bs7LkP4xWq9EeRt2YuZa3D';
const REQ_B = 'req_011CRa2Bs7LkP4xWq9EeRt2Y';

function parseLines(lines: (object | string)[], name = '/tmp/projects/-home-dev-x/s.jsonl') {
  const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
  return collect(claudeCodeParser, memInput(name, Buffer.from(text, 'utf8')));
}

/** A minimal assistant line in Claude Code's shape. */
function assistant(id: string, req: string, out: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'assistant',
    sessionId: 's-1',
    cwd: '/home/dev/x',
    requestId: req,
    timestamp: '2025-08-14T09:00:00.000Z',
    message: { id, model: 'claude-sonnet-4-20250514', usage: { input_tokens: 1, output_tokens: out } },
    ...extra,
  };
}

const tagsOf = (r: UsageRecord | undefined) => ({ ...r?.tags });

/** Ignored rows by reason, with the counts a fast path folds into one item. */
function ignoredRows(list: { reason: string; count?: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of list) out[x.reason] = (out[x.reason] ?? 0) + (x.count ?? 1);
  return out;
}

describe('claudeCodeParser on the acme-api session', async () => {
  const { records, problems } = await collect(claudeCodeParser, memInput(API, readFileSync(API)));

  it('yields one record per API message, each at the line of its final usage', () => {
    expect(records.map((r) => r.source.line)).toEqual([5, 9, 12, 14]);
    for (const r of records) {
      expect(r.source).toEqual({ file: API, line: r.source.line, format: 'claude-code' });
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
    }
  });

  it('reports the corrupt line, and nothing else (user/summary/system/<synthetic> lines are skipped)', () => {
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe(API);
    expect(problems[0]?.line).toBe(10);
    expect(problems[0]?.reason).toMatch(/^invalid JSON: /);
    expect(records.some((r) => r.model === '<synthetic>')).toBe(false);
  });

  it('counts the thinking + text + tool_use message once (lines 3-5 -> line 5)', () => {
    const { tags, ...r } = records[0] as UsageRecord;
    expect(r).toEqual({
      start: '2025-08-14T09:00:06.447Z',
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      modelRaw: 'claude-sonnet-4-20250514',
      serviceTier: 'standard',
      requests: 1,
      tokens: { input: 4, cacheRead: 14230, cacheWrite: 6120, output: 412 },
      dims: { project: 'acme-api' },
      taskId: S1,
      requestId: REQ_A,
      dedupKey: `claude-code:${MSG_A}:${REQ_A}`,
      source: { file: API, line: 5, format: 'claude-code' },
    });
    expect(Object.getPrototypeOf(tags)).toBeNull();
    expect({ ...tags }).toEqual({
      sessionId: S1,
      version: '1.0.83',
      gitBranch: 'feat/rate-limit',
      isSidechain: 'false',
      entrypoint: 'cli',
    });
  });

  it('counts the streamed message once with its final output 340 (lines 7, 9; a system line between)', () => {
    expect(records[1]).toMatchObject({
      start: '2025-08-14T09:00:14.871Z',
      tokens: { input: 6, cacheRead: 20350, cacheWrite: 1420, output: 340 },
      dedupKey: `claude-code:${MSG_B}:${REQ_B}`,
      source: { line: 9 },
    });
  });

  it('tags the sub-agent call as a sidechain (line 12)', () => {
    expect(records[2]).toMatchObject({
      model: 'claude-3-5-haiku-20241022',
      tokens: { input: 1830, cacheRead: 0, cacheWrite: 0, output: 95 },
      taskId: S1,
    });
    expect(tagsOf(records[2]).isSidechain).toBe('true');
  });

  it('keeps the 1-hour part of the cache write and the reported cost (line 14)', () => {
    expect(records[3]?.tokens).toEqual({
      input: 3,
      cacheRead: 21770,
      cacheWrite: 18000,
      cacheWrite1h: 16000,
      output: 1288,
    });
    expect(records[3]?.reportedCost).toEqual({ amount: 0.0987, currency: 'USD' });
  });
});

describe('claudeCodeParser on the resumed session', async () => {
  const api = await collect(claudeCodeParser, memInput(API, readFileSync(API)));
  const web = await collect(claudeCodeParser, memInput(WEB, readFileSync(WEB)));

  it('gives the copied messages the dedupKeys of the originals', () => {
    expect(web.problems).toEqual([]);
    expect(web.records.map((r) => [r.source.line, r.dedupKey])).toEqual([
      [2, api.records[0]?.dedupKey],
      [3, api.records[1]?.dedupKey],
      [5, 'claude-code:msg_01Er6TyU9iOp3AsDf5GhJk2L:req_011CRa5Er6TyU9iOp3AsDf5G'],
    ]);
    expect(web.records[0]?.taskId).toBe(S2);
    // Counting both files by dedupKey counts each API message once: 4 + 1 new.
    expect(new Set([...api.records, ...web.records].map((r) => r.dedupKey)).size).toBe(5);
  });

  it('derives the cache-write total from the 5m/1h split when the total is missing (line 5)', () => {
    expect(web.records[2]).toMatchObject({
      model: 'claude-opus-4-1-20250805',
      tokens: { input: 12, cacheRead: 0, cacheWrite: 3000, cacheWrite1h: 3000, output: 57 },
      dims: { project: 'acme-web' },
    });
    expect(tagsOf(web.records[2])).toMatchObject({ sessionId: S2, version: '1.0.85', gitBranch: 'main' });
  });

  it('reads through openInput like the CLI does', async () => {
    const viaFile = await collect(claudeCodeParser, await openInput(WEB));
    expect(viaFile.items).toEqual(web.items);
  });
});

describe('claudeCodeParser edge cases', () => {
  it('keeps the largest output even when it is not on the last line', async () => {
    const { records } = await parseLines([
      assistant('m1', 'r1', 12),
      assistant('m1', 'r1', 340),
      assistant('m1', 'r1', 300),
    ]);
    expect(records.map((r) => [r.tokens.output, r.source.line])).toEqual([[340, 2]]);
  });

  it('emits a message again when its id re-appears non-consecutively, with the same dedupKey', async () => {
    const { records } = await parseLines([
      assistant('m1', 'r1', 5),
      assistant('m2', 'r2', 7),
      assistant('m1', 'r1', 5),
    ]);
    expect(records.map((r) => r.dedupKey)).toEqual([
      'claude-code:m1:r1',
      'claude-code:m2:r2',
      'claude-code:m1:r1',
    ]);
  });

  it('never skips an assistant line unparsed, however its type is written (escapes, spaces)', async () => {
    const plain = JSON.stringify(assistant('m1', 'r1', 5));
    const lines = [
      plain.replace('"type":"assistant"', '"type":"\\u0061ssistant"'),
      plain.replace('"type":"assistant"', '"type":"assis\\u0074ant"').replace('m1', 'm2'),
      plain.replace('"type":"assistant"', '"type" : "assistant"').replace('m1', 'm3'),
      plain.replace('"type":"assistant"', '"\\u0074ype":"assistant"').replace('m1', 'm4'),
      // A user line with a control escape (ANSI colour in a tool result) is parsed, and counted as not usage.
      '{"type":"user","sessionId":"s-1","message":{"role":"user","content":"\\u001b[31mred"}}',
    ];
    const { records, ignored, problems } = await parseLines(lines);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.dedupKey)).toEqual([
      'claude-code:m1:r1',
      'claude-code:m2:r1',
      'claude-code:m3:r1',
      'claude-code:m4:r1',
    ]);
    expect(ignored.length).toBe(1);
  });

  it('treats the same message id under another requestId as another message', async () => {
    const { records } = await parseLines([assistant('m1', 'r1', 5), assistant('m1', 'r2', 5)]);
    expect(records.map((r) => r.dedupKey)).toEqual(['claude-code:m1:r1', 'claude-code:m1:r2']);
  });

  it('reports an assistant line with invalid usage at its line, and still counts its message', async () => {
    const bad = assistant('m1', 'r1', 0);
    bad.message.usage = { input_tokens: 1, output_tokens: -3 };
    const { records, problems } = await parseLines([
      '{"type":"user","sessionId":"s-1","message":{"role":"user","content":"hi"}}',
      assistant('m1', 'r1', 10),
      bad,
      { ...assistant('m2', 'r2', 1), message: { id: 'm2', model: 'claude-sonnet-4-20250514' } },
      { ...assistant('m3', 'r3', 1), timestamp: 'soon' },
      { ...assistant('m4', 'r4', 1), message: { id: 'm4', usage: { input_tokens: 1 } } },
      '[1,2]',
    ]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'message.usage.output_tokens is negative: -3'],
      [4, 'no message.usage'],
      [5, 'timestamp is not a valid time: "soon"'],
      [6, 'no message.model'],
      [7, 'not a JSON object'],
    ]);
    expect(records.map((r) => [r.source.line, r.tokens.output])).toEqual([[2, 10]]);
  });

  it('falls back to the encoded project folder when a line has no cwd; none on stdin', async () => {
    const line = assistant('m1', 'r1', 1);
    delete (line as Partial<typeof line>).cwd;
    const inDir = await parseLines([line], '/home/me/.claude/projects/-home-dev-acme-api/s.jsonl');
    expect(inDir.records[0]?.dims).toEqual({ project: '-home-dev-acme-api' });
    const stdin = await parseLines([line], '<stdin>');
    expect(stdin.records[0]?.dims).toEqual({});
    const win = await parseLines([{ ...line, cwd: 'C:\\Users\\dev\\acme-api\\' }], '<stdin>');
    expect(win.records[0]?.dims).toEqual({ project: 'acme-api' });
  });

  it('emits a message without an id on its own, without a dedupKey', async () => {
    const line = assistant('', 'r1', 4);
    const { records } = await parseLines([line, line]);
    expect(records.map((r) => r.dedupKey)).toEqual([undefined, undefined]);
  });
});

describe('detection matrix', () => {
  const head = (p: string) =>
    readFileSync(p)
      .subarray(0, 64 * 1024)
      .toString('utf8');
  it('claims both Claude Code samples (>= 0.9); request-log refuses them (< 0.5)', () => {
    for (const f of [API, WEB]) {
      expect(claudeCodeParser.detect(head(f), f)).toBeGreaterThanOrEqual(0.9);
      expect(requestLogParser.detect(head(f), f)).toBeLessThan(0.5);
    }
  });

  it('refuses the request-log sample and OpenAI / API page JSON (< 0.5)', () => {
    for (const f of [REQUESTS, OPENAI_PAGE, join(SHARED_DATA, 'openai', 'costs.spec-example.json')]) {
      expect(claudeCodeParser.detect(head(f), f)).toBeLessThan(0.5);
    }
  });

  it('claims a head cut inside a long first line when the compact markers are there', () => {
    const long = `{"type":"user","sessionId":"s","message":{"role":"user","content":"${'x'.repeat(70_000)}`;
    expect(claudeCodeParser.detect(long.slice(0, 64 * 1024), 'x.jsonl')).toBeGreaterThanOrEqual(0.9);
  });
});

describe('chunk boundaries (property)', () => {
  for (const [label, file] of [
    ['acme-api session', API],
    ['resumed session', WEB],
  ] as const) {
    it(`never changes the result of the ${label}`, async () => {
      const bytes = readFileSync(file);
      const whole = await collect(claudeCodeParser, memInput(file, bytes));
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
          async (cuts) => {
            const split = await collect(claudeCodeParser, memInput(file, bytes, cuts));
            // Records and problems are identical; skipped lines are counted per chunk, so compare their total.
            expect(split.records).toEqual(whole.records);
            expect(split.problems).toEqual(whole.problems);
            expect(ignoredRows(split.ignored)).toEqual(ignoredRows(whole.ignored));
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('never changes the result of messages with arbitrary Unicode text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (blocks, rawCuts) => {
          // Consecutive blocks with the same small id form one message, as Claude Code writes them.
          const text = blocks
            .map(([t, id], i) =>
              JSON.stringify({
                ...assistant(`m${id}`, `r${id}`, i),
                cwd: `/home/dév/${t}`,
                message: {
                  id: `m${id}`,
                  model: 'claude-sonnet-4-20250514',
                  content: [{ type: 'text', text: t }],
                  usage: { input_tokens: 1, output_tokens: i },
                },
              }),
            )
            .join('\n');
          const bytes = Buffer.from(text, 'utf8');
          const whole = await collect(claudeCodeParser, memInput('/p/-x/s.jsonl', bytes));
          const split = await collect(
            claudeCodeParser,
            memInput(
              '/p/-x/s.jsonl',
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
