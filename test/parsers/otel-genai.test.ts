import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import {
  anyValue,
  genaiProviderId,
  otelGenaiParser as parser,
  providerFromModel,
  SPAN_WITHOUT_USAGE,
  spanTokens,
} from '../../src/parsers/otel-genai.ts';
import {
  collect,
  FOREIGN_HEADS,
  memInput,
  parseFile,
  SAMPLES_DIR,
  sampleFiles,
  SHARED_DATA,
} from '../helpers/parse.ts';

// No real OTLP export was available: the samples are built from the GenAI semantic conventions (attribute registry,
// and the example spans of examples-llm-calls.md v1.41.0 in shared/data/otel), see fixtures/samples/otel-genai/README.md.
const dir = join(SAMPLES_DIR, 'otel-genai');
const TRACE = join(dir, 'chat-service-trace.json');
const JSONL = join(dir, 'collector-export.jsonl');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  provider: r.provider,
  model: r.modelRaw,
  tokens: r.tokens,
  key: r.dedupKey,
});

describe('otel-genai: one pretty-printed trace document', async () => {
  const { records, problems, ignored } = await parseFile(parser, TRACE);

  it('yields one record per GenAI span with usage, at the line the span starts, with disjoint buckets', () => {
    expect(problems).toEqual([]);
    // Hand-computed: input_tokens includes cache reads and writes (semconv), so they are subtracted.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // 2,000 input incl. 1,500 cache reads → 500 uncached
      { line: 68, provider: 'openai', model: 'gpt-4o-mini-2024-07-18', tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 }, key: 'request:openai:chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG' },
      // 640 reasoning inside 900 output
      { line: 166, provider: 'openai', model: 'o4-mini-2025-04-16', tokens: { input: 1200, cacheRead: 0, cacheWrite: 0, output: 900, reasoning: 640 }, key: 'request:openai:chatcmpl-B9xQ3aR5jH8kT2nP4wM6qE9uV1cX' },
      // 12,000 input incl. 10,000 reads and 1,500 writes → 500 uncached
      { line: 243, provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', tokens: { input: 500, cacheRead: 10000, cacheWrite: 1500, output: 640 }, key: 'request:anthropic:msg_01HkYp3qVb7TnWx9ZrC2mD4e' },
      // cache reads (8,000) larger than input (40): the instrumentation sent Anthropic's uncached count as it is
      { line: 338, provider: 'anthropic', model: 'claude-3-5-haiku-20241022', tokens: { input: 40, cacheRead: 8000, cacheWrite: 0, output: 95 }, key: undefined },
      { line: 393, provider: 'openai', model: 'text-embedding-3-small', tokens: { input: 812, cacheRead: 0, cacheWrite: 0, output: 0 }, key: undefined },
    ]);
    const lines = readFileSync(TRACE, 'utf8').split('\n');
    for (const r of records) {
      expect(lines[r.source.line - 1]!.trim()).toBe('{');
      expect(lines[r.source.line]!.trim()).toMatch(/^"traceId": /);
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
    }
  });

  it('counts the spans without usage (HTTP server, execute_tool) as ignored, at their lines', () => {
    expect(ignored).toEqual([
      { file: TRACE, line: 39, reason: SPAN_WITHOUT_USAGE },
      { file: TRACE, line: 315, reason: SPAN_WITHOUT_USAGE },
    ]);
  });

  it('reads times exactly, the resource into dims and tags, and leaves content out of tags', () => {
    const r = records[0]!;
    expect({ ...r, tags: { ...r.tags } }).toEqual({
      // startTimeUnixNano 1759310103512345678 → .512; end − start = 1,840,500,000 ns
      start: '2025-10-01T09:15:03.512Z',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      modelRaw: 'gpt-4o-mini-2024-07-18',
      operation: 'chat',
      serviceTier: 'standard', // OpenAI's `default`
      requests: 1,
      tokens: { input: 500, cacheRead: 1500, cacheWrite: 0, output: 300 },
      dims: { app: 'support-bot', environment: 'prod', user: 'cust-42' },
      tags: {
        'service.name': 'support-bot',
        'service.version': '1.4.2',
        'deployment.environment.name': 'prod',
        'telemetry.sdk.language': 'python',
        'gen_ai.request.temperature': '0.2',
        'gen_ai.response.finish_reasons': '["stop"]',
        'enduser.id': 'cust-42',
        'span.name': 'chat gpt-4o-mini',
        'span.id': '1000000000000002',
        'otel.scope.name': 'opentelemetry.instrumentation.openai_v2',
      },
      requestId: 'chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG',
      dedupKey: 'request:openai:chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG',
      traceId: 'a1f0c3d2e4b5968778695a4b3c2d1e0f',
      taskId: 'a1f0c3d2e4b5968778695a4b3c2d1e0f',
      latencyMs: 1840.5,
      status: 'ok',
      source: { file: TRACE, line: 68, format: 'otel-genai' },
    });
    expect(records[1]).toMatchObject({ serviceTier: 'flex', status: 'error', latencyMs: 2250 });
    expect(records[2]!.tags['gen_ai.conversation.id']).toBe('conv_7Qm2');
    expect(records[2]!.status).toBeUndefined(); // status UNSET
    expect(records[4]!.operation).toBe('embeddings');
    for (const r of records) expect(Object.keys(r.tags)).not.toContain('gen_ai.input.messages');
  });
});

