import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { awsBedrockInvocationsParser } from '../../src/parsers/aws-bedrock-invocations.ts';
import {
  awsCurParser as parser,
  BEDROCK_USAGE_MODELS,
  bedrockUsageModel,
  decimalTokens,
  parseBedrockUsageType,
} from '../../src/parsers/aws-cur.ts';
import { azureCostParser } from '../../src/parsers/azure-cost.ts';
import { gcpBillingParser } from '../../src/parsers/gcp-billing.ts';
import { RowError } from '../../src/parsers/util.ts';
import { BUNDLED_CATALOG } from '../../src/pricing/catalog-data.ts';
import { parseFile, SAMPLES_DIR, sampleFiles, SHARED_DATA, tempFile } from '../helpers/parse.ts';

// The samples are written by hand from the CUR 2.0 / legacy CUR column names and the usage-type shapes of the
// Bedrock user guide and AWS's price list (see fixtures/samples/aws-cur/README.md), not copied from a real bill.
const dir = join(SAMPLES_DIR, 'aws-cur');
const CUR2 = join(dir, 'cur2-bedrock.csv');
const LEGACY = join(dir, 'cur-legacy.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  model: r.model,
  tier: r.serviceTier,
  tokens: r.tokens,
  usd: r.reportedCost?.amount,
  project: r.dims.project,
  user: r.dims.user,
});
const t = (input = 0, cacheRead = 0, cacheWrite = 0, output = 0) => ({
  input,
  cacheRead,
  cacheWrite,
  output,
});

const countBy = (xs: { reason: string }[]) => {
  const m: Record<string, number> = {};
  for (const x of xs) m[x.reason] = (m[x.reason] ?? 0) + 1;
  return m;
};

describe('aws-cur: CUR 2.0 sample', () => {
  it('yields one bill record per Bedrock token line, tokens = amount × unit', async () => {
    const { records, problems } = await parseFile(parser, CUR2);
    expect(problems).toEqual([]);
    // Amounts are in the pricing unit: 1234.567 (1K tokens) = 1,234,567 tokens; 0.25 (1M tokens) = 250,000.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 2, model: 'claude-3-5-sonnet', tier: 'standard', tokens: t(1_234_567), usd: 3.703701, project: '111122223333', user: 'ChatApp' },
      { line: 3, model: 'claude-sonnet-4-5', tier: 'standard', tokens: t(0, 0, 0, 31_102), usd: 0.513183, project: '111122223333', user: 'alice' },
      { line: 4, model: 'claude-sonnet-4-5', tier: 'standard', tokens: t(0, 5_372_659), usd: 1.77297747, project: '111122223333', user: undefined },
      { line: 5, model: 'claude-haiku-4-5', tier: 'standard', tokens: t(0, 0, 433_893), usd: 0.54236625, project: '444455556666', user: undefined },
      { line: 6, model: 'llama-3.3-70b-instruct', tier: 'batch', tokens: t(10_000_500), usd: 3.60018, project: '444455556666', user: undefined },
      { line: 7, model: 'anthropic.claude-opus-4-5', tier: 'standard', tokens: { ...t(0, 0, 250_000), cacheWrite1h: 250_000 }, usd: 2.5, project: '111122223333', user: undefined },
      // image tokens: cost kept, no text bucket (the catalog has no image-token rate)
      { line: 8, model: 'amazon.nova-pro-v1:0', tier: 'standard', tokens: t(), usd: 0.0096, project: '111122223333', user: undefined },
      // a model part the table does not know keeps its text and shows as unpriced
      { line: 9, model: 'Claude9Mega', tier: 'standard', tokens: t(2000), usd: 0.02, project: '111122223333', user: undefined },
      // Marketplace line: the model is named by the product
      { line: 10, model: 'claude-3-5-sonnet', tier: 'standard', tokens: t(0, 0, 0, 500_000), usd: 7.5, project: '111122223333', user: undefined },
    ]);
    for (const r of records) {
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
      expect(r).toMatchObject({
        provider: 'aws-bedrock',
        fromBill: true,
        requests: 0,
        start: '2025-10-01T00:00:00.000Z',
        end: '2025-10-02T00:00:00.000Z',
        source: { file: CUR2, format: 'aws-cur' },
      });
      // modelRaw: the usage type as billed (a Marketplace line's product name: its usage type names no model).
      expect(r.modelRaw).toBe(
        r.source.line === 10 ? 'Claude 3.5 Sonnet (Amazon Bedrock Edition)' : r.tags.usageType,
      );
      expect(r.reportedCost?.currency).toBe('USD');
      expect(Object.getPrototypeOf(r.tags)).toBeNull();
    }
    expect(new Set(records.map((r) => r.dedupKey)).size).toBe(records.length);
    expect(records[0]!.dedupKey).toBe('aws-cur:li-0001:2025-10-01T00:00:00Z/2025-10-02T00:00:00Z');
  });

  it('keeps tags, principal, region and the usage type', async () => {
    const { records } = await parseFile(parser, CUR2);
    expect({ ...records[0]!.tags }).toEqual({
      user_team: 'support',
      user_app: 'chatbot',
      usageType: 'USE1-Claude3.5Sonnet-input-tokens',
      region: 'us-east-1',
      resourceId: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0',
      operation: 'InvokeModelInference',
      netUnblendedCost: '3.703701',
      iamPrincipal: 'arn:aws:sts::111122223333:assumed-role/ChatApp/session-1',
    });
    expect(records[3]!.tags.crossRegion).toBe('global');
    expect(records[6]!.tags).toMatchObject({ modality: 'image', modalityTokens: '12000' });
  });

  it('counts every other line as ignored, by product code or line type', async () => {
    const { ignored } = await parseFile(parser, CUR2);
    expect(countBy(ignored)).toEqual({
      'not AI token usage: AmazonBedrock': 2, // provisioned throughput, guardrail
      'not AI token usage: AmazonEC2': 1,
      'not AI token usage: AmazonS3': 1,
      'not usage: Tax': 1,
      'not usage: Credit': 1,
    });
    expect(ignored.map((i) => i.line)).toEqual([11, 12, 13, 14, 15, 16]);
  });
});

