import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { awsBedrockInvocationsParser } from '../../src/parsers/aws-bedrock-invocations.ts';
import { awsCurParser } from '../../src/parsers/aws-cur.ts';
import { azureCostParser } from '../../src/parsers/azure-cost.ts';
import {
  GEMINI_SKU_MODELS,
  gcpBillingParser as parser,
  geminiSkuModel,
  parseGeminiSku,
} from '../../src/parsers/gcp-billing.ts';
import { BUNDLED_CATALOG } from '../../src/pricing/catalog-data.ts';
import { parseFile, SAMPLES_DIR, sampleFiles, SHARED_DATA, tempFile } from '../helpers/parse.ts';

// The samples are written by hand from the published schema of the BigQuery billing export, with SKU
// descriptions taken from (or modelled on) Google's SKU catalog as quoted in public code (see
// fixtures/samples/gcp-billing/README.md); no real export with Gemini rows was available.
const dir = join(SAMPLES_DIR, 'gcp-billing');
const JSONL = join(dir, 'billing-export.jsonl');
const CSV = join(dir, 'billing-export.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  model: r.model,
  tier: r.serviceTier,
  tokens: r.tokens,
  cost: r.reportedCost?.amount,
  project: r.dims.project,
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

describe('gcp-billing: JSON Lines export', () => {
  it('yields one bill record per Gemini token row', async () => {
    const { records, problems } = await parseFile(parser, JSONL);
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 1, model: 'gemini-2.5-pro', tier: 'standard', tokens: t(1_200_000), cost: 1.5, project: 'acme-ml' },
      // thinking tokens are output, and shown as the reasoning part of it
      { line: 2, model: 'gemini-2.5-flash', tier: 'standard', tokens: { ...t(0, 0, 0, 50_000), reasoning: 50_000 }, cost: 0.125, project: 'acme-ml' },
      { line: 3, model: 'gemini-2.5-pro', tier: 'standard', tokens: t(0, 300_000), cost: 0.15, project: 'acme-ml' },
      // Gemini API: the first direction word is the kind; "short input text" names the context band
      { line: 4, model: 'gemini-2.5-flash', tier: 'standard', tokens: t(0, 0, 0, 461_280), cost: 1.1532, project: 'acme-apps' },
      { line: 5, model: 'gemini-3.7-flash', tier: 'flex', tokens: t(20_000), cost: 0.0075, project: 'acme-apps' },
      { line: 6, model: 'gemini-2.0-flash', tier: 'batch', tokens: t(250_000), cost: 0.0375, project: 'acme-ml' },
    ]);
    for (const r of records) {
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
      expect(r).toMatchObject({
        provider: 'google-vertex',
        fromBill: true,
        requests: 0,
        start: '2026-10-01T07:00:00.000Z',
        end: '2026-10-01T08:00:00.000Z',
        reportedCost: { currency: 'USD' },
        source: { file: JSONL, format: 'gcp-billing' },
      });
      expect(r.modelRaw).toBe(r.tags.sku); // the SKU description as billed; model is what the SKU table reads
      expect(Object.getPrototypeOf(r.tags)).toBeNull();
    }
    expect(new Set(records.map((r) => r.dedupKey)).size).toBe(records.length);
  });

  it('keeps gross cost, with credits and the net beside it; labels become tags', async () => {
    const { records } = await parseFile(parser, JSONL);
    expect({ ...records[0]!.tags }).toEqual({
      team: 'search',
      env: 'prod',
      sku: 'Gemini 2.5 Pro Text Input - Predictions',
      skuId: 'A121-E2B5-1418',
      credits: '-0.5',
      netCost: '1',
      region: 'us-central1',
      projectName: 'ACME ML',
    });
    expect(records[0]!.reportedCost).toEqual({ amount: 1.5, currency: 'USD' });
    expect(records[2]!.tags.longContext).toBe('true');
    expect(records[5]!.tags.longContext).toBe('true');
  });

  it('counts the other rows as ignored, with the reason', async () => {
    const { ignored } = await parseFile(parser, JSONL);
    expect(ignored.map((i) => [i.line, i.reason])).toEqual([
      [7, 'not AI token usage: Vertex AI'], // context-cache storage (hours)
      [8, 'AI usage billed per character, not per token: Vertex AI'], // Gemini 1.5 on Vertex
      [9, 'not AI usage: Compute Engine'],
      [10, 'not usage: tax'],
    ]);
  });
});

