import { addTokens, zeroTokens, type Tokens } from '../core/record.ts';
import { addDays, ZonedCalendar } from '../core/time.ts';
import { AI_SERVICE_CATEGORY, FOCUS_TOKEN_KINDS, type FocusTokenKind } from '../parsers/focus.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { scanUsage, type ScanOptions, type ScanResult } from '../pipeline/scan.ts';
import { isBatchTier, ratesFor, type PriceEntry } from '../pricing/index.ts';
import { csvCell, csvText, type Text } from '../render/csv.ts';

/** The FOCUS version whose column set the export follows. */
export const FOCUS_EXPORT_VERSION = '1.2';

/**
 * Columns of the export, in order: every FOCUS 1.2 column that is mandatory (present even where finops has no
 * value: BillingAccountId, BillingAccountName, ChargeClass) and the conditional ones finops can fill, in the
 * spec's alphabetical order; then finops' own `x_` columns (custom columns must follow the FOCUS ones).
 */
export const FOCUS_EXPORT_COLUMNS = [
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
] as const;
/** One column of the export. */
export type FocusColumn = (typeof FOCUS_EXPORT_COLUMNS)[number];

/**
 * One exported row, by column; a missing column is an empty (null) cell. A string is written as is (numbers and
 * finops' own constants); a Text (csvText) came from input and gets the formula guard.
 */
export type FocusRow = Partial<Record<FocusColumn, Text | string>>;

/** Charge period of each row: a calendar day or month in the run's time zone. */
export type ChargePeriod = 'day' | 'month';

/** What `buildFocusExport` takes: the shared scan options and the charge period. */
export interface FocusExportOptions extends ScanOptions {
  period: ChargePeriod;
}

/** Usage without a price, per provider × model × reason (exported with empty costs). */
export interface FocusUnpriced {
  provider: string;
  model: string;
  reason: string;
  tokens: number;
}

/** The export and what a person must know about it. */
export interface FocusExport {
  rows: FocusRow[];
  scan: ScanResult;
  unpriced: FocusUnpriced[];
  /** Sum of BilledCost over the rows (USD, full precision). */
  billedCost: number;
  /** Cost the sources stated (USD), which the export does not carry (see `buildFocusExport`). */
  reportedCost: number;
}

const ATTRIBUTION = ['app', 'team', 'workflow', 'environment'] as const;

interface Group {
  periodStart: string;
  periodEnd: string;
  /** The billing period: the calendar month of the charge period, in the run's zone. */
  billingStart: string;
  billingEnd: string;
  provider: string;
  model: string;
  serviceTier?: string;
  entry?: PriceEntry;
  tier: number;
  unpriced?: string;
  dims: Partial<Record<(typeof ATTRIBUTION)[number] | 'project', string>>;
  tokens: Tokens;
}

/**
 * Reads, prices and attributes the inputs (scanUsage) and sums tokens per charge period × provider × model ×
 * price (entry, long-context tier, batch or standard) × service tier × attribution (app, team, workflow,
 * environment, project); then writes one FOCUS row per group and token kind with tokens. Memory grows with
 * the number of groups, never with the number of records.
 *
 * BilledCost (and Effective, Contracted) is the cost finops computes, tokens × the rate in force (overrides and
 * discounts applied): the export says what each token kind cost at the prices finops applies. A cost a source
 * states (OpenAI Costs API, Anthropic cost report, a gateway's `cost`) is not split by token kind, and adding it
 * as extra rows would count the same spend twice in any tool that sums BilledCost; it is left out and its total
 * is returned as `reportedCost`, so the command can say so (`finops reconcile` compares the two).
 */
export async function buildFocusExport(opts: FocusExportOptions): Promise<FocusExport> {
  const cal = new ZonedCalendar(opts.tz);
  const groups = new Map<string, Group>();
  let reportedCost = 0;
  const scan = await scanUsage(opts, (p) => {
    const r = p.record;
    if (r.reportedCost?.currency === 'USD') reportedCost += r.reportedCost.amount;
    if (r.tokens.input + r.tokens.cacheRead + r.tokens.cacheWrite + r.tokens.output === 0) return;
    addToGroup(groups, p, cal, opts.period);
  });

  const rows: FocusRow[] = [];
  const unpriced = new Map<string, FocusUnpriced>();
  let billedCost = 0;
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    for (const kind of FOCUS_TOKEN_KINDS) {
      const n = tokensOfKind(g.tokens, kind);
      if (n === 0) continue;
      const row = focusRow(g, kind, n);
      rows.push(row);
      if (g.unpriced !== undefined) {
        const uk = `${g.provider}\u0000${g.model}\u0000${g.unpriced}`;
        const u = unpriced.get(uk) ?? { provider: g.provider, model: g.model, reason: g.unpriced, tokens: 0 };
        u.tokens += n;
        unpriced.set(uk, u);
      } else billedCost += costOf(g, kind, n);
    }
  }
  return { rows, scan, unpriced: [...unpriced.values()], billedCost, reportedCost };
}

