import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import {
  FAILED_BATCH_REQUEST,
  openaiBatchOutputParser as parser,
} from '../../src/parsers/openai-batch-output.ts';
import { requestLogParser } from '../../src/parsers/request-log.ts';
import {
  collect,
  FOREIGN_HEADS,
  memInput,
  parseFile,
  SAMPLES_DIR,
  sampleFiles,
  SHARED_DATA,
} from '../helpers/parse.ts';

// No real batch output of an organization was available: lines 1–2 of batch-output.jsonl and lines 1–2 of
// batch-errors.jsonl are the OpenAI Batch guide's own examples; the other lines are hand-written in the published
// BatchRequestOutput shape (see fixtures/samples/openai-batch-output/README.md).
const dir = join(SAMPLES_DIR, 'openai-batch-output');
const OUTPUT = join(dir, 'batch-output.jsonl');
const ERRORS = join(dir, 'batch-errors.jsonl');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  start: r.start,
  model: r.modelRaw,
  op: r.operation,
  tier: r.serviceTier,
  requests: r.requests,
  ...r.tokens,
});

describe('openai-batch-output: detection', () => {
  it('claims its own samples with ≥ 0.9', async () => {
    for (const f of [OUTPUT, ERRORS]) {
      const { head } = await openInput(f);
      expect(parser.detect(head, f), f).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('claims no other sample, no shared OpenAI file and no foreign head (< 0.5)', async () => {
    for (const s of sampleFiles().filter((x) => x.format !== 'openai-batch-output')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    const shared = join(SHARED_DATA, 'openai');
    for (const f of readdirSync(shared).filter((n) => n.endsWith('.json'))) {
      expect(parser.detect(readFileSync(join(shared, f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    for (const [name, head] of Object.entries(FOREIGN_HEADS)) expect(parser.detect(head, 'x'), name).toBe(0);
  });

  it('does not claim the batch *input* file (custom_id, method, url, body)', () => {
    const input =
      '{"custom_id": "request-1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": []}}\n';
    expect(parser.detect(input, 'batch_input.jsonl')).toBe(0);
  });

  it('falls back to key names when the first line is longer than the head', () => {
    const frag =
      '{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"body":{"choices":[{"x":"' +
      'y'.repeat(100);
    expect(parser.detect(frag, 'x')).toBe(0.7);
  });

  it('is not claimed by the request-log parser', async () => {
    const { head } = await openInput(OUTPUT);
    expect(requestLogParser.detect(head, OUTPUT)).toBeLessThan(0.5);
  });
});

describe('openai-batch-output: the output file', () => {
  it('yields one batch-priced record per completed request, with disjoint tokens (hand-computed)', async () => {
    const { records, problems, ignored } = await parseFile(parser, OUTPUT);
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // the Batch guide's examples: no cache, no reasoning
      { line: 1, start: '2024-03-28T19:06:35.000Z', model: 'gpt-3.5-turbo-0125', op: 'chat', tier: 'batch', requests: 1, input: 22, cacheRead: 0, cacheWrite: 0, output: 2 },
      { line: 2, start: '2024-03-28T19:06:29.000Z', model: 'gpt-3.5-turbo-0125', op: 'chat', tier: 'batch', requests: 1, input: 20, cacheRead: 0, cacheWrite: 0, output: 9 },
      // prompt 1,500 includes 1,024 cached: input = 1,500 − 1,024 = 476; service_tier "default" does not win over batch
      { line: 3, start: '2025-06-01T12:00:00.000Z', model: 'gpt-4o-mini-2024-07-18', op: 'chat', tier: 'batch', requests: 1, input: 476, cacheRead: 1024, cacheWrite: 0, output: 200 },
      // reasoning 1,920 is a part of output 2,400, not added to it
      { line: 4, start: '2025-06-01T12:01:00.000Z', model: 'o4-mini-2025-04-16', op: 'chat', tier: 'batch', requests: 1, input: 800, cacheRead: 0, cacheWrite: 0, output: 2400, reasoning: 1920 },
      // a /v1/responses body: created_at, input_tokens 1,200 − 1,024 cached = 176
      { line: 5, start: '2025-06-01T12:02:00.000Z', model: 'gpt-4.1-mini-2025-04-14', op: 'chat', tier: 'batch', requests: 1, input: 176, cacheRead: 1024, cacheWrite: 0, output: 300 },
    ]);
    for (const r of records) expect(UsageRecordSchema.parse(r)).toEqual(r);
  });

  it('keys each record by its completion id (as a gateway would) and tags custom_id and the batch request id', async () => {
    const { records } = await parseFile(parser, OUTPUT);
    expect(records[0]).toMatchObject({
      provider: 'openai',
      model: 'gpt-3.5-turbo-0125',
      requestId: 'chatcmpl-123',
      dedupKey: 'request:openai:chatcmpl-123',
      dims: {},
      tags: { custom_id: 'request-2', batch_request_id: 'batch_req_123', request_id: 'req_123' },
      source: { file: OUTPUT, line: 1, format: 'openai-batch-output' },
    });
    expect(records[4]!.dedupKey).toBe('request:openai:resp_68a1c0f1a2b3c4d5e6f708192a3b4c5d');
  });
});

describe('openai-batch-output: failed and bad lines', () => {
  it('counts failed and expired lines as ignored, never priced', async () => {
    const { records, problems, ignored } = await parseFile(parser, ERRORS);
    expect(records).toEqual([]);
    expect(problems).toEqual([]);
    expect(ignored).toEqual([1, 2, 3].map((line) => ({ file: ERRORS, line, reason: FAILED_BATCH_REQUEST })));
  });

  it('reports unusable lines with their line and an actionable reason', async () => {
    const ok = readFileSync(OUTPUT, 'utf8').split('\n')[0]!;
    const lines = [
      ok,
      '{"id":"batch_req_2","custom_id":"e","response":{"status_code":200,"request_id":"r","body":{"object":"list","data":[],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}},"error":null}',
      '{"id":"batch_req_3","custom_id":"n","response":{"status_code":200,"body":{"id":"chatcmpl-n","object":"chat.completion","created":1748779200,"model":"gpt-4o"}},"error":null}',
      '{"id":"batch_req_4","custom_id":"c","response":{"status_code":200,"body":{"id":"chatcmpl-c","object":"chat.completion","created":1748779200,"model":"gpt-4o","usage":{"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":11}}}},"error":null}',
      '{"id":"batch_req_5","custom_id":"m","response":{"status_code":200,"body":{"id":"chatcmpl-m","object":"chat.completion","created":1748779200,"usage":{"prompt_tokens":1,"completion_tokens":1}}},"error":null}',
      '{"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":{}}',
      '{"id":"batch_req_6","custom_id":"s","response":{"status_code":500,"body":{"error":{"message":"server"}}},"error":null}',
      'not json',
    ];
    const { records, problems, ignored } = await collect(
      parser,
      memInput('mixed.jsonl', Buffer.from(lines.join('\n'))),
    );
    expect(records.map((r) => r.source.line)).toEqual([1]);
    expect(ignored).toEqual([{ file: 'mixed.jsonl', line: 7, reason: FAILED_BATCH_REQUEST }]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [
        2,
        'response.body has no "created" time (OpenAI does not date embeddings results): take this usage from the Usage API export (openai-usage) instead',
      ],
      [3, 'response.body has no "usage": the tokens of this request are unknown'],
      [
        4,
        'response.body.usage.prompt_tokens_details.cached_tokens (11) exceeds response.body.usage.prompt_tokens (10)',
      ],
      [5, 'response.body has no "model"'],
      [6, 'not a Batch API output line: expected "response" and "error" keys'],
      [8, expect.stringMatching(/^invalid JSON/)],
    ]);
  });

  it('streams: the same records whatever the chunk boundaries', async () => {
    const bytes = readFileSync(OUTPUT);
    const whole = await collect(parser, memInput('o.jsonl', bytes));
    const cut = await collect(parser, memInput('o.jsonl', bytes, [1, 100, 700, 701, 1500, bytes.length - 3]));
    expect(cut.records).toEqual(whole.records);
  });
});
