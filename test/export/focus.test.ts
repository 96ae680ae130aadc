import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/analysis/report.ts';
import { exportCommand } from '../../src/commands/export.ts';
import { loadContext } from '../../src/commands/shared.ts';
import { decimalString, FOCUS_EXPORT_COLUMNS, shiftDecimal } from '../../src/export/focus.ts';
import { focusParser } from '../../src/parsers/focus.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'fixtures', 'demo');
const DEMO_CONFIG = join(DEMO, 'finops.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'finops-export-'));

beforeAll(() => {
  // No imported price list from the developer's home: the bundled catalog and the config only.
  process.env.FINOPS_PRICES = join(tmp, 'no-prices.json');
  process.env.FINOPS_HOME = join(tmp, 'home');
});

type Row = Record<string, string>;

/** Runs `finops export` in-process (the command is registered in cli.ts by the lead) and reads the CSV back. */
async function runExport(args: string[], name: string): Promise<{ path: string; text: string; rows: Row[] }> {
  const path = join(tmp, name);
  await exportCommand().parseAsync([...args, '--format', 'focus', '--output', path, '--quiet'], {
    from: 'user',
  });
  const text = readFileSync(path, 'utf8');
  return { path, text, rows: parseCsv(text, { columns: true }) as Row[] };
}

/** A finops report over the export alone, read with the focus parser (forced: registration is the lead's). */
async function readBack(path: string, config = DEMO_CONFIG) {
  const { loaded, book } = await loadContext(config);
  return buildReport({
    paths: [path],
    by: ['model'],
    tz: 'UTC',
    filters: [],
    config: loaded.config,
    book,
    format: 'focus',
    parsers: [focusParser],
  });
}

const num = (s: string | undefined) => (s === undefined || s === '' ? 0 : Number(s));

describe('finops export --format focus: the columns', () => {
  it('writes exactly the FOCUS 1.2 columns finops fills, then its x_ columns', () => {
    expect([...FOCUS_EXPORT_COLUMNS]).toEqual([
      'BilledCost',
      'BillingAccountId',
      'BillingAccountName',
      'BillingCurrency',
      'BillingPeriodEnd',
      'BillingPeriodStart',
      'ChargeCategory',
      'ChargeClass',
      'ChargeDescription',
      'ChargeFrequency',
      'ChargePeriodEnd',
      'ChargePeriodStart',
      'ConsumedQuantity',
      'ConsumedUnit',
      'ContractedCost',
      'ContractedUnitPrice',
      'EffectiveCost',
      'InvoiceIssuerName',
      'ListCost',
      'ListUnitPrice',
      'PricingCategory',
      'PricingQuantity',
      'PricingUnit',
      'ProviderName',
      'PublisherName',
      'ServiceCategory',
      'ServiceName',
      'ServiceSubcategory',
      'SkuId',
      'SkuMeter',
      'SkuPriceId',
      'SubAccountId',
      'SubAccountName',
      'Tags',
      'x_Provider',
      'x_Model',
      'x_TokenKind',
      'x_ServiceTier',
      'x_App',
      'x_Team',
      'x_Workflow',
      'x_Environment',
      'x_PriceSource',
      'x_Unpriced',
    ]);
    // Every FOCUS 1.2 column that is mandatory whatever the provider supports is there.
    for (const c of [
      'BilledCost',
      'BillingAccountId',
      'BillingAccountName',
      'BillingCurrency',
      'BillingPeriodEnd',
      'BillingPeriodStart',
      'ChargeCategory',
      'ChargeClass',
      'ChargeDescription',
      'ChargePeriodEnd',
      'ChargePeriodStart',
      'ContractedCost',
      'EffectiveCost',
      'InvoiceIssuerName',
      'ListCost',
      'PricingCategory',
      'PricingQuantity',
      'PricingUnit',
      'ProviderName',
      'PublisherName',
      'ServiceCategory',
      'ServiceName',
    ]) {
      expect(FOCUS_EXPORT_COLUMNS).toContain(c);
    }
    // FOCUS columns first, custom (x_) columns after.
    const firstX = FOCUS_EXPORT_COLUMNS.findIndex((c) => c.startsWith('x_'));
    expect(FOCUS_EXPORT_COLUMNS.slice(firstX).every((c) => c.startsWith('x_'))).toBe(true);
  });
});

describe('finops export --format focus: a hand-computed day', () => {
  // 1,000,000 gpt-4o-mini input + 200,000 output tokens on 2026-10-01, by a team whose name is a formula.
  const HOSTILE = '=HYPERLINK("http://evil.example","click")';
  const log = join(tmp, 'requests.jsonl');
  writeFileSync(
    log,
    JSON.stringify({
      timestamp: '2026-10-01T12:00:00Z',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens: { input: 1_000_000, output: 200_000 },
      app: 'helpdesk-bot',
      team: HOSTILE,
      workflow: '-answer',
      project: 'proj_support',
      request_id: 'req_1',
    }) + '\n',
  );

  it('writes two rows: $0.15 of input at $0.15/1M and $0.12 of output at $0.60/1M', async () => {
    const { rows } = await runExport([log], 'hand.csv');
    expect(rows).toHaveLength(2);
    const [input, output] = rows as [Row, Row];
    expect(input).toMatchObject({
      BilledCost: '0.15',
      EffectiveCost: '0.15',
      ContractedCost: '0.15',
      ListCost: '0.15',
      ListUnitPrice: '0.15',
      ContractedUnitPrice: '0.15',
      BillingCurrency: 'USD',
      BillingAccountId: '',
      BillingPeriodStart: '2026-10-01T00:00:00Z',
      BillingPeriodEnd: '2026-11-01T00:00:00Z',
      ChargePeriodStart: '2026-10-01T00:00:00Z',
      ChargePeriodEnd: '2026-10-02T00:00:00Z',
      ChargeCategory: 'Usage',
      ChargeClass: '',
      ChargeFrequency: 'Usage-Based',
      ChargeDescription: 'gpt-4o-mini input tokens',
      ConsumedQuantity: '1000000',
      ConsumedUnit: 'Tokens',
      PricingQuantity: '1',
      PricingUnit: '1M Tokens',
      PricingCategory: 'Standard',
      ProviderName: 'OpenAI',
      PublisherName: 'OpenAI',
      InvoiceIssuerName: 'OpenAI',
      ServiceCategory: 'AI and Machine Learning',
      ServiceSubcategory: 'Generative AI',
      ServiceName: 'OpenAI API',
      SkuId: 'gpt-4o-mini',
      SkuMeter: 'Input Tokens',
      SkuPriceId: 'gpt-4o-mini:input:standard',
      SubAccountId: 'proj_support',
      x_Provider: 'openai',
      x_Model: 'gpt-4o-mini',
      x_TokenKind: 'input',
      x_App: 'helpdesk-bot',
      x_PriceSource: 'bundled 2024-07-18',
      x_Unpriced: '',
    });
    expect(output).toMatchObject({
      BilledCost: '0.12',
      ListUnitPrice: '0.6',
      ConsumedQuantity: '200000',
      PricingQuantity: '0.2',
      x_TokenKind: 'output',
      ChargeDescription: 'gpt-4o-mini output tokens',
    });
  });

  it('neutralises formulas in input-derived text cells, keeps numbers numeric, and reads the names back intact', async () => {
    const { text, rows, path } = await runExport([log], 'hostile.csv');
    const row = rows[0]!;
    expect(row.x_Team).toBe(`'${HOSTILE}`);
    expect(row.x_Workflow).toBe(`'-answer`);
    // The Tags cell starts with `{`: the JSON keeps the raw value, and is no formula.
    expect(JSON.parse(row.Tags!)).toEqual({
      app: 'helpdesk-bot',
      team: HOSTILE,
      workflow: '-answer',
      environment: 'unattributed',
    });
    // No cell of the file starts with a formula character, once unquoted.
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    expect(text.split('\n')[1]!.startsWith('0.15,')).toBe(true);
    const back = await readBack(path);
    expect(back.totals.tokens).toMatchObject({ input: 1_000_000, output: 200_000 });
    expect(back.totals.cost).toBeCloseTo(0.27, 10);
    expect(back.totals.reportedCost).toBeCloseTo(0.27, 10);
    const { loaded, book } = await loadContext(DEMO_CONFIG);
    const byTeam = await buildReport({
      paths: [path],
      by: ['team', 'workflow', 'project'],
      tz: 'UTC',
      filters: [],
      config: loaded.config,
      book,
      format: 'focus',
      parsers: [focusParser],
    });
    expect(byTeam.groups.map((g) => g.key)).toEqual([
      { team: HOSTILE, workflow: '-answer', project: 'proj_support' },
    ]);
  });

  it('sums a month into one charge period with --period month', async () => {
    const { rows } = await runExport([log, '--period', 'month'], 'month.csv');
    expect(rows.map((r) => [r.ChargePeriodStart, r.ChargePeriodEnd, r.BilledCost])).toEqual([
      ['2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', '0.15'],
      ['2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', '0.12'],
    ]);
  });

  it('states the list price before a negotiated discount, and the discounted price as contracted', async () => {
    const config = join(tmp, 'discount.yaml');
    writeFileSync(config, 'pricing:\n  overrides:\n    - model: gpt-4o-mini\n      discount: 0.2\n');
    const { rows } = await runExport([log, '--config', config], 'discount.csv');
    expect(rows[0]).toMatchObject({
      ListUnitPrice: '0.15',
      ListCost: '0.15',
      ContractedUnitPrice: '0.12',
      ContractedCost: '0.12',
      BilledCost: '0.12',
      x_PriceSource: 'bundled 2024-07-18 (20% discount)',
    });
  });

  it('writes usage without a price with empty costs and x_Unpriced=true, never $0', async () => {
    const unknown = join(tmp, 'unknown.jsonl');
    writeFileSync(
      unknown,
      JSON.stringify({
        timestamp: '2026-10-01T12:00:00Z',
        provider: 'self-hosted',
        model: 'acme-ft-9',
        tokens: { input: 1000, output: 10 },
      }) + '\n',
    );
    const { rows, path } = await runExport([unknown], 'unpriced.csv');
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r).toMatchObject({
        BilledCost: '',
        EffectiveCost: '',
        ListCost: '',
        ContractedCost: '',
        ListUnitPrice: '',
        x_Unpriced: 'true',
        ProviderName: 'self-hosted',
        SkuId: 'acme-ft-9',
      });
    }
    expect(rows[0]!.ChargeDescription).toBe('acme-ft-9 input tokens (no price: unknown model)');
    const back = await readBack(path);
    expect(back.unpriced.map((u) => [u.model, u.tokens.input, u.tokens.output])).toEqual([
      ['acme-ft-9', 1000, 10],
    ]);
    expect(back.totals.reportedCost).toBeNull();
  });
});