describe('aws-cur: legacy CUR sample', () => {
  it('reads `lineItem/…` columns and `resourceTags/user:…` tag columns', async () => {
    const { records, problems, ignored } = await parseFile(parser, LEGACY);
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 2, model: 'claude-3-haiku', tier: 'standard', tokens: t(800_000), usd: 0.2, project: '111122223333', user: undefined },
      { line: 3, model: 'claude-3-haiku', tier: 'standard', tokens: t(0, 0, 0, 40_250), usd: 0.0503125, project: '111122223333', user: undefined },
    ]);
    expect(records[0]!.tags['user:team']).toBe('support');
    expect(records[0]!.dedupKey).toBe('aws-cur:lg-0001:2024-11-05T00:00:00Z/2024-11-06T00:00:00Z');
    expect(countBy(ignored)).toEqual({ 'not AI token usage: AmazonEC2': 1 });
    for (const r of records) expect(UsageRecordSchema.safeParse(r).success).toBe(true);
  });

  it('reads Athena-style `resource_tags_user_*` columns, and assumes 1K tokens without pricing_unit', async () => {
    const csv =
      'line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,' +
      'line_item_usage_amount,line_item_unblended_cost,resource_tags_user_team\n' +
      '2025-01-01 00:00:00,2025-01-02 00:00:00,AmazonBedrock,USE1-Claude3Haiku-output-tokens,1.5,0.001875,ml\n';
    const { records, problems } = await parseFile(parser, tempFile('athena.csv', csv));
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({
      start: '2025-01-01T00:00:00.000Z',
      tokens: t(0, 0, 0, 1500),
      reportedCost: { amount: 0.001875, currency: 'USD' },
      tags: { user_team: 'ml' },
    });
    expect(records[0]!.dedupKey).toBeUndefined(); // no identity_line_item_id column: nothing stable to key on
  });
});

