import { createHash } from 'node:crypto';
import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import { csvHeader, parseCsvRows, type CsvRow } from './csv-rows.ts';
import type { Parser } from './types.ts';
import { ignored, MAX_TOKENS, rec, RowError, toIsoInstant } from './util.ts';

const ID = 'focus';

/**
 * FOCUS (FinOps Open Cost and Usage Specification) 1.0–1.3 cost-and-usage CSV: one record per AI usage row
 * of the bill, every other row counted as ignored by reason. The rules are listed in
 * docs/formats.md ("FOCUS"); each is explicit (no fuzzy matching), so a row is read the same way every time.
 */

/** The token kinds finops prices, as written in `x_TokenKind` by `finops export --format focus`. */
export const FOCUS_TOKEN_KINDS = ['input', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'output'] as const;
/** One of FOCUS_TOKEN_KINDS. */
export type FocusTokenKind = (typeof FOCUS_TOKEN_KINDS)[number];

/** FOCUS's service category of AI spend (the same value in 1.0 to 1.3). */
export const AI_SERVICE_CATEGORY = 'AI and Machine Learning';

// Model-serving services: their rows are AI spend even where a provider files them under another category.
const LLM_SERVICE =
  /bedrock|openai|cognitive services|ai foundry|foundry models|vertex ai|gemini|anthropic|claude|mistral/i;

/**
 * Tokens per unit of a FOCUS unit that names tokens: `Tokens` → 1, `1K Tokens` / `1,000 tokens` /
 * `Thousand Tokens` → 1,000, `1M Tokens` / `Million tokens` → 1,000,000. Undefined when the unit is not one.
 */
export function tokenUnitSize(unit: string | undefined): number | undefined {
  if (unit === undefined) return undefined;
  const m = /^\s*(?:(\d[\d,]*(?:\.\d+)?)\s*)?(k|m|thousand|million)?\s*tokens?\s*$/i.exec(unit);
  if (!m) return undefined;
  return blockSize(m[1], m[2]);
}

/** Units a provider uses for a count whose meter names what is counted (`Units`, `1K`, `1M Units`, `Count`). */
function countUnitSize(unit: string | undefined): number | undefined {
  if (unit === undefined) return undefined;
  const m = /^\s*(?:(\d[\d,]*)\s*)?(k|m)?\s*(?:units?|count)?\s*$/i.exec(unit);
  if (!m || (m[1] === undefined && m[2] === undefined && !/unit|count/i.test(unit))) return undefined;
  return blockSize(m[1], m[2]);
}

function blockSize(count: string | undefined, scale: string | undefined): number {
  const n = count === undefined ? 1 : Number(count.replace(/,/g, ''));
  const s = scale?.toLowerCase();
  const f = s === 'k' || s === 'thousand' ? 1e3 : s === 'm' || s === 'million' ? 1e6 : 1;
  return n * f;
}

// Token-kind words in SKU meters and charge descriptions, most specific first (a cache read is also "input").
// Azure meters abbreviate (`gpt-4o-mini-0718-Inp-glbl`, `…-Outp-…`, `…-cchd-…`); Bedrock usage types spell out
// (`USE1-Claude3Sonnet-cache-read-input-token-count`); finops' own export writes "gpt-4o-mini cache read tokens".
const KIND_RULES: readonly [RegExp, FocusTokenKind][] = [
  [/cache[\s_-]*(?:write|writes|creation)\b.*\b(?:1h|1[\s_-]*hour|60[\s_-]*min)/i, 'cacheWrite1h'],
  [/\b(?:1h|1[\s_-]*hour)\b.*\bcache[\s_-]*(?:write|writes|creation)/i, 'cacheWrite1h'],
  [/cache[\s_-]*(?:write|writes|creation)|cachewrite/i, 'cacheWrite5m'],
  [/cache[\s_-]*(?:read|reads|hit|hits)|cached|\bcchd\b|cacheread/i, 'cacheRead'],
  [/\b(?:output|outp|out|completion|completions|generated)\b/i, 'output'],
  [/\b(?:input|inp|prompt)\b/i, 'input'],
];