describe('finops export --format focus: round trip of the demo data', () => {
  let exported: { path: string; rows: Row[] };
  let original: Awaited<ReturnType<typeof readBack>>;
  let back: Awaited<ReturnType<typeof readBack>>;

  beforeAll(async () => {
    exported = await runExport([DEMO, '--config', DEMO_CONFIG], 'demo-focus.csv');
    const { loaded, book } = await loadContext(DEMO_CONFIG);
    original = await buildReport({
      paths: [DEMO],
      by: ['model'],
      tz: 'UTC',
      filters: [],
      config: loaded.config,
      book,
    });
    back = await readBack(exported.path);
  }, 60_000);

  it('reads every exported row back as a record, with no problem', () => {
    expect(back.inputs).toEqual([
      {
        file: exported.path,
        format: 'focus',
        records: exported.rows.length,
        skipped: 0,
        duplicates: 0,
        ignored: 0,
      },
    ]);
    expect(back.problems.skipped).toBe(0);
  });

  it('keeps the total tokens of every kind', () => {
    const { reasoning: _r, ...tokens } = original.totals.tokens;
    expect(back.totals.tokens).toMatchObject(tokens);
    expect(back.totals.tokens.reasoning).toBe(0); // reasoning is part of output; FOCUS has no column for it
  });

  it('exports BilledCost summing to the computed cost, and reads it back as the reported total', () => {
    const billed = exported.rows.reduce((s, r) => s + num(r.BilledCost), 0);
    expect(billed).toBeCloseTo(original.totals.cost, 6);
    expect(back.totals.reportedCost).toBeCloseTo(billed, 6);
  });

  it('keeps the unpriced usage unpriced', () => {
    expect(back.unpriced.map((u) => [u.provider, u.model, u.reason, u.tokens])).toEqual(
      original.unpriced.map((u) => [u.provider, u.model, u.reason, { ...u.tokens, reasoning: 0 }]),
    );
  });

  it('re-prices every model without a long-context tier to the same cost', async () => {
    const { book } = await loadContext(DEMO_CONFIG);
    const tiered = (model: string) => (book.lookup(model, original.period.from!)?.tiers?.length ?? 0) > 0;
    expect(original.groups.some((g) => !tiered(g.key.model!))).toBe(true);
    for (const g of original.groups) {
      if (tiered(g.key.model!)) continue; // see the next test
      const b = back.groups.find((x) => x.key.model === g.key.model);
      expect(b?.cost, g.key.model).toBeCloseTo(g.cost, 6);
    }
  });

  // Known gap in the pipeline, not in the export: a bill row states no request count (requests 0), and the
  // enricher then takes the whole row as one request, so a day's 5M cache-read tokens of claude-sonnet-4-5 get
  // its above-200k-tokens rates. Once the enricher prices request-less rows at base rates (the parser tags
  // long-context SKUs `long_context`), this passes: remove `.fails`.
  it('re-prices the demo to the same total computed cost', () => {
    expect(back.totals.cost).toBeCloseTo(original.totals.cost, 6);
  });
});

describe('number formatting', () => {
  it('writes an integer over 10^places exactly', () => {
    expect(shiftDecimal(1_234_567, 6)).toBe('1.234567');
    expect(shiftDecimal(200_000, 6)).toBe('0.2');
    expect(shiftDecimal(1, 6)).toBe('0.000001');
    expect(shiftDecimal(0, 6)).toBe('0');
    expect(shiftDecimal(3_000_000, 6)).toBe('3');
  });

  it('writes doubles without exponent notation, and they read back as the same double', () => {
    expect(decimalString(1e-7)).toBe('0.0000001');
    expect(decimalString(1.5e-9)).toBe('0.0000000015');
    expect(decimalString(1e21)).toBe('1000000000000000000000');
    expect(decimalString(0.15)).toBe('0.15');
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = decimalString(x);
        expect(s).not.toMatch(/e/i);
        expect(Number(s)).toBe(x === 0 ? 0 : x);
      }),
    );
  });
});