describe('aws-cur: bad rows', () => {
  it('reports each with its line and reason', async () => {
    const head =
      'identity_line_item_id,line_item_usage_start_date,line_item_product_code,line_item_usage_type,' +
      'line_item_usage_amount,line_item_unblended_cost,pricing_unit,resource_tags\n';
    const ok = (
      id: string,
      amount: string,
      cost = '0.1',
      unit = '1K tokens',
      start = '2025-01-01T00:00:00Z',
      tags = '',
    ) => `${id},${start},AmazonBedrock,USE1-Claude3Haiku-input-tokens,${amount},${cost},${unit},${tags}\n`;
    const csv =
      head +
      ok('a', '10') +
      ok('b', '-3') +
      ok('c', 'ten') +
      ok('d', '10', 'free') +
      ok('e', '10', '0.1', 'Hours') +
      ok('f', '10', '0.1', '1K tokens', 'last week') +
      ok('g', '2000000000') +
      ok('h', '10', '0.1', '1K tokens', '2025-01-01T00:00:00Z', '"{not json"') +
      ok('i', '');
    const file = tempFile('bad-cur.csv', csv);
    const { records, problems } = await parseFile(parser, file);
    expect(records.map((r) => r.source.line)).toEqual([2]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'line_item_usage_amount is negative: -3'],
      [4, 'line_item_usage_amount is not a number: "ten"'],
      [5, 'line_item_unblended_cost is not a number: "free"'],
      [6, 'pricing_unit "Hours" is not a token unit for token usage type USE1-Claude3Haiku-input-tokens'],
      [7, 'line_item_usage_start_date is not a valid time: "last week"'],
      [8, 'line_item_usage_amount is absurdly large: 2000000000'],
      [9, 'resource_tags is not a JSON map: "{not json"'],
      [10, 'no line_item_usage_amount'],
    ]);
  });

  it('refuses a CSV without the usage-type column at line 1', async () => {
    const { problems, records } = await parseFile(parser, tempFile('x.csv', 'a,b\n1,2\n'));
    expect(records).toEqual([]);
    expect(problems).toEqual([
      { file: expect.any(String), line: 1, reason: 'not an AWS CUR file: no line_item_usage_type column' },
    ]);
  });
});

describe('parseBedrockUsageType', () => {
  const kinds = (ut: string) => {
    const u = parseBedrockUsageType(ut);
    return u && [u.model, u.kind, u.tier, u.crossRegion ?? '', u.cache1h, u.longContext, u.modality ?? ''];
  };
  it('reads the token usage types of the Bedrock docs and price list', () => {
    // prettier-ignore
    const cases: [string, unknown][] = [
      ['USE1-Claude3.5Sonnet-input-tokens', ['Claude3.5Sonnet', 'input', 'standard', '', false, false, '']],
      ['USW2-Claude4.5Sonnet-output-tokens', ['Claude4.5Sonnet', 'output', 'standard', '', false, false, '']],
      ['USE1-Claude4.6Sonnet-cache-read-input-token-count', ['Claude4.6Sonnet', 'cacheRead', 'standard', '', false, false, '']],
      ['USE1-Claude4.5Haiku-cache-write-input-token-count-cross-region-global', ['Claude4.5Haiku', 'cacheWrite', 'standard', 'global', false, false, '']],
      ['USE1-Llama4-Maverick-17B-input-tokens-batch', ['Llama4-Maverick-17B', 'input', 'batch', '', false, false, '']],
      ['USE1-GPT-OSS-Safeguard-20B-input-tokens-priority', ['GPT-OSS-Safeguard-20B', 'input', 'priority', '', false, false, '']],
      ['USE1-Gemma-3-4B-IT-input-tokens-flex', ['Gemma-3-4B-IT', 'input', 'flex', '', false, false, '']],
      ['EU-Qwen3-32B-output-tokens-batch', ['Qwen3-32B', 'output', 'batch', '', false, false, '']],
      ['USE1-Claude4Sonnet-input-tokens-cross-region-global-batch', ['Claude4Sonnet', 'input', 'batch', 'global', false, false, '']],
      ['USE1-Claude4Sonnet-output-tokens-long-context-cross-region-global', ['Claude4Sonnet', 'output', 'standard', 'global', false, true, '']],
      ['USE1-Nova2.0Lite-input-tokens-cross-region-global', ['Nova2.0Lite', 'input', 'standard', 'global', false, false, '']],
      ['USE1-NovaPro-input-image-token-count', ['NovaPro', 'input', 'standard', '', false, false, 'image']],
      ['USE1-anthropic.claude-opus-5-mantle-output-tokens-global-standard', ['anthropic.claude-opus-5', 'output', 'standard', 'global', false, false, '']],
      ['USE1-anthropic.claude-opus-5-mantle-cache-read-tokens-global-standard', ['anthropic.claude-opus-5', 'cacheRead', 'standard', 'global', false, false, '']],
      ['USE1-openai.gpt-5.6-luna-mantle-cache-write-tokens-5m-long-ctx-flex', ['openai.gpt-5.6-luna', 'cacheWrite', 'flex', '', false, true, '']],
      ['USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-1h-standard', ['anthropic.claude-opus-4-8', 'cacheWrite', 'standard', '', true, false, '']],
      ['USE1-MP:USE1_input_tokens_global_standard-Units', ['', 'input', 'standard', 'global', false, false, '']],
      ['USE1-MP:USE1_CacheWrite1hInputTokenCount_Global-Units', ['', 'cacheWrite', 'standard', 'global', true, false, '']],
      ['USE1-MP:USE1_MillionBatchInputTokens-Units', ['', 'input', 'batch', '', false, false, '']],
    ];
    for (const [ut, want] of cases) expect(kinds(ut), ut).toEqual(want);
    expect(parseBedrockUsageType('USE1-NovaPro-input-tokens-latency-optimized')?.latencyOptimized).toBe(true);
    expect(parseBedrockUsageType('USE1-Claude3Haiku-input-tokens-custom-model')?.model).toBe(
      'Claude3Haiku (custom model)',
    );
    expect(parseBedrockUsageType('USE1-NovaLite-input-tokens-someday')?.unknown).toEqual(['someday']);
  });

  it('is undefined for lines that are not tokens', () => {
    for (const ut of [
      'USE1-ProvisionedThroughput-Claude3Haiku-ModelUnits',
      'USE1-Guardrail-TextUnits',
      'USE1-Runtime:Consumption-based:vCPU',
      'USE1-Knowledge-Base:Consumption-based:Storage',
      'USE1-Evaluations:Consumption-based:BuiltIn-Input:Tier1',
      'USE1-Bedrock-Websearch-Queries',
      'USE1-NovaCanvas-T2I-1024-Standard',
      'USE1-Llama-CustomModelImport-Inference-v1:0',
      'USE1-BoxUsage:t3.micro',
      '',
    ]) {
      expect(parseBedrockUsageType(ut), ut).toBeUndefined();
    }
  });
});

