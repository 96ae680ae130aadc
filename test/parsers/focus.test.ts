import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { HEAD_BYTES, openInput } from '../../src/io/input.ts';
import {
  focusParser as parser,
  modelFromText,
  providerId,
  tokenKindFromText,
  tokenUnitSize,
} from '../../src/parsers/focus.ts';
import {
  collect,
  FOREIGN_HEADS,
  memInput,
  parseFile,
  SAMPLES_DIR,
  sampleFiles,
  SHARED_DATA,
} from '../helpers/parse.ts';

// The samples are written by hand from the FOCUS 1.2 and 1.3 column definitions (FinOps Foundation spec), not
// copied from a provider's export: see fixtures/samples/focus/README.md.
const dir = join(SAMPLES_DIR, 'focus');
const AI_SAMPLE = join(dir, 'focus-1.2-ai-sample.csv');
const V13_SAMPLE = join(dir, 'focus-1.3-provider-columns.csv');
const REAL_SAMPLE = join(SHARED_DATA, 'focus', 'focus-1.0-sample.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  day: r.start.slice(0, 10),
  provider: r.provider,
  model: r.model,
  tier: r.serviceTier,
  cost: r.reportedCost?.amount,
  ...r.tokens,
});

describe('focus: a FOCUS 1.2 export with AI token rows', () => {
  it('reads one record per AI usage row: tokens in the bucket the row names, quantity × unit block', async () => {
    const { records, problems } = await parseFile(parser, AI_SAMPLE);
    expect(problems).toEqual([]);
    // One row per record, as a table; cost = BilledCost.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // Bedrock, unit "Tokens", model from the foundation-model ARN, kind from the usage-type meter
      { line: 2, day: '2026-10-01', provider: 'aws-bedrock', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', tier: undefined, cost: 3.6, input: 1_200_000, cacheRead: 0, cacheWrite: 0, output: 0 },
      { line: 3, day: '2026-10-01', provider: 'aws-bedrock', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', tier: undefined, cost: 2.25, input: 0, cacheRead: 0, cacheWrite: 0, output: 150_000 },
      { line: 4, day: '2026-10-01', provider: 'aws-bedrock', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', tier: undefined, cost: 1.2, input: 0, cacheRead: 4_000_000, cacheWrite: 0, output: 0 },
      { line: 5, day: '2026-10-01', provider: 'aws-bedrock', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', tier: undefined, cost: 0.75, input: 0, cacheRead: 0, cacheWrite: 200_000, output: 0 },
      { line: 6, day: '2026-10-01', provider: 'aws-bedrock', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', tier: undefined, cost: 0.6, input: 0, cacheRead: 0, cacheWrite: 100_000, cacheWrite1h: 100_000, output: 0 },
      // Azure: 2,500 × "1K Tokens"; model and kind from SkuPriceDetails
      { line: 7, day: '2026-10-01', provider: 'azure-openai', model: 'gpt-4o-mini-2024-07-18', tier: undefined, cost: 0.375, input: 2_500_000, cacheRead: 0, cacheWrite: 0, output: 0 },
      // Azure: 400,000 "Units" whose meter names tokens; model and kind from the meter text
      { line: 8, day: '2026-10-01', provider: 'azure-openai', model: 'gpt-4o-mini-2024-07-18', tier: undefined, cost: 0.24, input: 0, cacheRead: 0, cacheWrite: 0, output: 400_000 },
      // Vertex: model from the publisher model path, kind from the description
      { line: 9, day: '2026-10-02', provider: 'google-vertex', model: 'gemini-2.5-flash', tier: undefined, cost: 0.24, input: 800_000, cacheRead: 0, cacheWrite: 0, output: 0 },
      // finops' own x_ columns
      { line: 10, day: '2026-10-02', provider: 'openai', model: 'gpt-4.1', tier: 'batch', cost: 0.2, input: 0, cacheRead: 0, cacheWrite: 0, output: 50_000 },
      // provisioned throughput hours: AI spend without tokens → cost only, named by its service
      { line: 11, day: '2026-10-01', provider: 'aws-bedrock', model: 'Amazon Bedrock', tier: undefined, cost: 960, input: 0, cacheRead: 0, cacheWrite: 0, output: 0 },
    ]);
    for (const r of records)
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
  });

  it('counts purchases, credits, taxes and non-AI rows as ignored, by reason', async () => {
    const { ignored } = await parseFile(parser, AI_SAMPLE);
    expect(ignored.map((i) => [i.line, i.reason])).toEqual([
      [12, 'AI charge that is not usage: Purchase'],
      [13, 'AI charge that is not usage: Credit'],
      [14, 'not AI usage: no ServiceCategory'],
      [15, 'not AI usage: Compute'],
    ]);
  });

  it('marks bill rows, keeps the period, dims from x_ columns and Tags, project from SubAccountId', async () => {
    const { records } = await parseFile(parser, AI_SAMPLE);
    expect(records[0]).toMatchObject({
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-10-02T00:00:00.000Z',
      requests: 0,
      fromBill: true,
      reportedCost: { amount: 3.6, currency: 'USD' },
      dims: { app: 'support-bot', team: 'support', project: '444455556666' },
      tags: {
        app: 'support-bot',
        team: 'support',
        'cost-center': 'cc-410',
        requests_unknown: 'true',
        'focus.ServiceName': 'Amazon Bedrock',
        'focus.RegionId': 'us-east-1',
      },
      source: { file: AI_SAMPLE, line: 2, format: 'focus' },
    });
    // Azure tags "application" and "env" name the app and the environment.
    expect(records[5]!.dims).toEqual({
      app: 'sales-copilot',
      environment: 'prod',
      project: '/subscriptions/0f1e2d3c-aaaa-bbbb-cccc-123456789abc',
    });
    // x_ columns win; no Tags cell.
    expect(records[8]!.dims).toEqual({ app: 'invoice-parser', team: 'billing', project: 'proj_billing' });
  });

  it('gives every row its own de-duplication key, stable across reads', async () => {
    const a = await parseFile(parser, AI_SAMPLE);
    const b = await parseFile(parser, AI_SAMPLE);
    const keys = a.records.map((r) => r.dedupKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(b.records.map((r) => r.dedupKey)).toEqual(keys);
    for (const k of keys) expect(k).toMatch(/^focus:[0-9a-f]{24}$/);
  });

  it('reads the same records whatever the chunking', async () => {
    const bytes = readFileSync(AI_SAMPLE);
    const whole = await collect(parser, memInput(AI_SAMPLE, bytes));
    const cut = await collect(
      parser,
      memInput(AI_SAMPLE, bytes, [1, 17, 300, 301, 1024, 2048, bytes.length - 5]),
    );
    expect(cut.items).toEqual(whole.items);
  });
});

describe('focus: FOCUS 1.3 provider columns and corrections', () => {
  it('reads ServiceProviderName (1.3) where ProviderName is gone; a 1K-tokens unit; a correction as cost only', async () => {
    const { records, problems, ignored } = await parseFile(parser, V13_SAMPLE);
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 2, day: '2026-10-03', provider: 'anthropic', model: 'claude-haiku-4-5', tier: undefined, cost: 0.5, input: 500_000, cacheRead: 0, cacheWrite: 0, output: 0 },
      // negative quantity of a correction: no tokens (never negative), the refund kept as reported cost
      { line: 3, day: '2026-10-02', provider: 'anthropic', model: 'claude-haiku-4-5', tier: undefined, cost: -0.25, input: 0, cacheRead: 0, cacheWrite: 0, output: 0 },
    ]);
    expect(records[0]!.dims).toEqual({ team: 'support', workflow: 'triage', project: 'wrkspc_01Support' });
    expect(records[1]!.tags['focus.ChargeClass']).toBe('Correction');
  });
});

describe('focus: the real FOCUS 1.0 sample (1,000 anonymised cloud rows)', () => {
  it('reads every row: 991 ignored by service category, 9 Azure Machine Learning rows as cost-only records', async () => {
    const { records, problems, ignored } = await parseFile(parser, REAL_SAMPLE);
    expect(problems).toEqual([]);
    expect(records.length + ignored.length).toBe(1000);
    const reasons: Record<string, number> = {};
    for (const i of ignored) reasons[i.reason] = (reasons[i.reason] ?? 0) + 1;
    expect(reasons).toEqual({
      'not AI usage: Compute': 443,
      'not AI usage: Storage': 209,
      'not AI usage: Networking': 168,
      'not AI usage: Management and Governance': 79,
      'not AI usage: Other': 47,
      'not AI usage: Databases': 21,
      'not AI usage: Integration': 18,
      'not AI usage: Identity': 4,
      'not AI usage: Security': 2,
    });
    expect(records.map((r) => r.source.line)).toEqual([956, 963, 965, 969, 970, 975, 979, 995, 1000]);
    for (const r of records) {
      expect(r).toMatchObject({
        provider: 'azure',
        model: 'Azure Machine Learning',
        requests: 0,
        fromBill: true,
      });
      expect(r.tokens).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });
      expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    }
    // The AI spend of the sample, refunds included: the sum of those rows' BilledCost.
    const total = records.reduce((s, r) => s + r.reportedCost!.amount, 0);
    expect(total).toBeCloseTo(-0.15189756178, 10);
    // `YYYY-MM-DD HH:MM:SS` without a zone is UTC; `NULL` cells are empty.
    expect(records[0]).toMatchObject({ start: '2024-09-19T00:00:00.000Z', end: '2024-09-20T00:00:00.000Z' });
    expect(records[0]!.tags).toMatchObject({ ComputeType: 'Compute Instance', CostAllocationTest: 'Sameer' });
    expect(records[3]!.tags).toHaveProperty('org', 'trey'); // a tag key " org" is trimmed
  });
});

