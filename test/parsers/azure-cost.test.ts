import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { stringMap, UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { awsBedrockInvocationsParser } from '../../src/parsers/aws-bedrock-invocations.ts';
import { awsCurParser } from '../../src/parsers/aws-cur.ts';
import {
  AZURE_METER_MODELS,
  AZURE_TOKEN_UNITS,
  azureCostParser as parser,
  azureDate,
  azureMeterModel,
  azureTags,
  meterWords,
  parseAzureMeter,
} from '../../src/parsers/azure-cost.ts';
import { gcpBillingParser } from '../../src/parsers/gcp-billing.ts';
import { RowError } from '../../src/parsers/util.ts';
import { BUNDLED_CATALOG } from '../../src/pricing/catalog-data.ts';
import { parseFile, SAMPLES_DIR, sampleFiles, SHARED_DATA, tempFile } from '../helpers/parse.ts';

// The Azure OpenAI samples are written by hand (see fixtures/samples/azure-cost/README.md): the EA one reuses
// the header of the real EA export in shared/data, which has no Azure OpenAI rows; meter names follow Azure's
// retail price list.
const dir = join(SAMPLES_DIR, 'azure-cost');
const EA = join(dir, 'ea-actual-cost-openai.csv');
const MCA = join(dir, 'mca-actual-cost-foundry.csv');
const REAL_EA = join(SHARED_DATA, 'azure', 'ea-actual-cost-small.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  model: r.model,
  tier: r.serviceTier,
  tokens: r.tokens,
  cost: r.reportedCost?.amount,
  day: r.start.slice(0, 10),
  deployment: r.tags.deployment,
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

describe('azure-cost: the real EA sample (no Azure OpenAI rows)', () => {
  it('ignores every row as not AI usage, by meter category, with no problem', async () => {
    const { records, problems, ignored } = await parseFile(parser, REAL_EA);
    expect(problems).toEqual([]);
    expect(records).toEqual([]);
    expect(ignored.map((i) => i.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(countBy(ignored)).toEqual({
      'not AI usage: Virtual Machines': 2,
      'not AI usage: Storage': 3,
      'not AI usage: SQL Managed Instance': 3,
      'not AI usage: Advanced Threat Protection': 1,
      'not AI usage: Azure Database for MySQL': 1,
      'not AI usage: Advanced Data Security': 1,
    });
  });
});

describe('azure-cost: EA sample with Azure OpenAI meters', () => {
  it('yields one bill record per token meter row: tokens = Quantity × block', async () => {
    const { records, problems } = await parseFile(parser, EA);
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 2, model: 'gpt-4o-mini', tier: 'standard', tokens: t(1_520_500), cost: 0.228075, day: '2025-10-14', deployment: 'global' },
      { line: 3, model: 'gpt-4o-mini', tier: 'standard', tokens: t(0, 0, 0, 210_250), cost: 0.12615, day: '2025-10-14', deployment: 'global' },
      // 12.3456 × 1K = 12,345.6 → 12,346; the 0513 snapshot is priced apart
      { line: 4, model: 'gpt-4o-2024-05-13', tier: 'standard', tokens: t(0, 0, 0, 12_346), cost: 0.185184, day: '2025-10-14', deployment: 'regional' },
      { line: 5, model: 'o3-mini', tier: 'standard', tokens: t(0, 3000), cost: 0.00165, day: '2025-10-15', deployment: undefined },
      { line: 6, model: 'gpt-4.1-mini', tier: 'batch', tokens: t(100_000), cost: 0.02, day: '2025-10-15', deployment: 'global' },
      // a 1M block: 0.75 × 1,000,000
      { line: 7, model: 'gpt-5.4', tier: 'standard', tokens: t(0, 750_000), cost: 0.1875, day: '2025-10-15', deployment: 'global' },
      // an embeddings meter names no direction: it bills input
      { line: 8, model: 'text-embedding-3-large', tier: 'standard', tokens: t(40_000), cost: 0.0052, day: '2025-10-16', deployment: 'global' },
      // not in the table: the meter's own words, shown as unpriced
      { line: 9, model: 'gpt-4.5-0227', tier: 'standard', tokens: t(1000), cost: 0.075, day: '2025-10-16', deployment: 'global' },
    ]);
    for (const r of records) {
      expect(UsageRecordSchema.safeParse(r).success, `line ${r.source.line}`).toBe(true);
      expect(r).toMatchObject({
        provider: 'azure-openai',
        fromBill: true,
        requests: 0,
        reportedCost: { currency: 'USD' },
        dims: { project: 'AI Prod' },
        source: { file: EA, format: 'azure-cost' },
      });
      expect(r.modelRaw).toBe(r.tags.meterName); // the meter as billed; model is what the meter table reads
      // Cost details rows are daily.
      expect(Date.parse(r.end!) - Date.parse(r.start)).toBe(86_400_000);
      expect(Object.getPrototypeOf(r.tags)).toBeNull();
    }
    expect(new Set(records.map((r) => r.dedupKey)).size).toBe(records.length);
  });

  it('parses brace-less and full-JSON Tags, and keeps meter and resource details', async () => {
    const { records } = await parseFile(parser, EA);
    expect(records[0]!.tags).toMatchObject({
      team: 'support',
      app: 'chatbot',
      meterName: 'gpt-4o-mini-0718 Inp glbl Tokens',
      meterSubCategory: 'Azure OpenAI',
      deployment: 'global',
      modelVersion: '0718',
      resourceGroup: 'rg-chat',
      resourceName: 'oai-chat',
      subscriptionId: '5f1c2b3a-0000-4000-8000-000000000001',
    });
    expect(records[4]!.tags).toMatchObject({ team: 'support', 'batch-job': 'nightly' });
    expect(records[5]!.tags).toMatchObject({ team: 'platform', meterSubCategory: 'Azure OpenAI GPT5' });
  });

  it('counts the other rows as ignored: non-token AI meters, other services, refunds', async () => {
    const { ignored } = await parseFile(parser, EA);
    expect(ignored.map((i) => [i.line, i.reason])).toEqual([
      [10, 'not AI token usage: Azure OpenAI'], // Provisioned Managed Global Unit (hours)
      [11, 'not AI token usage: Speech'],
      [12, 'not AI usage: Virtual Machines'],
      [13, 'not usage: Refund'],
    ]);
  });
});

describe('azure-cost: MCA sample', () => {
  it('reads camelCase columns, full-JSON tags and a non-USD billing currency as is', async () => {
    const { records, problems, ignored } = await parseFile(parser, MCA);
    expect(problems).toEqual([]);
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 2, model: 'gpt-4.1', tier: 'standard', tokens: t(2500), cost: 0.004775, day: '2025-10-20', deployment: 'regional' },
      { line: 3, model: 'gpt-4.1', tier: 'standard', tokens: t(0, 0, 0, 800), cost: 0.006112, day: '2025-10-20', deployment: 'regional' },
    ]);
    for (const r of records) {
      expect(UsageRecordSchema.safeParse(r).success).toBe(true);
      expect(r.reportedCost?.currency).toBe('EUR');
      expect(r.dims.project).toBe('Research Dev');
      expect(r.tags).toMatchObject({ env: 'dev', owner: 'dana', resourceGroup: 'rg-dev' });
    }
    expect(countBy(ignored)).toEqual({ 'not AI usage: Storage': 1 });
  });
});