describe('bedrockUsageModel', () => {
  it('maps by exact key only, and never one model onto another', () => {
    expect(bedrockUsageModel('Claude3.5Sonnet')).toBe('claude-3-5-sonnet');
    expect(bedrockUsageModel('Claude3Sonnet')).toBe('anthropic.claude-3-sonnet-20240229-v1:0');
    expect(bedrockUsageModel('Llama3-3-70B')).toBe('llama-3.3-70b-instruct');
    expect(bedrockUsageModel('Claude 3.5 Sonnet (Amazon Bedrock Edition)')).toBe('claude-3-5-sonnet');
    expect(bedrockUsageModel('Claude Sonnet 4.5')).toBe('claude-sonnet-4-5');
    expect(bedrockUsageModel('claude3.5sonnet')).toBe('claude3.5sonnet');
    expect(bedrockUsageModel('Claude3.5SonnetX')).toBe('Claude3.5SonnetX');
  });

  it("targets ids the bundled catalog has, else Bedrock model ids that LiteLLM's price list (an import) has", () => {
    const ids = new Set(BUNDLED_CATALOG.map((e) => e.id));
    const litellm = JSON.parse(
      readFileSync(join(SHARED_DATA, 'pricing', 'litellm-model-prices.json'), 'utf8'),
    ) as object;
    // Claude 2.0's Bedrock id: LiteLLM lists only anthropic.claude-v2:1.
    const notInLitellm = new Set(['anthropic.claude-v2']);
    for (const [k, v] of BEDROCK_USAGE_MODELS) {
      if (ids.has(v) || notInLitellm.has(v)) continue;
      expect(Object.hasOwn(litellm, v), `${k} → ${v}`).toBe(true);
    }
  });
});