describe('focus: rows it cannot use', () => {
  const HEADER =
    'BilledCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ConsumedQuantity,ConsumedUnit,' +
    'ServiceCategory,ServiceName,ProviderName,SkuMeter,Tags,x_Model\n';
  const parse = (text: string) => collect(parser, memInput('bad.csv', Buffer.from(text)));

  it('reports a bad cost, a bad time, a token row without a kind and bad Tags JSON, with their lines', async () => {
    const { problems, records } = await parse(
      HEADER +
        'abc,USD,Usage,2026-10-01,2026-10-02,10,Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o input,,gpt-4o\n' +
        '1,USD,Usage,yesterday,,10,Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o input,,gpt-4o\n' +
        '1,USD,Usage,2026-10-01,,10,Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o tokens,,gpt-4o\n' +
        '1,USD,Usage,2026-10-01,,10,Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o input,{oops,gpt-4o\n' +
        '1,USD,Usage,2026-10-01,,10,Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o input,,gpt-4o\n',
    );
    expect(problems.map((p) => [p.line, p.reason.split(':')[0]])).toEqual([
      [2, 'BilledCost is not a number'],
      [3, 'ChargePeriodStart is not a valid time'],
      [
        4,
        'token row names no token kind (x_TokenKind, SkuPriceDetails, SkuMeter and ChargeDescription say none of input, output, cached input, cache write)',
      ],
      [5, 'Tags is not a JSON object'],
    ]);
    expect(records.map((r) => [r.source.line, r.tokens.input])).toEqual([[6, 10]]);
  });

  it('names a token row with no model "(model not stated)", so it is unpriced and warned about', async () => {
    const { records } = await parse(
      HEADER +
        '2,USD,Usage,2026-10-01,,1000,Tokens,AI and Machine Learning,Claude API,Anthropic,Output tokens,,\n',
    );
    expect(records[0]).toMatchObject({ provider: 'anthropic', model: '(model not stated)' });
    expect(records[0]!.tokens.output).toBe(1000);
  });

  it('refuses a CSV that has no BilledCost column, at line 1', async () => {
    const { problems, records } = await parse('ChargePeriodStart,Cost\n2026-10-01,1\n');
    expect(records).toEqual([]);
    expect(problems).toEqual([
      { file: 'bad.csv', line: 1, reason: 'not a FOCUS export: the header has no BilledCost column' },
    ]);
  });
});