describe('azure-cost: bad rows', () => {
  it('reports each with its line and reason', async () => {
    const head =
      'Date,MeterCategory,MeterSubCategory,MeterName,Quantity,UnitOfMeasure,CostInBillingCurrency,BillingCurrency,Tags,ChargeType\n';
    const r = (q: string, unit = '1K', cost = '0.1', date = '10/14/2025', tags = '') =>
      `${date},Cognitive Services,Azure OpenAI,gpt 4.1 Inp glbl Tokens,${q},${unit},${cost},USD,${tags},Usage\n`;
    const csv =
      head +
      r('1') +
      r('-2') +
      r('abc') +
      r('1', '1 Hour') +
      r('1', '1K', 'n/a') +
      r('1', '1K', '0.1', '13/45/2025') +
      r('1', '1K', '0.1', '02/30/2025') +
      r('1', '1K', '0.1', '10/14/2025', '"""team"": oops"') +
      r('2000000000');
    const file = tempFile('bad-azure.csv', csv);
    const { records, problems } = await parseFile(parser, file);
    expect(records.map((x) => x.source.line)).toEqual([2]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'Quantity is negative: -2'],
      [4, 'Quantity is not a number: "abc"'],
      [5, 'UnitOfMeasure "1 Hour" is not a token block (1K, 10K, 1M …) for meter "gpt 4.1 Inp glbl Tokens"'],
      [6, 'CostInBillingCurrency is not a number: "n/a"'],
      [7, 'Date is not MM/DD/YYYY: "13/45/2025"'],
      [8, 'Date is not a calendar day: "02/30/2025"'],
      [9, 'Tags is not JSON: "\\"team\\": oops"'],
      [10, 'Quantity is absurdly large: 2000000000'],
    ]);
  });
});