function addToGroup(
  groups: Map<string, Group>,
  p: PricedRecord,
  cal: ZonedCalendar,
  period: ChargePeriod,
): void {
  const r = p.record;
  const day = cal.date(r.start);
  const first = period === 'day' ? day : `${day.slice(0, 7)}-01`;
  const dims = {
    app: r.dims.app,
    team: r.dims.team,
    workflow: r.dims.workflow,
    environment: r.dims.environment,
    project: r.dims.project,
  };
  // The price key names entry, tier and batch/standard; the raw service tier is kept apart so `flex` and
  // `batch` (same prices) stay distinct in x_ServiceTier.
  const key = [
    first,
    r.provider,
    r.model,
    p.key ?? `unpriced:${p.unpriced ?? ''}`,
    r.serviceTier ?? '',
    ...Object.values(dims).map((v) => v ?? ''),
  ].join('\u0000');
  let g = groups.get(key);
  if (!g) {
    g = {
      periodStart: cal.startOfDay(first),
      periodEnd: cal.startOfDay(period === 'day' ? addDays(first, 1) : nextMonth(first)),
      billingStart: cal.startOfDay(`${first.slice(0, 7)}-01`),
      billingEnd: cal.startOfDay(nextMonth(first)),
      provider: r.provider,
      model: r.model,
      tier: p.tier,
      dims,
      tokens: zeroTokens(),
    };
    if (r.serviceTier !== undefined) g.serviceTier = r.serviceTier;
    if (p.entry !== undefined) g.entry = p.entry;
    if (p.unpriced !== undefined) g.unpriced = p.unpriced;
    groups.set(key, g);
  }
  addTokens(g.tokens, r.tokens);
}