describe('otel-genai: collector file exporter (one document per line)', async () => {
  const { records, problems, ignored } = await parseFile(parser, JSONL);

  it('reads the spec example, deprecated attributes and gemini, one line per document', () => {
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    // prettier-ignore
    expect(records.map((r) => ({ ...row(r), app: r.dims.app, env: r.dims.environment }))).toEqual([
      // examples-llm-calls.md "Simple chat completion": 52 input, 47 output
      { line: 1, provider: 'openai', model: 'gpt-4-0613', tokens: { input: 52, cacheRead: 0, cacheWrite: 0, output: 47 }, key: 'request:openai:chatcmpl-9J3uIL87gldCFtiIbyaOvTeYBRA3l', app: 'joke-app', env: undefined },
      // gen_ai.system aws.bedrock, gen_ai.usage.prompt_tokens / completion_tokens; unknown_service:… names no app
      { line: 2, provider: 'aws-bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0', tokens: { input: 350, cacheRead: 0, cacheWrite: 0, output: 120 }, key: undefined, app: undefined, env: 'staging' },
      // az.ai.openai, intValue written as a JSON number
      { line: 2, provider: 'azure-openai', model: 'gpt-4o', tokens: { input: 1024, cacheRead: 0, cacheWrite: 0, output: 256 }, key: undefined, app: undefined, env: 'staging' },
      // 1,000 input incl. 600 cache reads; 120 reasoning inside 200 output
      { line: 3, provider: 'google', model: 'gemini-2.5-flash', tokens: { input: 400, cacheRead: 600, cacheWrite: 0, output: 200, reasoning: 120 }, key: undefined, app: 'doc-summarizer', env: undefined },
    ]);
    for (const r of records) expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    expect(records[0]).toMatchObject({
      start: '2025-10-02T14:00:00.000Z',
      latencyMs: 1250,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      tags: {
        'gen_ai.request.max_tokens': '200',
        'gen_ai.request.top_p': '1',
        'span.id': '00f067aa0ba902b7',
      },
    });
  });

  it('gives the same call the same key as the gateway log sample (litellm-spend), so it is counted once', async () => {
    const { litellmSpendParser } = await import('../../src/parsers/litellm-spend.ts');
    const gateway = await parseFile(
      litellmSpendParser,
      join(SAMPLES_DIR, 'litellm-spend', 'spend-logs.json'),
    );
    const trace = await parseFile(parser, TRACE);
    const keys = new Set(gateway.records.map((r) => r.dedupKey));
    expect(trace.records.filter((r) => keys.has(r.dedupKey)).map((r) => r.requestId)).toEqual([
      'chatcmpl-B9xQ2mT4kZ7nR1vW8yL3pA6sD0fG',
      'chatcmpl-B9xQ3aR5jH8kT2nP4wM6qE9uV1cX',
      'msg_01HkYp3qVb7TnWx9ZrC2mD4e',
    ]);
  });
});

