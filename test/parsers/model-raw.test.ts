import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAttributor } from '../../src/attribution/rules.ts';
import { stringMap, type UsageRecord } from '../../src/core/record.ts';
import { Enricher } from '../../src/pipeline/enrich.ts';
import { anthropicConsoleCsvParser } from '../../src/parsers/anthropic-console-csv.ts';
import { awsBedrockInvocationsParser } from '../../src/parsers/aws-bedrock-invocations.ts';
import { awsCurParser } from '../../src/parsers/aws-cur.ts';
import { azureCostParser } from '../../src/parsers/azure-cost.ts';
import { focusParser } from '../../src/parsers/focus.ts';
import { gcpBillingParser } from '../../src/parsers/gcp-billing.ts';
import type { Parser } from '../../src/parsers/types.ts';
import { BUNDLED_CATALOG, createPriceBook } from '../../src/pricing/index.ts';
import { parseFile, SAMPLES_DIR } from '../helpers/parse.ts';

// The record contract (DESIGN.md): `modelRaw` is the source's own text naming the model, as written, so a cost
// can be traced back to its input line; `model` is the canonical id. A bill names its model inside a usage type,
// meter or SKU description, which its parser maps with a table of its own: the mapped id is `model`, never
// `modelRaw`, and the enricher keeps it (resolving it, not the bill's text).

const sample = (format: string, file: string) => join(SAMPLES_DIR, format, file);

interface Case {
  parser: Parser;
  file: string;
  line: number;
  /** The model text as the file writes it. */
  modelRaw: string;
  /** What the parser reads from it. */
  parsed: string;
  /** The catalog id after enrichment with the bundled price list. */
  catalog: string;
}

const CASES: Case[] = [
  {
    parser: awsCurParser,
    file: sample('aws-cur', 'cur2-bedrock.csv'),
    line: 2,
    modelRaw: 'USE1-Claude3.5Sonnet-input-tokens',
    parsed: 'claude-3-5-sonnet',
    catalog: 'claude-3-5-sonnet',
  },
  {
    parser: awsCurParser,
    file: sample('aws-cur', 'cur2-bedrock.csv'),
    line: 4,
    modelRaw: 'USW2-Claude4.5Sonnet-cache-read-input-token-count',
    parsed: 'claude-sonnet-4-5',
    catalog: 'claude-sonnet-4-5',
  },
  // A Marketplace usage type names no model: the product name does.
  {
    parser: awsCurParser,
    file: sample('aws-cur', 'cur2-bedrock.csv'),
    line: 10,
    modelRaw: 'Claude 3.5 Sonnet (Amazon Bedrock Edition)',
    parsed: 'claude-3-5-sonnet',
    catalog: 'claude-3-5-sonnet',
  },
  {
    parser: awsCurParser,
    file: sample('aws-cur', 'cur-legacy.csv'),
    line: 2,
    modelRaw: 'USE1-Claude3Haiku-input-tokens',
    parsed: 'claude-3-haiku',
    catalog: 'claude-3-haiku',
  },
  {
    parser: azureCostParser,
    file: sample('azure-cost', 'ea-actual-cost-openai.csv'),
    line: 2,
    modelRaw: 'gpt-4o-mini-0718 Inp glbl Tokens',
    parsed: 'gpt-4o-mini',
    catalog: 'gpt-4o-mini',
  },
  {
    parser: azureCostParser,
    file: sample('azure-cost', 'ea-actual-cost-openai.csv'),
    line: 4,
    modelRaw: 'gpt 4o 0513 Output regional Tokens',
    parsed: 'gpt-4o-2024-05-13',
    catalog: 'gpt-4o-2024-05-13',
  },
  {
    parser: azureCostParser,
    file: sample('azure-cost', 'mca-actual-cost-foundry.csv'),
    line: 2,
    modelRaw: 'gpt 4.1 Inp regnl Tokens',
    parsed: 'gpt-4.1',
    catalog: 'gpt-4.1',
  },
  {
    parser: gcpBillingParser,
    file: sample('gcp-billing', 'billing-export.csv'),
    line: 2,
    modelRaw: 'Gemini 2.5 Flash Text Input - Predictions',
    parsed: 'gemini-2.5-flash',
    catalog: 'gemini-2.5-flash',
  },
  {
    parser: gcpBillingParser,
    file: sample('gcp-billing', 'billing-export.jsonl'),
    line: 1,
    modelRaw: 'Gemini 2.5 Pro Text Input - Predictions',
    parsed: 'gemini-2.5-pro',
    catalog: 'gemini-2.5-pro',
  },
  // An inference-profile ARN names its model in its last part.
  {
    parser: awsBedrockInvocationsParser,
    file: sample('aws-bedrock-invocations', 'invocations.jsonl'),
    line: 2,
    modelRaw:
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
    parsed: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    catalog: 'claude-3-5-haiku',
  },
  // FOCUS: a model read from a resource id or a meter keeps that cell as modelRaw.
  {
    parser: focusParser,
    file: sample('focus', 'focus-1.2-ai-sample.csv'),
    line: 2,
    modelRaw: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
    parsed: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    catalog: 'claude-sonnet-4-5',
  },
  {
    parser: focusParser,
    file: sample('focus', 'focus-1.2-ai-sample.csv'),
    line: 8,
    modelRaw: 'gpt-4o-mini-2024-07-18-Outp-glbl Tokens',
    parsed: 'gpt-4o-mini-2024-07-18',
    catalog: 'gpt-4o-mini',
  },
  {
    parser: focusParser,
    file: sample('focus', 'focus-1.3-provider-columns.csv'),
    line: 2,
    modelRaw: 'claude-haiku-4-5 input tokens',
    parsed: 'claude-haiku-4-5',
    catalog: 'claude-haiku-4-5',
  },
  // A model column: the text as written, which is also what the pricer resolves.
  {
    parser: focusParser,
    file: sample('focus', 'focus-1.2-ai-sample.csv'),
    line: 10,
    modelRaw: 'gpt-4.1',
    parsed: 'gpt-4.1',
    catalog: 'gpt-4.1',
  },
  {
    parser: anthropicConsoleCsvParser,
    file: sample('anthropic-console-csv', 'claude_api_tokens_2026_03.csv'),
    line: 2,
    modelRaw: 'claude-sonnet-4-5-20250929',
    parsed: 'claude-sonnet-4-5-20250929',
    catalog: 'claude-sonnet-4-5',
  },
];