describe('gcp-billing: CSV export', () => {
  it('reads dotted column names, labels and credits as JSON text', async () => {
    const { records, problems, ignored } = await parseFile(parser, CSV);
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 2, model: 'gemini-2.5-flash', tier: 'standard', tokens: t(1_000_000), cost: 0.3, project: 'acme-ml' },
      // 250000.0: a FLOAT64 token count
      { line: 3, model: 'gemini-2.5-flash', tier: 'standard', tokens: t(0, 0, 0, 250_000), cost: 0.625, project: 'acme-ml' },
    ]);
    expect(records[0]!.tags.app).toBe('rag');
    expect(records[1]!.tags).toMatchObject({ credits: '-0.125', netCost: '0.5' });
    expect(countBy(ignored)).toEqual({ 'not AI usage: BigQuery': 1, 'not AI token usage: Vertex AI': 1 });
    for (const r of records) expect(UsageRecordSchema.safeParse(r).success).toBe(true);
  });

  it('reads underscore column names and labels as an object', async () => {
    const csv =
      'service_description,sku_description,usage_start_time,usage_end_time,project_id,labels,cost,currency,usage_amount,usage_unit\n' +
      'Gemini API,Generate content cached input token count gemini 2.5 flash input image,2026-10-03T00:00:00Z,2026-10-03T01:00:00Z,p1,"{""team"":""x""}",0.01,EUR,1000,count\n';
    const { records, problems } = await parseFile(parser, tempFile('flat.csv', csv));
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({
      model: 'gemini-2.5-flash',
      tokens: t(0, 1000),
      reportedCost: { amount: 0.01, currency: 'EUR' },
      dims: { project: 'p1' },
      tags: { team: 'x', modality: 'image' },
    });
  });
});

describe('gcp-billing: bad rows', () => {
  it('reports each with its line and reason', async () => {
    const base = {
      service: { description: 'Vertex AI' },
      sku: { description: 'Gemini 2.5 Pro Text Input - Predictions' },
      usage_start_time: '2026-10-01 07:00:00 UTC',
      usage: { amount: 10, unit: 'count' },
      cost: 0.1,
      currency: 'USD',
    };
    const lines = [
      base,
      { ...base, usage: { amount: -10, unit: 'count' } },
      { ...base, usage: { amount: 10, unit: 'seconds' } },
      { ...base, usage: { amount: 'ten', unit: 'count' } },
      { ...base, cost: 'free' },
      { ...base, usage_start_time: undefined },
      { ...base, labels: 'not json' },
      { ...base, labels: [1] },
      { ...base, credits: { amount: 1 } },
      { ...base, sku: {} },
      { ...base, usage: { unit: 'count' } },
    ];
    const file = tempFile('bad.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { records, problems } = await parseFile(parser, file);
    expect(records.map((r) => r.source.line)).toEqual([1]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'usage.amount is negative: -10'],
      [3, 'usage.unit "seconds" is not a token count for SKU "Gemini 2.5 Pro Text Input - Predictions"'],
      [4, 'usage.amount is not a number: "ten"'],
      [5, 'cost is not a number: "free"'],
      [6, 'no usage_start_time'],
      [7, 'labels is not JSON: "not json"'],
      [8, 'labels: an entry is not a {key, value} object'],
      [9, 'credits is not a list'],
      [10, 'no sku.description'],
      [11, 'no usage.amount'],
    ]);
  });
});