/** The token kind a SKU meter or charge description names, by KIND_RULES; undefined when it names none. */
export function tokenKindFromText(text: string | undefined): FocusTokenKind | undefined {
  if (text === undefined) return undefined;
  for (const [re, kind] of KIND_RULES) if (re.test(text)) return kind;
  return undefined;
}

/** `x_TokenKind` as written by finops (`cacheRead`) or spelled otherwise (`cache_read`, `Cache Read`). */
function tokenKindValue(value: string): FocusTokenKind | undefined {
  const v = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (v === 'cachewrite') return 'cacheWrite5m';
  return FOCUS_TOKEN_KINDS.find((k) => k.toLowerCase() === v);
}

// The first token-kind word after the model in a meter or description: what precedes it is the model.
const KIND_WORD =
  /[\s_/-]+(?:cache[\s_-]*(?:read|reads|write|writes|hit|hits|creation)|cached|cchd|input|inp|output|outp|out|prompt|completion)\b/i;
// An AWS usage-type region prefix (`USE1-`, `EUC1-`, `APN1-`), upper case as AWS writes it.
const AWS_REGION_PREFIX = /^[A-Z]{2,4}\d-/;

/** The model a meter or description names before its token-kind word ("gpt-4o-mini-0718-Inp-glbl" → "gpt-4o-mini-0718"). */
export function modelFromText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = KIND_WORD.exec(text);
  if (!m || m.index === 0) return undefined;
  const model = text.slice(0, m.index).replace(AWS_REGION_PREFIX, '').trim();
  return model.length > 0 ? model : undefined;
}

/** A model path in a resource id: Bedrock `…:foundation-model/<id>`, `…/inference-profile/<id>`, Vertex `…/models/<id>`. */
function modelFromResource(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const m = /(?:foundation-model|inference-profile|\/models)\/([^/\s]+)$/.exec(id);
  return m?.[1];
}

/** A JSON object cell (Tags, SkuPriceDetails); tolerates a missing pair of outer braces. RowError otherwise. */
function jsonObject(cell: string, column: string): Record<string, unknown> {
  const text = cell.startsWith('{') ? cell : `{${cell}}`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new RowError(
      `${column} is not a JSON object: ${cell.length > 80 ? cell.slice(0, 80) + '…' : cell}`,
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RowError(`${column} is not a JSON object`);
  return v as Record<string, unknown>;
}

function textOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The value of the first key of `obj` that `re` matches (case-insensitive keys). */
function pick(obj: Record<string, unknown> | undefined, re: RegExp): string | undefined {
  if (obj === undefined) return undefined;
  for (const [k, v] of Object.entries(obj)) if (re.test(k.trim())) return textOf(v);
  return undefined;
}

/** A decimal cell (FOCUS numeric format); RowError naming the column otherwise. */
function decimal(cell: string, column: string): number {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cell)) {
    throw new RowError(`${column} is not a number: ${JSON.stringify(cell)}`);
  }
  return Number(cell);
}

/** finops provider id of a FOCUS provider name, given the service (Bedrock is AWS's LLM service, not AWS). */
export function providerId(name: string | undefined, service: string | undefined, tokenRow: boolean): string {
  const n = (name ?? '').toLowerCase();
  const s = service ?? '';
  if (/amazon web services|^aws\b/.test(n)) return /bedrock/i.test(s) ? 'aws-bedrock' : 'aws';
  // Microsoft bills Azure OpenAI; its other AI services (Azure Machine Learning) are not LLM token spend.
  if (/microsoft|azure/.test(n)) return tokenRow || LLM_SERVICE.test(s) ? 'azure-openai' : 'azure';
  if (/google/.test(n)) return tokenRow || LLM_SERVICE.test(s) ? 'google-vertex' : 'google-cloud';
  if (/openai/.test(n)) return 'openai';
  if (/anthropic/.test(n)) return 'anthropic';
  if (/mistral/.test(n)) return 'mistral';
  const slug = n.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return slug.length > 0 ? slug : 'unknown';
}