describe('decimalTokens', () => {
  it('shifts the decimal point exactly and rounds half away from zero', () => {
    expect(decimalTokens('1234.567', 3, 'q')).toBe(1_234_567);
    expect(decimalTokens('0.0007', 4, 'q')).toBe(7); // 0.0007 × 10000 in floating point is 7.000000000000001
    expect(decimalTokens('12.3456', 3, 'q')).toBe(12_346);
    expect(decimalTokens('12.3454', 3, 'q')).toBe(12_345);
    expect(decimalTokens('1.0005', 3, 'q')).toBe(1001); // 1.0005 × 1000 = 1000.4999999999999 in floating point
    expect(decimalTokens('0.25', 6, 'q')).toBe(250_000);
    expect(decimalTokens('1.5E-3', 6, 'q')).toBe(1500);
    expect(decimalTokens('.5', 0, 'q')).toBe(1);
    expect(decimalTokens('0.4', 0, 'q')).toBe(0);
    expect(decimalTokens('0.00049', 3, 'q')).toBe(0);
    expect(decimalTokens('7', 0, 'q')).toBe(7);
    expect(decimalTokens('-0', 3, 'q')).toBe(0);
    expect(decimalTokens(' 42 ', 3, 'q')).toBe(42_000);
  });

  it('rejects what is not a non-negative, plausible number', () => {
    for (const bad of ['', '.', '-1', '1,5', 'abc', '1e', '0x10'])
      expect(() => decimalTokens(bad, 3, 'q'), bad).toThrow(RowError);
    expect(() => decimalTokens('2e9', 3, 'q')).toThrow('q is absurdly large: 2e9');
  });
});

/** decimalTokens as it was before its fast path for plain decimals (one regular expression): the reference. */
function referenceDecimalTokens(text: string, exp10: number, field: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new RowError(`${field} is not a number: ${JSON.stringify(text)}`);
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const point = (m[2] ?? '').length + exp10 + Number(m[4] ?? '0');
  let whole: string;
  let next: number;
  if (point <= 0) {
    whole = '0';
    next = point === 0 ? Number(digits[0] ?? '0') : 0;
  } else if (point >= digits.length) {
    whole = digits + '0'.repeat(point - digits.length);
    next = 0;
  } else {
    whole = digits.slice(0, point);
    next = Number(digits[point]);
  }
  let n = Number(whole.replace(/^0+(?=\d)/, '') || '0');
  if (next >= 5) n += 1;
  if (m[1] === '-' && n !== 0) throw new RowError(`${field} is negative: ${text.trim()}`);
  if (n > 1e12) throw new RowError(`${field} is absurdly large: ${text.trim()}`);
  return n;
}