describe('parseGeminiSku', () => {
  const read = (d: string) => {
    const s = parseGeminiSku(d);
    return typeof s === 'string' ? s : [geminiSkuModel(s), s.kind, s.tier, s.thinking, s.longContext];
  };
  it('reads Vertex AI and Gemini API token SKUs', () => {
    // prettier-ignore
    const cases: [string, unknown][] = [
      ['Gemini 2.5 Flash Text Input - Predictions', ['gemini-2.5-flash', 'input', 'standard', false, false]],
      ['Gemini 2.5 Flash GA Text Output - Predictions', ['gemini-2.5-flash', 'output', 'standard', false, false]],
      ['Gemini 2.5 Flash Thinking Text Output - Predictions', ['gemini-2.5-flash', 'output', 'standard', true, false]],
      ['Gemini 2.5 Flash Text Output (Thinking On) - Batch Predictions', ['gemini-2.5-flash', 'output', 'batch', true, false]],
      ['Gemini 2.5 Flash GA Input Text Caching', ['gemini-2.5-flash', 'cacheRead', 'standard', false, false]],
      ['Gemini 2.5 Pro Text Input Caching (Long)', ['gemini-2.5-pro', 'cacheRead', 'standard', false, true]],
      ['Gemini 2.0 Flash Text Input (Long) - Predictions', ['gemini-2.0-flash', 'input', 'standard', false, true]],
      ['Gemini 2.5 Flash GA Video Input Priority - Predictions', ['gemini-2.5-flash', 'input', 'priority', false, false]],
      ['Gemini 3 Flash Text Input Caching', ['gemini-3-flash', 'cacheRead', 'standard', false, false]],
      ['Gemini 3.7 Flash Global Text Input - Predictions', ['gemini-3.7-flash', 'input', 'standard', false, false]],
      ['Gemini 2.5 Flash Lite Text Input - Predictions', ['gemini-2.5-flash-lite', 'input', 'standard', false, false]],
      ['Generate content input token count Gemini 2.5 Pro long input text', ['gemini-2.5-pro', 'input', 'standard', false, true]],
      ['Generate content output token count Gemini 2.5 Pro short output text', ['gemini-2.5-pro', 'output', 'standard', false, false]],
      ['Generate content input token count gemini 2.5 flash lite', ['gemini-2.5-flash-lite', 'input', 'standard', false, false]],
      ['Generate content output token count gemini 3.1 flash lite preview text', ['gemini-3.1-flash-lite-preview', 'output', 'standard', false, false]],
      ['GenerateContent text output token count for Gemini 2.0 Flash', ['gemini-2.0-flash', 'output', 'standard', false, false]],
      ['EmbedContent input token count for gemini-embedding-001 text', ['gemini-embedding-001', 'input', 'standard', false, false]],
      // not tokens
      ['Gemini 2.5 Flash Input Text Caching Storage', 'not tokens'],
      ['LLM Grounding with Google Search tool - Predictions', 'not tokens'],
      ['Vertex AI: Online/Batch Prediction N1 Predefined Instance Core', 'not tokens'],
      ['PaLM Text Bison Input Characters', 'per character'],
      ['Gemini 1.0 Pro Text Input Characters', 'per character'],
    ];
    for (const [d, want] of cases) expect(read(d), d).toEqual(want);
  });

  it('maps only to ids the bundled catalog has', () => {
    const ids = new Set(BUNDLED_CATALOG.map((e) => e.id));
    for (const [k, v] of GEMINI_SKU_MODELS) expect(ids.has(v), `${k} → ${v}`).toBe(true);
  });
});

describe('gcp-billing: detection', () => {
  const own = 'gcp-billing';
  it.each(sampleFiles().map((s) => [s.path.split('/samples/')[1]!, s] as const))('%s', async (_, s) => {
    const { head } = await openInput(s.path);
    const score = parser.detect(head, s.path);
    if (s.format === own) expect(score).toBeGreaterThanOrEqual(0.9);
    else expect(score).toBeLessThan(0.5);
  });

  it('claims none of the third-party files', async () => {
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
    for (const path of [JSONL, CSV]) {
      const { head } = await openInput(path);
      for (const p of [awsBedrockInvocationsParser, awsCurParser, azureCostParser])
        expect(p.detect(head, path)).toBe(0);
    }
  });
});