// x_ columns finops' export writes (and other exporters may too) → dims. Checked before Tags: a column wins.
const X_DIMS: readonly [string, keyof Dims][] = [
  ['x_App', 'app'],
  ['x_Team', 'team'],
  ['x_Workflow', 'workflow'],
  ['x_Environment', 'environment'],
  ['x_User', 'user'],
  ['x_ApiKey', 'apiKey'],
];
// Tag keys (case-insensitive, trimmed) read as dims when no x_ column gave one.
const TAG_DIMS: readonly [RegExp, keyof Dims][] = [
  [/^(?:app|application)$/i, 'app'],
  [/^team$/i, 'team'],
  [/^workflow$/i, 'workflow'],
  [/^(?:environment|env)$/i, 'environment'],
];

/** A row's model (`model`) and the text it was read from, as written (`modelRaw`). */
interface ModelText {
  model: string;
  raw: string;
}

/** `{ model, raw }` when `read(cell)` finds a model in `cell`. */
function modelIn(
  cell: string | undefined,
  read: (text: string) => string | undefined,
): ModelText | undefined {
  if (cell === undefined) return undefined;
  const model = read(cell);
  return model === undefined ? undefined : { model, raw: cell };
}

/**
 * Model of a row, by the documented order, with the cell it comes from; undefined when none of the sources names
 * one. Meter and description text is read only for rows with a token quantity: elsewhere a kind word is not about
 * tokens ("Data Transfer Out").
 */
function modelOf(
  row: CsvRow,
  details: Record<string, unknown> | undefined,
  tokenRow: boolean,
): ModelText | undefined {
  const named = textCell(row, 'x_Model') ?? pick(details, /^(?:x_)?model(?:name|id)?$/i);
  const structured =
    (named !== undefined ? { model: named, raw: named } : undefined) ??
    modelIn(row.get('ResourceId'), modelFromResource) ??
    modelIn(row.get('ResourceName'), modelFromResource);
  if (structured !== undefined || !tokenRow) return structured;
  return modelIn(row.get('SkuMeter'), modelFromText) ?? modelIn(row.get('ChargeDescription'), modelFromText);
}

// finops' CSV writers put an apostrophe before input text that starts like a formula (`=`, `+`, `-`, `@`, tab,
// CR); reading finops' own export back undoes it, so a team named "-ops" stays "-ops".
const GUARDED = /^'[=+\-@\t\r]/;

/** A text cell of a column finops' export writes, with its formula guard removed. */
function textCell(row: CsvRow, column: string): string | undefined {
  const v = row.get(column);
  return v !== undefined && GUARDED.test(v) ? v.slice(1) : v;
}