describe('decimalTokens against its reference', () => {
  const outcome = (f: typeof decimalTokens, t: string, e: number) => {
    try {
      return f(t, e, 'q');
    } catch (x) {
      return `${(x as Error).constructor.name}: ${(x as Error).message}`;
    }
  };
  it('gives the same count or message on decimal-like text, for every unit', () => {
    const text = fc
      .array(
        fc.constantFrom('0', '1', '2', '4', '5', '6', '9', '9', '0', '.', '.', '-', '+', 'e', ' ', 'x'),
        {
          maxLength: 22,
        },
      )
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom(0, 1, 3, 6, -2), (t, e) => {
        expect(outcome(decimalTokens, t, e)).toEqual(outcome(referenceDecimalTokens, t, e));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees at rounding and size edges', () => {
    for (const t of [
      '0.0005',
      '0.00049',
      '999999999.9995',
      '999999999.9994',
      '1000000000.0',
      '9999999999999999999',
      '00012.5',
      '.5',
      '5.',
      '0.4999',
      '1000000000000000.5',
    ])
      for (const e of [0, 3, 6])
        expect(outcome(decimalTokens, t, e), `${t} ${e}`).toEqual(outcome(referenceDecimalTokens, t, e));
  });
});

describe('aws-cur: what is remembered per distinct cell is never stale', () => {
  it('reads each row from its own cells: tag maps, units, principals, times and usage types in turn', async () => {
    const head =
      'identity_line_item_id,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,' +
      'line_item_usage_type,line_item_usage_amount,line_item_unblended_cost,pricing_unit,line_item_iam_principal,' +
      'resource_tags\n';
    const line = (
      id: string,
      start: string,
      ut: string,
      amount: string,
      unit: string,
      who: string,
      tags: string,
    ) => `${id},${start},2026-01-02T00:00:00Z,AmazonBedrock,${ut},${amount},0.1,${unit},${who},${tags}\n`;
    const A = '"{""team"":""a"",""app"":""x""}"';
    const B = '"{""team"":""b""}"';
    const alice = 'arn:aws:iam::1:user/alice';
    const role = 'arn:aws:sts::1:assumed-role/App/s-1';
    const csv =
      head +
      line('r1', '2026-01-01T00:00:00Z', 'USE1-Claude3Haiku-input-tokens', '1', '1K tokens', alice, A) +
      line('r2', '2026-01-01T01:00:00Z', 'USE1-NovaPro-output-tokens', '1', '1M tokens', role, B) +
      line(
        'r3',
        '2026-01-01T00:00:00Z',
        'USE1-Claude3Haiku-input-tokens',
        '1',
        '1K tokens',
        alice,
        '"{bad"',
      ) +
      line('r4', 'yesterday', 'USE1-Claude3Haiku-input-tokens', '1', '1K tokens', alice, A) +
      line('r5', '2026-01-01T01:00:00Z', 'USE1-Claude3Haiku-input-tokens', '1', 'Hours', alice, A) +
      line('r6', '2026-01-01T01:00:00Z', 'USE1-Claude3Haiku-input-tokens', '2', '1K tokens', role, '"{bad"') +
      line('r7', 'yesterday', 'USE1-Claude3Haiku-input-tokens', '1', '1K tokens', alice, B) +
      line('r8', '2026-01-01T02:00:00Z', 'USE1-NovaPro-output-tokens', '3', '1k tokens', '', A) +
      line('r9', '2026-01-01T00:00:00Z', 'USE1-Claude3Haiku-input-tokens', '1', 'Hours', role, B);
    const { records, problems } = await parseFile(parser, tempFile('memo-cur.csv', csv));
    expect(
      records.map((r) => [
        r.source.line,
        r.start,
        r.model,
        r.tokens.input + r.tokens.output,
        r.dims.user,
        r.tags,
      ]),
    ).toEqual([
      [
        2,
        '2026-01-01T00:00:00.000Z',
        'claude-3-haiku',
        1000,
        'alice',
        expect.objectContaining({ team: 'a', app: 'x' }),
      ],
      [
        3,
        '2026-01-01T01:00:00.000Z',
        'amazon.nova-pro-v1:0',
        1_000_000,
        'App',
        expect.objectContaining({ team: 'b' }),
      ],
      [
        9,
        '2026-01-01T02:00:00.000Z',
        'amazon.nova-pro-v1:0',
        3000,
        undefined,
        expect.objectContaining({ team: 'a' }),
      ],
    ]);
    expect(records[1]!.tags.app).toBeUndefined(); // B's map, not A's
    expect(records[2]!.tags.iamPrincipal).toBeUndefined();
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [4, 'resource_tags is not a JSON map: "{bad"'],
      [5, 'line_item_usage_start_date is not a valid time: "yesterday"'],
      [6, 'pricing_unit "Hours" is not a token unit for token usage type USE1-Claude3Haiku-input-tokens'],
      [7, 'resource_tags is not a JSON map: "{bad"'],
      [8, 'line_item_usage_start_date is not a valid time: "yesterday"'],
      [10, 'pricing_unit "Hours" is not a token unit for token usage type USE1-Claude3Haiku-input-tokens'],
    ]);
  });
});

describe('aws-cur: detection', () => {
  const own = 'aws-cur';
  it.each(sampleFiles().map((s) => [s.path.split('/samples/')[1]!, s] as const))('%s', async (_, s) => {
    const { head } = await openInput(s.path);
    const score = parser.detect(head, s.path);
    if (s.format === own) expect(score).toBeGreaterThanOrEqual(0.9);
    else expect(score).toBeLessThan(0.5);
  });

  it('does not claim a FOCUS export or the other third-party files', async () => {
    for (const f of [
      'focus/focus-1.0-sample.csv',
      'azure/ea-actual-cost-small.csv',
      'openai/usage-completions.spec-example.json',
      'openai/usage-embeddings.spec-example.json',
      'openai/costs.spec-example.json',
    ]) {
      const { head } = await openInput(join(SHARED_DATA, f));
      expect(parser.detect(head, f), f).toBeLessThan(0.5);
    }
  });

  it('is not claimed by the other cloud parsers', async () => {
    for (const path of [CUR2, LEGACY]) {
      const { head } = await openInput(path);
      for (const p of [awsBedrockInvocationsParser, azureCostParser, gcpBillingParser])
        expect(p.detect(head, path)).toBe(0);
    }
  });
});