describe('focus: explicit rules', () => {
  it.each([
    ['Tokens', 1],
    ['tokens', 1],
    ['1K Tokens', 1000],
    ['1k tokens', 1000],
    ['1,000 Tokens', 1000],
    ['Thousand Tokens', 1000],
    ['1M Tokens', 1e6],
    ['Million tokens', 1e6],
    ['10K Tokens', 10_000],
    ['Hours', undefined],
    ['GB', undefined],
    ['1K', undefined],
    [undefined, undefined],
  ])('token unit %j is %j tokens', (unit, size) => {
    expect(tokenUnitSize(unit)).toBe(size);
  });

  it.each([
    ['USE1-Claude4.5Sonnet-input-tokens', 'input'],
    ['USE1-Claude4.5Sonnet-output-tokens', 'output'],
    ['USE1-Claude4.5Sonnet-cache-read-input-token-count', 'cacheRead'],
    ['USE1-Claude4.5Sonnet-cache-write-input-token-count', 'cacheWrite5m'],
    ['USE1-Claude4.5Sonnet-cache-write-1h-input-token-count', 'cacheWrite1h'],
    ['gpt-4o-mini-0718-Inp-glbl Tokens', 'input'],
    ['gpt-4o-mini-0718-Outp-glbl Tokens', 'output'],
    ['gpt-4o-0806-cached-Inp-glbl Tokens', 'cacheRead'],
    ['Gemini 2.5 Flash Input Text', 'input'],
    ['claude-sonnet-4-5 cache write (1h) tokens', 'cacheWrite1h'],
    ['claude-sonnet-4-5 output tokens (above 200000 input tokens)', 'output'],
    ['Provisioned throughput model unit hours', undefined],
    ['tokens processed in US East', undefined],
  ])('%j names token kind %j', (text, kind) => {
    expect(tokenKindFromText(text)).toBe(kind);
  });

  it.each([
    ['gpt-4o-mini-0718-Inp-glbl Tokens', 'gpt-4o-mini-0718'],
    ['USE1-Claude4.5Sonnet-input-tokens', 'Claude4.5Sonnet'],
    ['Gemini 2.5 Pro Output Text', 'Gemini 2.5 Pro'],
    ['gpt-4o-mini input tokens (batch)', 'gpt-4o-mini'],
    ['Input Tokens', undefined],
    ['Provisioned throughput', undefined],
  ])('the model in %j is %j', (text, model) => {
    expect(modelFromText(text)).toBe(model);
  });

  it.each([
    ['Amazon Web Services', 'Amazon Bedrock', true, 'aws-bedrock'],
    ['AWS', 'Amazon Elastic Compute Cloud', false, 'aws'],
    ['Microsoft', 'Azure OpenAI Service', true, 'azure-openai'],
    ['Microsoft', 'Azure Machine Learning', false, 'azure'],
    ['Google Cloud', 'Vertex AI', true, 'google-vertex'],
    ['OpenAI', 'OpenAI API', true, 'openai'],
    ['Anthropic', 'Claude API', true, 'anthropic'],
    ['Oracle', 'COMPUTE', false, 'oracle'],
    [undefined, undefined, false, 'unknown'],
  ] as const)('provider %j, service %j (tokens: %j) is %j', (name, service, tokens, id) => {
    expect(providerId(name, service, tokens)).toBe(id);
  });
});