describe('otel-genai: token conventions', () => {
  const attrs = (o: Record<string, unknown>) =>
    Object.assign(Object.create(null) as Record<string, unknown>, o);

  it('subtracts cache reads and writes from input_tokens, which includes them', () => {
    expect(
      spanTokens(
        attrs({
          'gen_ai.usage.input_tokens': '2000',
          'gen_ai.usage.cache_read.input_tokens': '1500',
          'gen_ai.usage.output_tokens': '10',
        }),
      ),
    ).toEqual({ input: 500, cacheRead: 1500, cacheWrite: 0, output: 10 });
    expect(
      spanTokens(
        attrs({
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.cache_read.input_tokens': 30,
          'gen_ai.usage.cache_creation.input_tokens': 70,
        }),
      ),
    ).toEqual({ input: 0, cacheRead: 30, cacheWrite: 70, output: 0 });
  });

  it('takes input as uncached when the cache counts do not fit inside it (Anthropic-style instrumentation)', () => {
    expect(
      spanTokens(
        attrs({
          'gen_ai.usage.input_tokens': '4',
          'gen_ai.usage.cache_read.input_tokens': '10000',
          'gen_ai.usage.cache_creation.input_tokens': '2000',
          'gen_ai.usage.output_tokens': '120',
        }),
      ),
    ).toEqual({ input: 4, cacheRead: 10000, cacheWrite: 2000, output: 120 });
  });

  it('keeps reasoning inside output, adding it when an instrumentation reported it apart', () => {
    expect(
      spanTokens(
        attrs({ 'gen_ai.usage.output_tokens': '900', 'gen_ai.usage.reasoning.output_tokens': '640' }),
      ),
    ).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 900, reasoning: 640 });
    expect(
      spanTokens(
        attrs({ 'gen_ai.usage.output_tokens': '80', 'gen_ai.usage.reasoning.output_tokens': '120' }),
      ),
    ).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 200, reasoning: 120 });
  });

  it('maps provider names and OTLP values', () => {
    expect(genaiProviderId('aws.bedrock')).toBe('aws-bedrock');
    expect(genaiProviderId('azure.ai.openai')).toBe('azure-openai');
    expect(genaiProviderId('az.ai.openai')).toBe('azure-openai');
    expect(genaiProviderId('gcp.vertex_ai')).toBe('google-vertex');
    expect(genaiProviderId('gcp.gemini')).toBe('google');
    expect(genaiProviderId('mistral_ai')).toBe('mistral');
    expect(genaiProviderId('x_ai')).toBe('xai');
    expect(genaiProviderId('ANTHROPIC')).toBe('anthropic');
    expect(genaiProviderId('ibm.watsonx.ai')).toBe('ibm-watsonx');
    expect(genaiProviderId('perplexity')).toBe('perplexity');
    expect(providerFromModel('gpt-4o-mini')).toBe('openai');
    expect(providerFromModel('o3')).toBe('openai');
    expect(providerFromModel('claude-3-5-haiku-20241022')).toBe('anthropic');
    expect(providerFromModel('anthropic/claude-sonnet-4')).toBe('anthropic');
    expect(providerFromModel('gemini-2.5-pro')).toBe('google');
    expect(providerFromModel('mistral-large-latest')).toBe('mistral');
    expect(providerFromModel('text-embedding-3-small')).toBe('openai');
    expect(providerFromModel('text-embedding-004')).toBe('google');
    expect(providerFromModel('llama-3.1-8b')).toBeUndefined();
    expect(providerFromModel('openrouter/anthropic/claude-3-opus')).toBe('anthropic');
    expect(anyValue({ intValue: '12' })).toBe('12');
    expect(anyValue({ arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } })).toEqual([
      'a',
      '1',
    ]);
    expect(anyValue({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } })).toEqual(
      Object.assign(Object.create(null) as object, { k: true }),
    );
    expect(anyValue({ arrayValue: {} })).toEqual([]);
  });
});