describe('azure-cost: units', () => {
  it('embeds the token block sizes of the real PricingUnits.csv', () => {
    const rows = parse(readFileSync(join(SHARED_DATA, 'azure', 'pricing-units.csv'), 'utf8'), {
      columns: true,
    }) as { UnitOfMeasure: string; PricingBlockSize: string }[];
    const block = new Map(rows.map((r) => [r.UnitOfMeasure, Number(r.PricingBlockSize)]));
    for (const [unit, exp] of AZURE_TOKEN_UNITS) {
      expect(block.get(unit), unit).toBe(10 ** exp);
    }
    // The units Azure token meters are quoted in (retail price list: 1K, 1M) are among them.
    expect(block.get('1K')).toBe(1000);
    expect(block.get('1M')).toBe(1_000_000);
    expect(block.get('10K')).toBe(10_000);
  });
});

describe('parseAzureMeter', () => {
  const read = (name: string) => {
    const m = parseAzureMeter(name);
    return m && [azureMeterModel(m), m.kind, m.tier, m.deployment ?? '', m.version ?? ''];
  };
  it('reads the meter names of Azure OpenAI and Foundry models', () => {
    // prettier-ignore
    const cases: [string, unknown][] = [
      ['gpt-4o-mini-0718 Inp glbl Tokens', ['gpt-4o-mini', 'input', 'standard', 'global', '0718']],
      ['gpt 4o 0513 Output regional Tokens', ['gpt-4o-2024-05-13', 'output', 'standard', 'regional', '0513']],
      ['gpt 4o 1120 cached Inp regnl Tokens', ['gpt-4o', 'cacheRead', 'standard', 'regional', '1120']],
      ['gpt-4o-0806-Batch-Inp-glbl Tokens', ['gpt-4o', 'input', 'batch', 'global', '0806']],
      ['gpt 4o mini0718 BatchOutp DataZone Tokens', ['gpt-4o-mini', 'output', 'batch', 'datazone', '0718']],
      ['gpt 4o 0806 Inp Data Zone Tokens', ['gpt-4o', 'input', 'standard', 'datazone', '0806']],
      ['o3 mini cached Inp Tokens', ['o3-mini', 'cacheRead', 'standard', '', '']],
      ['o3 0416 Outp glbl Tokens', ['o3', 'output', 'standard', 'global', '0416']],
      ['o4-mini 0416 Inp glbl Tokens', ['o4-mini', 'input', 'standard', 'global', '0416']],
      ['gpt 4.1 nano cached Inp glbl Tokens', ['gpt-4.1-nano', 'cacheRead', 'standard', 'global', '']],
      ['gpt 4.1 Inp DZone Tokens', ['gpt-4.1', 'input', 'standard', 'datazone', '']],
      ['GPT 5 Nano Inpt Glbl 1M Tokens', ['gpt-5-nano', 'input', 'standard', 'global', '']],
      ['GPT 5 Mini outpt Glbl 1M Tokens', ['gpt-5-mini', 'output', 'standard', 'global', '']],
      ['5.4 opt Gl 1M Tokens', ['gpt-5.4', 'output', 'standard', 'global', '']],
      ['5.1 cd inp Dz 1M Tokens', ['gpt-5.1', 'cacheRead', 'standard', 'datazone', '']],
      ['5.4 pp inp Gl 1M Tokens', ['gpt-5.4', 'input', 'priority', 'global', '']],
      ['5.6 sol ShortCo Cd Wr Std Gl 1M Tokens', ['5.6-sol', 'cacheWrite', 'standard', 'global', '']],
      ['text-embedding-3-small-glbl Tokens', ['text-embedding-3-small', 'input', 'standard', 'global', '']],
      // Models the table lacks keep their words and are not folded into a near name
      ['gpt 4o mini dev ft cchd inpt glbl Tokens', ['gpt-4o-mini-dev-ft', 'cacheRead', 'standard', 'global', '']],
      ['gpt 5 pro out glbl Tokens', ['gpt-5-pro', 'output', 'standard', 'global', '']],
      ['Phi-3.5-Mini-128K-Instruct-Output Tokens', ['phi-3.5-mini-128k-instruct', 'output', 'standard', '', '']],
      ['V4 Pro Inp glbl Tokens', ['v4-pro', 'input', 'standard', 'global', '']],
    ];
    for (const [name, want] of cases) expect(read(name), name).toEqual(want);
    expect(parseAzureMeter('5.5 ShortCo inp Gl 1M Tokens')?.context).toBe('short');
  });

  it('is undefined for meters that are not tokens', () => {
    for (const name of [
      'Provisioned Managed Global Unit',
      'Sora 2 pro glbl Second',
      'S1 Speech To Text',
      'gpt-transcribe Gl Unit',
      'Inp glbl Tokens',
      'Tokens',
      '',
    ]) {
      expect(parseAzureMeter(name), name).toBeUndefined();
    }
  });

  it('splits glued words only where Azure glues them', () => {
    expect(meterWords('gpt 4o mini0718 BatchOutp DataZone Tokens')).toEqual([
      'gpt',
      '4o',
      'mini',
      '0718',
      'batch',
      'outp',
      'datazone',
      'tokens',
    ]);
    expect(meterWords('gpt-4.1_mini  Inp')).toEqual(['gpt', '4.1', 'mini', 'inp']);
  });

  it('maps only to ids the bundled catalog has', () => {
    const ids = new Set(BUNDLED_CATALOG.map((e) => e.id));
    for (const [k, e] of AZURE_METER_MODELS) {
      expect(ids.has(e.id), `${k} → ${e.id}`).toBe(true);
      for (const v of Object.values(e.versions ?? {})) expect(ids.has(v), `${k} → ${v}`).toBe(true);
    }
  });
});