// Long-context pricing named by the SKU: finops' own `…:above-200000`, a provider's "long context" meter.
const LONG_CONTEXT = /(?:^|[\s:(_-])above[\s_-]\d+|long[\s_-]*context/i;

/** Model label of a token row that names no model: unpriced, and named so in the warning. */
export const MODEL_NOT_STATED = '(model not stated)';

interface Ctx {
  file: string;
  columns: readonly string[];
}

function toItem(row: CsvRow, line: number, ctx: Ctx): ParseItem {
  const category = row.get('ServiceCategory');
  const service = row.get('ServiceName');
  const consumedUnit = row.get('ConsumedUnit');
  const pricingUnit = row.get('PricingUnit');
  const xKind = row.get('x_TokenKind');
  const isAi =
    xKind !== undefined ||
    row.get('x_Model') !== undefined ||
    category?.toLowerCase() === AI_SERVICE_CATEGORY.toLowerCase() ||
    tokenUnitSize(consumedUnit) !== undefined ||
    tokenUnitSize(pricingUnit) !== undefined ||
    (service !== undefined && LLM_SERVICE.test(service));
  if (!isAi) return ignored(ctx.file, line, `not AI usage: ${category ?? 'no ServiceCategory'}`);

  const chargeCategory = row.get('ChargeCategory') ?? 'Usage';
  // Purchases (commitments, provisioned capacity bought up front), taxes, credits and adjustments are not usage
  // of a day: their money belongs to the invoice, not to a model and a team. Counted, left out.
  if (chargeCategory.toLowerCase() !== 'usage') {
    return ignored(ctx.file, line, `AI charge that is not usage: ${chargeCategory}`);
  }

  const startCell = row.get('ChargePeriodStart');
  const start = toIsoInstant(startCell, 'ChargePeriodStart');
  const endCell = row.get('ChargePeriodEnd');
  const end = endCell === undefined ? undefined : toIsoInstant(endCell, 'ChargePeriodEnd');

  const billed = row.get('BilledCost');
  const currency = (row.get('BillingCurrency') ?? 'USD').toUpperCase();
  const reportedCost = billed === undefined ? undefined : { amount: decimal(billed, 'BilledCost'), currency };

  const detailsCell = row.get('SkuPriceDetails');
  const details = detailsCell === undefined ? undefined : jsonObject(detailsCell, 'SkuPriceDetails');
  const meter = row.get('SkuMeter');
  const description = row.get('ChargeDescription');

  // Which quantity counts tokens, and in blocks of how many: a unit naming tokens, else a plain count
  // (`Units`, `1K`) whose meter says it counts tokens (Azure meters: "gpt-4o-mini-0718-Inp-glbl Tokens").
  let quantityCell: string | undefined;
  let size: number | undefined;
  let quantityColumn = 'ConsumedQuantity';
  if ((size = tokenUnitSize(consumedUnit)) !== undefined) quantityCell = row.get('ConsumedQuantity');
  else if ((size = tokenUnitSize(pricingUnit)) !== undefined) {
    quantityCell = row.get('PricingQuantity');
    quantityColumn = 'PricingQuantity';
  } else if (
    (xKind !== undefined || /\btokens?\b/i.test(`${meter ?? ''} ${description ?? ''}`)) &&
    (size = countUnitSize(consumedUnit)) !== undefined
  ) {
    quantityCell = row.get('ConsumedQuantity');
  }
  const correction = row.get('ChargeClass')?.toLowerCase() === 'correction';
  const quantity = quantityCell === undefined ? undefined : decimal(quantityCell, quantityColumn);

  const tags = stringMap();
  const dims: Dims = {};
  const tagsCell = row.get('Tags');
  if (tagsCell !== undefined) {
    for (const [k, v] of Object.entries(jsonObject(tagsCell, 'Tags'))) {
      const s = textOf(v);
      if (s !== undefined) tags[k.trim()] = s;
    }
  }
  for (const [col, dim] of X_DIMS) {
    const v = textCell(row, col);
    if (v !== undefined) dims[dim] = v;
  }
  for (const [re, dim] of TAG_DIMS) {
    if (dims[dim] !== undefined) continue;
    for (const [k, v] of Object.entries(tags)) {
      if (re.test(k)) {
        dims[dim] = v;
        break;
      }
    }
  }
  const project = textCell(row, 'SubAccountId') ?? textCell(row, 'x_Project');
  if (project !== undefined) dims.project = project;
  for (const col of [
    'ServiceName',
    'SkuId',
    'SkuPriceId',
    'RegionId',
    'ResourceId',
    'ChargeClass',
  ] as const) {
    const v = row.get(col);
    if (v !== undefined) tags[`focus.${col}`] = v;
  }
  // A bill states no request count: 0 means "not reported", as in the Anthropic usage report.
  tags.requests_unknown = 'true';
  // Kept for pricing: a bill row's tokens are many requests, so only the SKU can say it was long-context usage.
  if (LONG_CONTEXT.test(`${row.get('SkuPriceId') ?? ''} ${meter ?? ''} ${description ?? ''}`)) {
    tags.long_context = 'true';
  }

  const tokenRow = quantity !== undefined && quantity >= 0 && !correction;
  const provider =
    textCell(row, 'x_Provider')?.toLowerCase() ??
    providerId(row.get('ServiceProviderName') ?? row.get('ProviderName'), service, tokenRow);

  const tokens: Tokens = zeroTokens();
  let named = modelOf(row, details, quantity !== undefined);
  if (tokenRow) {
    const kind =
      (xKind !== undefined ? tokenKindValue(xKind) : undefined) ??
      tokenKindFromText(pick(details, /^(?:x_)?token(?:type|kind)$/i)) ??
      tokenKindFromText(meter) ??
      tokenKindFromText(description);
    if (kind === undefined) {
      throw new RowError(
        `token row names no token kind (x_TokenKind, SkuPriceDetails, SkuMeter and ChargeDescription say none of input, output, cached input, cache write)${xKind !== undefined ? `: x_TokenKind ${JSON.stringify(xKind)}` : ''}`,
      );
    }
    // Block quantities are decimals (0.123 × 1K tokens): the count is rounded to the nearest token.
    const n = Math.round(quantity * size!);
    if (n > MAX_TOKENS) throw new RowError(`${quantityColumn} is absurdly large: ${quantityCell}`);
    if (kind === 'input') tokens.input = n;
    else if (kind === 'cacheRead') tokens.cacheRead = n;
    else if (kind === 'output') tokens.output = n;
    else {
      tokens.cacheWrite = n;
      if (kind === 'cacheWrite1h') tokens.cacheWrite1h = n;
    }
    named ??= { model: MODEL_NOT_STATED, raw: MODEL_NOT_STATED };
  } else if (named === undefined) {
    // AI spend without token quantities (provisioned throughput, an AI workspace's compute, a correction or
    // refund): a cost-only record, so the AI total of the bill is kept; it is never priced.
    const label = service ?? MODEL_NOT_STATED;
    named = { model: label, raw: label };
  }

  const record: UsageRecord = {
    start,
    provider,
    model: named.model,
    modelRaw: named.raw,
    requests: 0,
    tokens,
    dims,
    tags,
    fromBill: true,
    dedupKey: `${ID}:${rowHash(row, ctx.columns)}`,
    source: { file: ctx.file, line, format: ID },
  };
  if (end !== undefined) record.end = end;
  if (reportedCost !== undefined) record.reportedCost = reportedCost;
  const tier =
    textCell(row, 'x_ServiceTier') ??
    (/\bbatch\b/i.test(`${meter ?? ''} ${description ?? ''} ${detailsCell ?? ''}`) ? 'batch' : undefined);
  if (tier !== undefined) record.serviceTier = tier;
  return rec(record);
}

/**
 * Identity of a row for de-duplication: a hash of every cell. FOCUS 1.0–1.2 has no row id, so the same bill
 * read twice (overlapping monthly exports) is recognised by content; two rows differing in any cell never collide.
 */
function rowHash(row: CsvRow, columns: readonly string[]): string {
  const h = createHash('sha1');
  for (const c of columns) h.update(`${row.get(c) ?? ''}\u0000`);
  return h.digest('hex').slice(0, 24);
}

/** True when a header has a column (case-insensitive). */
function hasColumn(header: readonly string[], name: string): boolean {
  const n = name.toLowerCase();
  return header.some((h) => h.toLowerCase() === n);
}

/** FOCUS cost-and-usage CSV (1.0–1.3): one fromBill record per AI usage row; other rows ignored by reason. */
export const focusParser: Parser = {
  id: ID,
  title: 'FOCUS cost-and-usage export, CSV (FinOps Foundation spec 1.0–1.3; AWS, Azure, Google Cloud, OCI)',
  detection: 'a CSV header with BilledCost and ChargePeriodStart (and EffectiveCost or ServiceName)',
  origin:
    'AWS Data Exports (FOCUS 1.0 table), Azure Cost Management exports (FOCUS cost and usage), Google Cloud ' +
    'FOCUS BigQuery view saved as CSV, OCI FOCUS reports; or `finops export --format focus`',
  detect(head) {
    const h = csvHeader(head);
    if (!hasColumn(h, 'BilledCost') || !hasColumn(h, 'ChargePeriodStart')) return 0;
    return hasColumn(h, 'EffectiveCost') || hasColumn(h, 'ServiceName') ? 0.95 : 0.7;
  },
  parse(input) {
    const ctx: Ctx = { file: input.name, columns: [] };
    return parseCsvRows(input, {
      header(columns) {
        for (const c of ['BilledCost', 'ChargePeriodStart']) {
          if (!hasColumn(columns, c)) throw new RowError(`not a FOCUS export: the header has no ${c} column`);
        }
        ctx.columns = columns;
      },
      row(row, line, out) {
        out.push(toItem(row, line, ctx));
      },
    });
  },
};