describe('otel-genai: bad input', () => {
  const span = (attrs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    traceId: 't1',
    spanId: 's1',
    name: 'chat x',
    startTimeUnixNano: '1759310103512345678',
    endTimeUnixNano: '1759310104512345678',
    attributes: Object.entries(attrs).map(([key, v]) => ({
      key,
      value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
    })),
    ...extra,
  });
  const doc = (...spans: unknown[]) =>
    JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: {}, spans }] }] });
  const ok = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };

  it('reports each unusable span or line with its line and an actionable reason', async () => {
    const text = [
      doc(span({ ...ok, 'gen_ai.usage.input_tokens': -5 })),
      doc(span({ ...ok, 'gen_ai.usage.input_tokens': '12.5' })),
      doc(span({ 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 3 })),
      doc(span({ ...ok, 'gen_ai.usage.output_tokens': 3 }, { startTimeUnixNano: undefined })),
      doc(span({ ...ok, 'gen_ai.usage.output_tokens': 3 }, { endTimeUnixNano: '1759310100000000000' })),
      doc(span({ ...ok, 'gen_ai.usage.output_tokens': 3 }, { startTimeUnixNano: '2025-10-01' })),
      doc(span({ ...ok, 'gen_ai.usage.output_tokens': '99999999999999' })),
      '{"resourceSpans": [{"scopeSpans": [{"spans": [',
      '{"hello": "world"}',
      'not json at all',
      doc(span({ ...ok, 'gen_ai.usage.output_tokens': 7 }), 'not a span'),
    ].join('\n');
    const { records, problems } = await collect(parser, memInput('bad.jsonl', Buffer.from(text)));
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'span "chat x": gen_ai.usage.input_tokens is negative: -5'],
      [2, 'span "chat x": gen_ai.usage.input_tokens is not a number: "12.5"'],
      [3, 'span "chat x": no gen_ai.response.model or gen_ai.request.model'],
      [4, 'span "chat x": no startTimeUnixNano'],
      [5, 'span "chat x": endTimeUnixNano is before startTimeUnixNano'],
      [6, 'span "chat x": startTimeUnixNano is not epoch nanoseconds: "2025-10-01"'],
      [7, 'span "chat x": gen_ai.usage.output_tokens is absurdly large: 99999999999999'],
      [8, 'the value is not closed: the input ends inside it'],
      [9, 'not an OTLP/JSON traces document: expected an object with a "resourceSpans" array'],
      [10, 'not JSON: "not json at all"'],
      [11, 'span is not an object'],
    ]);
    expect(problems.every((p) => p.file === 'bad.jsonl')).toBe(true);
    expect(records.map((r) => [r.source.line, r.tokens.output])).toEqual([[11, 7]]);
  });

  it('reads an array of documents, bare ResourceSpans and the older instrumentationLibrarySpans', async () => {
    const usage = { ...ok, 'gen_ai.usage.input_tokens': 3 };
    const rs = {
      resource: {},
      instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [span(usage)] }],
    };
    const text = `[${doc(span(usage))},\n${JSON.stringify(rs)}]`;
    const { records, problems } = await collect(parser, memInput('a.json', Buffer.from(text)));
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.source.line, r.tags['otel.scope.name']])).toEqual([
      [1, undefined],
      [2, 'old'],
    ]);
  });

  it('names a span without a provider attribute by its model', async () => {
    const text = doc(span({ 'gen_ai.request.model': 'claude-3-haiku', 'gen_ai.usage.input_tokens': 3 }));
    const { records } = await collect(parser, memInput('p.json', Buffer.from(text)));
    expect(records[0]!.provider).toBe('anthropic');
  });
});

describe('otel-genai: detection', () => {
  it('claims its own samples with ≥ 0.9', async () => {
    for (const f of readdirSync(dir).filter((f) => !f.endsWith('.md'))) {
      const { head } = await openInput(join(dir, f));
      expect(parser.detect(head, f), f).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('claims no other sample, no shared third-party file and no foreign line format', async () => {
    for (const s of sampleFiles().filter((s) => s.format !== 'otel-genai')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    for (const f of readdirSync(join(SHARED_DATA, 'openai'))) {
      expect(parser.detect(readFileSync(join(SHARED_DATA, 'openai', f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    for (const head of Object.values(FOREIGN_HEADS)) expect(parser.detect(head, 'x.jsonl')).toBe(0);
  });

  it('claims an OTLP trace file whose first spans are not GenAI ones weakly, and no other document', () => {
    expect(parser.detect('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"GET /"}]}]}]}', 'x')).toBe(
      0.55,
    );
    expect(parser.detect('{"resourceMetrics":[]}', 'x')).toBe(0);
    expect(parser.detect('{"gen_ai.usage.input_tokens": 3}', 'x')).toBe(0);
  });
});

describe('otel-genai: chunk boundaries (property)', () => {
  it('never changes the items, for the pretty-printed document and the JSON Lines file', async () => {
    for (const file of [TRACE, JSONL]) {
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
        { numRuns: 100 },
      );
    }
  });
});