describe('azure helpers', () => {
  it('azureDate reads MM/DD/YYYY and ISO', () => {
    expect(azureDate('09/21/2023')).toBe('2023-09-21T00:00:00.000Z');
    expect(azureDate('9/1/2023')).toBe('2023-09-01T00:00:00.000Z');
    expect(azureDate('2023-09-21')).toBe('2023-09-21T00:00:00.000Z');
    expect(() => azureDate(undefined)).toThrow('no Date');
  });

  it('azureTags reads EA (no braces) and full JSON, into a null-prototype map', () => {
    const a = stringMap();
    azureTags('"CostCenter": "1234","env": "prod","__proto__": "x","n": 5', a);
    expect({ ...a }).toEqual({ CostCenter: '1234', env: 'prod', ['__proto__']: 'x', n: '5' });
    const b = stringMap();
    azureTags('{"env":"dev"}', b);
    expect({ ...b }).toEqual({ env: 'dev' });
    expect(() => azureTags('[1]', stringMap())).toThrow(RowError);
  });
});

describe('azure-cost: detection', () => {
  const own = 'azure-cost';
  it.each(sampleFiles().map((s) => [s.path.split('/samples/')[1]!, s] as const))('%s', async (_, s) => {
    const { head } = await openInput(s.path);
    const score = parser.detect(head, s.path);
    if (s.format === own) expect(score).toBeGreaterThanOrEqual(0.9);
    else expect(score).toBeLessThan(0.5);
  });

  it('claims the real EA export, not a FOCUS export nor the OpenAI files', async () => {
    expect(parser.detect((await openInput(REAL_EA)).head, REAL_EA)).toBeGreaterThanOrEqual(0.9);
    for (const f of [
      'focus/focus-1.0-sample.csv',
      'openai/usage-completions.spec-example.json',
      'openai/usage-embeddings.spec-example.json',
      'openai/costs.spec-example.json',
    ]) {
      const { head } = await openInput(join(SHARED_DATA, f));
      expect(parser.detect(head, f), f).toBeLessThan(0.5);
    }
  });

  it('is not claimed by the other cloud parsers', async () => {
    for (const path of [EA, MCA, REAL_EA]) {
      const { head } = await openInput(path);
      for (const p of [awsBedrockInvocationsParser, awsCurParser, gcpBillingParser])
        expect(p.detect(head, path)).toBe(0);
    }
  });
});