describe('focus: detection', () => {
  const focusSamples = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => join(dir, f));

  it.each([...focusSamples, REAL_SAMPLE].map((p) => [p.split('/').slice(-2).join('/'), p]))(
    'claims %s with 0.95',
    async (_, path) => {
      const { head } = await openInput(path);
      expect(head.length).toBeLessThanOrEqual(HEAD_BYTES);
      expect(parser.detect(head, path)).toBe(0.95);
    },
  );

  const others = [
    ...sampleFiles()
      .filter((s) => s.format !== 'focus')
      .map((s) => s.path),
    ...readdirSync(join(SHARED_DATA, 'openai')).map((f) => join(SHARED_DATA, 'openai', f)),
    ...readdirSync(join(SHARED_DATA, 'azure')).map((f) => join(SHARED_DATA, 'azure', f)),
  ];
  it.each(others.map((p) => [p.split('/').slice(-2).join('/'), p]))('does not claim %s', async (_, path) => {
    const { head } = await openInput(path);
    expect(parser.detect(head, path)).toBeLessThan(0.5);
  });

  it('does not claim the request-log and Claude Code heads, a generic CSV or a cost CSV without FOCUS columns', () => {
    for (const head of [
      ...Object.values(FOREIGN_HEADS),
      'a,b,c\n1,2,3\n',
      'date,model,cost\n2026-10-01,gpt-4o,1\n',
      'BilledCost,Date\n1,2026-10-01\n',
    ]) {
      expect(parser.detect(head, 'x.csv')).toBeLessThan(0.5);
    }
    // BilledCost + ChargePeriodStart alone: FOCUS-like, chosen, but less sure.
    expect(parser.detect('BilledCost,ChargePeriodStart\n', 'x.csv')).toBe(0.7);
  });
});