function nextMonth(first: string): string {
  const [y, m] = first.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

function tokensOfKind(t: Tokens, kind: FocusTokenKind): number {
  const write1h = t.cacheWrite1h ?? 0;
  switch (kind) {
    case 'input':
      return t.input;
    case 'cacheRead':
      return t.cacheRead;
    case 'cacheWrite5m':
      return t.cacheWrite - write1h;
    case 'cacheWrite1h':
      return write1h;
    case 'output':
      return t.output;
  }
}

/** USD per 1M tokens of a kind: the rate in force (after discounts) and the list rate before any discount. */
function ratesOf(g: Group, kind: FocusTokenKind): { rate: number; list: number } {
  const rate = ratesFor(g.entry!, g.tier, g.serviceTier)[kind];
  const d = g.entry!.discount ?? 0;
  // A discount override scaled every price by (1 − d): undo it for the list price (12 digits drop float noise).
  const list = d > 0 ? Number((rate / (1 - d)).toPrecision(12)) : rate;
  return { rate, list };
}

function costOf(g: Group, kind: FocusTokenKind, n: number): number {
  return (n * ratesOf(g, kind).rate) / 1e6;
}

const KIND_LABEL: Record<FocusTokenKind, string> = {
  input: 'input',
  cacheRead: 'cache read',
  cacheWrite5m: 'cache write (5m)',
  cacheWrite1h: 'cache write (1h)',
  output: 'output',
};

const METER: Record<FocusTokenKind, string> = {
  input: 'Input Tokens',
  cacheRead: 'Cache Read Tokens',
  cacheWrite5m: 'Cache Write 5m Tokens',
  cacheWrite1h: 'Cache Write 1h Tokens',
  output: 'Output Tokens',
};

/** How a finops provider id is named in FOCUS: the provider (and invoice issuer) and its model-serving service. */
const PROVIDERS: Record<string, { name: string; service: string }> = {
  openai: { name: 'OpenAI', service: 'OpenAI API' },
  anthropic: { name: 'Anthropic', service: 'Claude API' },
  'aws-bedrock': { name: 'Amazon Web Services', service: 'Amazon Bedrock' },
  'azure-openai': { name: 'Microsoft', service: 'Azure OpenAI Service' },
  'google-vertex': { name: 'Google Cloud', service: 'Vertex AI' },
  google: { name: 'Google', service: 'Gemini API' },
  mistral: { name: 'Mistral AI', service: 'Mistral AI API' },
};

// Who made the model (FOCUS PublisherName), by model-id prefix; otherwise the provider publishes what it sells.
const PUBLISHERS: readonly [RegExp, string][] = [
  [/^claude/i, 'Anthropic'],
  [/^(?:gpt|o\d|chatgpt|text-embedding|davinci|babbage|whisper|tts|dall-e)/i, 'OpenAI'],
  [/^(?:gemini|gemma|text-embedding-gecko)/i, 'Google'],
  [/^(?:mistral|codestral|ministral|pixtral|magistral|devstral)/i, 'Mistral AI'],
  [/^llama/i, 'Meta'],
];

function focusRow(g: Group, kind: FocusTokenKind, n: number): FocusRow {
  const provider = PROVIDERS[g.provider] ?? { name: g.provider, service: g.provider };
  const publisher = PUBLISHERS.find(([re]) => re.test(g.model))?.[1] ?? provider.name;
  const batch = isBatchTier(g.serviceTier);
  const mode = batch ? 'batch' : 'standard';
  const tierLabel =
    g.entry !== undefined && g.tier >= 0 ? `above-${g.entry.tiers![g.tier]!.aboveInputTokens}` : undefined;
  const tags: Record<string, string> = {};
  for (const k of ATTRIBUTION) if (g.dims[k] !== undefined) tags[k] = g.dims[k];
  const description =
    `${g.model} ${KIND_LABEL[kind]} tokens` +
    (batch ? ` (${g.serviceTier})` : '') +
    (tierLabel !== undefined ? ` (${tierLabel.replace('-', ' ')} input tokens)` : '') +
    (g.unpriced !== undefined ? ` (no price: ${g.unpriced})` : '');
  // Model, provider, attribution and project come from input (a team named "=HYPERLINK(…)" is possible).
  const text = (s: string | undefined): Text | undefined => (s === undefined ? undefined : csvText(s));
  const row: FocusRow = {
    BillingCurrency: 'USD',
    BillingPeriodStart: isoSeconds(g.billingStart),
    BillingPeriodEnd: isoSeconds(g.billingEnd),
    ChargeCategory: 'Usage',
    ChargeDescription: text(description),
    ChargeFrequency: 'Usage-Based',
    ChargePeriodStart: isoSeconds(g.periodStart),
    ChargePeriodEnd: isoSeconds(g.periodEnd),
    ConsumedQuantity: String(n),
    ConsumedUnit: 'Tokens',
    InvoiceIssuerName: text(provider.name),
    PricingQuantity: shiftDecimal(n, 6),
    PricingUnit: '1M Tokens',
    ProviderName: text(provider.name),
    PublisherName: text(publisher),
    ServiceCategory: AI_SERVICE_CATEGORY,
    ServiceName: text(provider.service),
    ServiceSubcategory: 'Generative AI',
    SkuId: text(g.model),
    SkuMeter: METER[kind],
    SkuPriceId: text([g.model, kind, mode, ...(tierLabel !== undefined ? [tierLabel] : [])].join(':')),
    SubAccountId: text(g.dims.project),
    SubAccountName: text(g.dims.project),
    Tags: Object.keys(tags).length > 0 ? text(JSON.stringify(tags)) : undefined,
    x_Provider: text(g.provider),
    x_Model: text(g.model),
    x_TokenKind: kind,
    x_ServiceTier: text(g.serviceTier),
    x_App: text(g.dims.app),
    x_Team: text(g.dims.team),
    x_Workflow: text(g.dims.workflow),
    x_Environment: text(g.dims.environment),
  };
  if (g.unpriced !== undefined) {
    // No price: the costs stay empty rather than 0, so no tool sums this usage as free; the tokens are kept.
    row.x_Unpriced = 'true';
    return row;
  }
  const { rate, list } = ratesOf(g, kind);
  const cost = decimalString((n * rate) / 1e6);
  row.BilledCost = cost;
  row.EffectiveCost = cost;
  row.ContractedCost = cost;
  row.ContractedUnitPrice = decimalString(rate);
  row.ListCost = decimalString((n * list) / 1e6);
  row.ListUnitPrice = decimalString(list);
  row.PricingCategory = 'Standard';
  const e = g.entry!;
  row.x_PriceSource = text(
    `${e.layer} ${e.effectiveFrom}` +
      (e.discount !== undefined ? ` (${+(e.discount * 100).toFixed(4)}% discount)` : ''),
  );
  return row;
}

/** `2026-10-01T00:00:00.000Z` → `2026-10-01T00:00:00Z` (FOCUS date/time format: ISO 8601 UTC, seconds). */
function isoSeconds(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

/** An integer divided by 10^places, written exactly (`1234567`, 6 → `1.234567`): no float rounding. */
export function shiftDecimal(n: number, places: number): string {
  const s = String(n).padStart(places + 1, '0');
  const whole = s.slice(0, s.length - places);
  const frac = s.slice(s.length - places).replace(/0+$/, '');
  return frac.length > 0 ? `${whole}.${frac}` : whole;
}

/**
 * A number as a plain decimal: JavaScript's shortest round-trip digits, without exponent notation (`1e-7` →
 * `0.0000001`), so every FOCUS reader parses it and reading it back gives the same double.
 */
export function decimalString(x: number): string {
  const s = String(x);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expText] = m;
  const digits = int! + frac;
  const point = int!.length + Number(expText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The CSV text: one header row, one row per FocusRow; RFC 4180 quoting, input-derived text formula-safe. */
export function renderFocusCsv(rows: readonly FocusRow[]): string {
  const lines = [FOCUS_EXPORT_COLUMNS.map((c) => csvCell(c)).join(',')];
  for (const row of rows) {
    lines.push(
      FOCUS_EXPORT_COLUMNS.map((c) => {
        const v = row[c];
        return v === undefined ? '' : csvCell(v);
      }).join(','),
    );
  }
  return lines.join('\n') + '\n';
}
