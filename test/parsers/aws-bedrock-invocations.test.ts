import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import {
  awsBedrockInvocationsParser as parser,
  bedrockModelOf,
  principalOf,
} from '../../src/parsers/aws-bedrock-invocations.ts';
import { awsCurParser } from '../../src/parsers/aws-cur.ts';
import { azureCostParser } from '../../src/parsers/azure-cost.ts';
import { gcpBillingParser } from '../../src/parsers/gcp-billing.ts';
import { parseFile, SAMPLES_DIR, sampleFiles, SHARED_DATA, tempFile } from '../helpers/parse.ts';

// The sample is written by hand from the published invocation-log schema (see its README.md), not copied from a
// real account: no real log with cache counts was available.
const SAMPLE = join(SAMPLES_DIR, 'aws-bedrock-invocations', 'invocations.jsonl');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  model: r.model,
  input: r.tokens.input,
  cacheRead: r.tokens.cacheRead,
  cacheWrite: r.tokens.cacheWrite,
  output: r.tokens.output,
  user: r.dims.user,
  operation: r.tags.operation,
});

describe('aws-bedrock-invocations: sample', () => {
  it('yields one record per invocation, buckets as Bedrock reports them', async () => {
    const { records, problems, ignored } = await parseFile(parser, SAMPLE);
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 1, model: 'us.anthropic.claude-sonnet-4-20250514-v1:0', input: 310, cacheRead: 5200, cacheWrite: 0, output: 640, user: 'ChatApp', operation: 'Converse' },
      { line: 2, model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', input: 1200, cacheRead: 0, cacheWrite: 2048, output: 150, user: 'alice', operation: 'InvokeModel' },
      { line: 3, model: 'meta.llama3-3-70b-instruct-v1:0', input: 900, cacheRead: 0, cacheWrite: 0, output: 300, user: 'DocProcessor', operation: 'ConverseStream' },
      { line: 4, model: 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', input: 50, cacheRead: 0, cacheWrite: 0, output: 20, user: 'ChatApp', operation: 'InvokeModelWithResponseStream' },
      { line: 5, model: 'amazon.nova-lite-v1:0', input: 4, cacheRead: 0, cacheWrite: 0, output: 38, user: 'bob', operation: 'ConverseStream' },
      { line: 6, model: 'anthropic.claude-3-5-sonnet-20241022-v2:0', input: 0, cacheRead: 0, cacheWrite: 0, output: 0, user: 'ChatApp', operation: 'Converse' },
    ]);
    for (const r of records) {
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
      expect(r.provider).toBe('aws-bedrock');
      expect(r.modelRaw).toBe(r.tags.modelArn ?? r.model); // modelId as logged
      expect(r.requests).toBe(1);
      expect(r.fromBill).toBeUndefined();
      expect(r.reportedCost).toBeUndefined();
      expect(r.dedupKey).toBe(`request:aws-bedrock:${r.requestId}`);
      expect(r.source).toEqual({ file: SAMPLE, line: r.source.line, format: 'aws-bedrock-invocations' });
      expect(Object.getPrototypeOf(r.tags)).toBeNull();
    }
  });

  it('keeps identity, metadata, region and status', async () => {
    const { records } = await parseFile(parser, SAMPLE);
    const [first, second, third, , , throttled] = records;
    expect(first).toMatchObject({
      start: '2025-10-06T14:14:00.000Z',
      requestId: '3f1c2a6e-0001-4c1d-9a8b-000000000001',
      latencyMs: 1234,
      dims: { user: 'ChatApp' },
    });
    expect({ ...first!.tags }).toEqual({
      team: 'support',
      app: 'chatbot',
      region: 'us-east-1',
      accountId: '111122223333',
      operation: 'Converse',
      inferenceRegion: 'us-east-2',
      schemaVersion: '1.0',
      session: 'session-1',
      identityArn: 'arn:aws:sts::111122223333:assumed-role/ChatApp/session-1',
    });
    // The ARN is kept in a tag; the id it ends in is what the pricer resolves.
    expect(second!.tags.modelArn).toBe(
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
    );
    // requestMetadata values are strings: a number is stringified.
    expect(third!.tags).toMatchObject({ experiment: 'B', cost_center: '42', session: 'batch-7' });
    expect(throttled!.status).toBe('ThrottlingException');
  });

  it('makes no bucket overlap: Bedrock input excludes cache reads and writes, nothing is subtracted', async () => {
    const { records } = await parseFile(parser, SAMPLE);
    const r = records[0]!;
    // The output body's own usage block states the same split: inputTokens 310 beside cacheReadInputTokens 5200.
    const body = JSON.parse(readFileSync(SAMPLE, 'utf8').split('\n')[0]!).output.outputBodyJson.usage;
    expect(r.tokens.input).toBe(body.inputTokens);
    expect(r.tokens.cacheRead).toBe(body.cacheReadInputTokens);
    expect(r.tokens.input + r.tokens.cacheRead + r.tokens.cacheWrite + r.tokens.output).toBe(
      body.inputTokens + body.cacheReadInputTokens + body.cacheWriteInputTokens + body.outputTokens,
    );
  });

  it('reads the gzip files S3 delivery writes', async () => {
    const gz = tempFile('invocations.json.gz', gzipSync(readFileSync(SAMPLE)));
    const plain = await parseFile(parser, SAMPLE);
    const zipped = await parseFile(parser, gz);
    expect(zipped.problems).toEqual([]);
    expect(zipped.records.map((r) => ({ ...r, source: undefined }))).toEqual(
      plain.records.map((r) => ({ ...r, source: undefined })),
    );
    expect(parser.detect((await openInput(gz)).head, gz)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('aws-bedrock-invocations: bad lines', () => {
  it('reports each with its line and an actionable reason, and keeps reading', async () => {
    const ok = JSON.parse(readFileSync(SAMPLE, 'utf8').split('\n')[2]!);
    const lines = [
      JSON.stringify(ok),
      '{"schemaType":"ModelInvocationLog",',
      JSON.stringify({ ...ok, input: { inputTokenCount: -5 } }),
      JSON.stringify({ ...ok, modelId: undefined }),
      JSON.stringify({ ...ok, timestamp: 'yesterday' }),
      JSON.stringify({ ...ok, output: { outputTokenCount: 1.5 } }),
      JSON.stringify({ ...ok, schemaType: 'SomethingElse' }),
      JSON.stringify({ ...ok, input: 'text' }),
      JSON.stringify({ ...ok, input: { inputTokenCount: 5e12 } }),
      '[{"a":1}]',
      '',
      'no json here',
      JSON.stringify(ok),
    ];
    const file = tempFile('bad.jsonl', lines.join('\n') + '\n');
    const { records, problems } = await parseFile(parser, file);
    expect(records.map((r) => r.source.line)).toEqual([1, 13]);
    expect(problems.map((p) => [p.line, p.reason.replace(/: .*JSON.*$/, ': …')])).toEqual([
      [2, 'invalid JSON: …'],
      [3, 'input.inputTokenCount is negative: -5'],
      [4, 'no modelId'],
      [5, 'timestamp is not a valid time: "yesterday"'],
      [6, 'output.outputTokenCount is not a whole number: 1.5'],
      [7, 'schemaType is "SomethingElse", not "ModelInvocationLog"'],
      [8, 'input is not an object'],
      [9, 'input.inputTokenCount is absurdly large: 5000000000000'],
      [10, 'not a JSON object'],
      [12, 'not a JSON object (no "{" on the line)'],
    ]);
    for (const p of problems) expect(p.file).toBe(file);
  });
});

describe('bedrockModelOf', () => {
  it('takes the id an ARN of a foundation model or system inference profile ends in', () => {
    expect(bedrockModelOf('anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe(
      'anthropic.claude-3-5-sonnet-20241022-v2:0',
    );
    expect(bedrockModelOf('us.anthropic.claude-sonnet-4-20250514-v1:0')).toBe(
      'us.anthropic.claude-sonnet-4-20250514-v1:0',
    );
    expect(
      bedrockModelOf('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0'),
    ).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(
      bedrockModelOf(
        'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.meta.llama3-2-3b-instruct-v1:0',
      ),
    ).toBe('eu.meta.llama3-2-3b-instruct-v1:0');
  });

  it('keeps ARNs that name no model whole', () => {
    for (const arn of [
      'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3',
      'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc123',
      'arn:aws:bedrock:us-east-1:111122223333:custom-model/amazon.titan-text-express-v1:0:8k/xyz',
      'arn:aws:bedrock:us-east-1:111122223333:default-prompt-router/anthropic.claude:1',
      'arn:aws:bedrock:us-east-1',
    ]) {
      expect(bedrockModelOf(arn)).toBe(arn);
    }
  });
});

describe('principalOf', () => {
  it('names the user or role of an IAM / STS ARN', () => {
    expect(principalOf('arn:aws:iam::111122223333:user/alice')).toEqual({ name: 'alice' });
    expect(principalOf('arn:aws:iam::111122223333:user/dev/bob')).toEqual({ name: 'bob' });
    expect(principalOf('arn:aws:sts::111122223333:assumed-role/ChatApp/session-1')).toEqual({
      name: 'ChatApp',
      session: 'session-1',
    });
    expect(principalOf('arn:aws:iam::111122223333:role/service-role/Builder')).toEqual({ name: 'Builder' });
    expect(principalOf('arn:aws:iam::111122223333:root')).toEqual({ name: 'root' });
    expect(principalOf('arn:aws:sts::111122223333:federated-user/carol')).toEqual({ name: 'carol' });
  });
});

describe('principalOf against its reference', () => {
  /** principalOf as it was before it read with indexOf (split, slice and join): the reference. */
  function referencePrincipalOf(arn: string): { name?: string; session?: string } {
    const resource = arn.split(':').slice(5).join(':');
    if (resource === '' || resource === 'root') return resource === 'root' ? { name: 'root' } : {};
    const parts = resource.split('/');
    const kind = parts[0];
    if (kind === 'assumed-role' && parts.length >= 2) {
      const out: { name?: string; session?: string } = { name: parts[1]! };
      if (parts.length >= 3) out.session = parts.slice(2).join('/');
      return out;
    }
    if ((kind === 'user' || kind === 'role' || kind === 'federated-user') && parts.length >= 2)
      return { name: parts[parts.length - 1]! };
    return { name: resource };
  }

  it('gives the same name and session (and key order) on ARN-like text', () => {
    const piece = fc.constantFrom(
      ':',
      '/',
      'arn',
      'aws',
      'sts',
      '',
      'root',
      'user',
      'role',
      'assumed-role',
      'federated-user',
      'App',
      's-1',
      '123',
      '::',
      '//',
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(piece, { maxLength: 14 }), (prefixed, pieces) => {
        const arn = (prefixed ? 'arn:aws:sts::123:' : '') + pieces.join('');
        expect(JSON.stringify(principalOf(arn))).toBe(JSON.stringify(referencePrincipalOf(arn)));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('aws-bedrock-invocations: detection', () => {
  const own = 'aws-bedrock-invocations';
  it.each(sampleFiles().map((s) => [s.path.split('/samples/')[1]!, s] as const))('%s', async (_, s) => {
    const { head } = await openInput(s.path);
    const score = parser.detect(head, s.path);
    if (s.format === own) expect(score).toBeGreaterThanOrEqual(0.9);
    else expect(score).toBeLessThan(0.5);
  });

  it('claims none of the third-party files, and its sample is claimed by no other cloud parser', async () => {
    for (const f of [
      'openai/usage-completions.spec-example.json',
      'openai/usage-embeddings.spec-example.json',
      'openai/costs.spec-example.json',
      'focus/focus-1.0-sample.csv',
      'azure/ea-actual-cost-small.csv',
    ]) {
      const { head } = await openInput(join(SHARED_DATA, f));
      expect(parser.detect(head, f), f).toBeLessThan(0.5);
    }
    const { head } = await openInput(SAMPLE);
    for (const p of [awsCurParser, azureCostParser, gcpBillingParser]) expect(p.detect(head, SAMPLE)).toBe(0);
  });

  it('recognises lines without schemaType by their Bedrock-only field names', () => {
    expect(
      parser.detect(
        '{"timestamp":"2025-01-01T00:00:00Z","modelId":"x","input":{"inputTokenCount":1}}\n',
        'x',
      ),
    ).toBe(0.9);
    expect(
      parser.detect('{"timestamp":"2025-01-01T00:00:00Z","model":"x","usage":{"input_tokens":1}}\n', 'x'),
    ).toBe(0);
  });
});