const book = () => createPriceBook({ bundled: BUNDLED_CATALOG });
const enricher = () => new Enricher(book(), createAttributor([], 'unattributed'));

async function recordAt(c: Case): Promise<UsageRecord> {
  const { records } = await parseFile(c.parser, c.file);
  const r = records.find((x) => x.source.line === c.line);
  if (r === undefined) throw new Error(`${c.file}: no record at line ${c.line}`);
  return r;
}

describe('modelRaw is the source text, model the id the parser reads from it', () => {
  for (const c of CASES) {
    const name = `${c.parser.id} ${c.file.split('/').pop()}:${c.line}: ${c.modelRaw}`;

    it(`${name} → ${c.parsed}`, async () => {
      const r = await recordAt(c);
      expect(r.modelRaw).toBe(c.modelRaw);
      expect(r.model).toBe(c.parsed);
      // Traceable: the text is on the record's own line of the file.
      const text = readFileSync(c.file, 'utf8').split('\n')[c.line - 1]!;
      expect(text).toContain(c.modelRaw);
    });

    it(`${name}: priced as ${c.catalog} after enrichment, modelRaw kept`, async () => {
      const r = await recordAt(c);
      const [p] = await enricher().enrich([r]);
      expect(p!.record.model).toBe(c.catalog);
      expect(p!.record.modelRaw).toBe(c.modelRaw);
      expect(p!.unpriced).toBeUndefined();
      expect(p!.entry?.id).toBe(c.catalog);
    });
  }

  it('a model the bill table does not know keeps its words as model and shows as unpriced', async () => {
    const r = await recordAt({
      parser: awsCurParser,
      file: sample('aws-cur', 'cur2-bedrock.csv'),
      line: 9,
      modelRaw: '',
      parsed: '',
      catalog: '',
    });
    expect(r.modelRaw).toBe('USE1-Claude9Mega-input-tokens');
    expect(r.model).toBe('Claude9Mega');
    const [p] = await enricher().enrich([r]);
    expect(p!.record.model).toBe('Claude9Mega');
    expect(p!.unpriced).toBe('unknown model');
  });
});

describe('enricher: resolves the parser model, memoised per distinct string', () => {
  const bill = (modelRaw: string, model: string, line: number): UsageRecord => ({
    start: '2025-10-01T00:00:00.000Z',
    provider: 'aws-bedrock',
    model,
    modelRaw,
    requests: 0,
    tokens: { input: 1000, cacheRead: 0, cacheWrite: 0, output: 0 },
    dims: {},
    tags: stringMap(),
    fromBill: true,
    source: { file: 'bill.csv', line, format: 'aws-cur' },
  });

  it('prices a bill row by the model its parser read, whatever its modelRaw', async () => {
    const b = book();
    expect(b.resolve('USE1-Claude3.5Sonnet-input-tokens', 'aws-bedrock')).toBeUndefined();
    const out = await enricher().enrich([
      bill('USE1-Claude3.5Sonnet-input-tokens', 'claude-3-5-sonnet', 1),
      bill('USE1-Claude3.5Sonnet-output-tokens', 'claude-3-5-sonnet', 2),
      bill('USE1-Claude3.5Sonnet-input-tokens', 'claude-3-5-sonnet', 3),
    ]);
    for (const p of out) {
      expect(p.record.model).toBe('claude-3-5-sonnet');
      expect(p.entry?.id).toBe('claude-3-5-sonnet');
    }
    expect(out.map((p) => p.record.modelRaw)).toEqual([
      'USE1-Claude3.5Sonnet-input-tokens',
      'USE1-Claude3.5Sonnet-output-tokens',
      'USE1-Claude3.5Sonnet-input-tokens',
    ]);
  });

  it('looks each distinct model string up once', async () => {
    const b = book();
    let calls = 0;
    const counting = new Proxy(b, {
      get(target, prop, receiver) {
        if (prop === 'resolve')
          return (m: string, provider?: string) => {
            calls++;
            return target.resolve(m, provider);
          };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const e = new Enricher(counting, createAttributor([], 'unattributed'));
    const rows = [];
    for (let i = 0; i < 50; i++) {
      rows.push(
        bill(`USE1-Claude3.5Sonnet-${i % 2 === 0 ? 'input' : 'output'}-tokens`, 'claude-3-5-sonnet', i),
      );
      rows.push(
        bill('us.anthropic.claude-3-5-haiku-20241022-v1:0', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', i),
      );
    }
    const out = await e.enrich(rows);
    expect(calls).toBe(2);
    expect(new Set(out.map((p) => p.record.model))).toEqual(
      new Set(['claude-3-5-sonnet', 'claude-3-5-haiku']),
    );
  });
});
