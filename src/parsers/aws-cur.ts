import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { principalOf } from './aws-bedrock-invocations.ts';
import type { CsvRow } from './csv-rows.ts';
import { csvHeader, parseCsvRows } from './csv-rows.ts';
import type { Parser } from './types.ts';
import { detach, ignored, InstantMemo, isObject, MAX_TOKENS, rec, RowError, toIsoInstant } from './util.ts';

const FORMAT = 'aws-cur';
const PROVIDER = 'aws-bedrock';

// ───────────────────────────── shared number helpers ─────────────────────────────

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A bill quantity (a decimal string such as `12.3456` or `1.2E-3`) times 10^`exp10`, as a whole number of
 * tokens. The decimal point is shifted in the string, so `0.0007 × 10^4` is exactly 7 (binary floating point
 * would give 7.000000000000001), and the result is rounded half away from zero on the exact decimal: bills
 * state quantities in blocks (1K, 1M tokens) with a few decimals, and a block count only rounds to a token
 * count at the last digit. Throws RowError when the text is not a number, negative, or absurdly large.
 */
export function decimalTokens(text: string, exp10: number, field: string): number {
  const plain = plainDecimalTokens(text, exp10);
  if (plain >= 0 && plain <= MAX_TOKENS) return plain;
  const m = DECIMAL_RE.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new RowError(`${field} is not a number: ${JSON.stringify(text)}`);
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const point = (m[2] ?? '').length + exp10 + Number(m[4] ?? '0'); // digits before the decimal point
  let whole: string;
  let next: number; // first dropped digit, for rounding
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
  if (n > MAX_TOKENS) throw new RowError(`${field} is absurdly large: ${text.trim()}`);
  return n;
}

/**
 * `decimalTokens` of a plain decimal (digits with at most one point, nothing else: what bills write), by the
 * same rule without the string work: -1 for any other text, or when the result is past 10^15 (where summing
 * digits could round), for the general reading to decide.
 */
function plainDecimalTokens(text: string, exp10: number): number {
  const len = text.length;
  let dot = -1;
  for (let k = 0; k < len; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 && dot === -1) dot = k;
    else if (c < 48 || c > 57) return -1;
  }
  const count = dot === -1 ? len : len - 1; // digits
  if (count === 0) return -1;
  const point = (dot === -1 ? len : dot) + exp10; // digits before the decimal point, after the shift
  let n = 0;
  let next = 0; // first dropped digit, for rounding
  if (point <= 0) {
    if (point === 0) next = text.charCodeAt(dot === 0 ? 1 : 0) - 48;
  } else {
    for (let d = 0; d < count && d <= point; d++) {
      const digit = text.charCodeAt(dot !== -1 && d >= dot ? d + 1 : d) - 48;
      if (d === point) next = digit;
      else n = n * 10 + digit;
    }
    for (let d = count; d < point; d++) n *= 10;
  }
  if (n > 1e15) return -1;
  return next >= 5 ? n + 1 : n;
}

/** A money amount from a bill cell; RowError naming the field when it is not a finite number. */
export function moneyOf(text: string | undefined, field: string): number {
  if (text === undefined) throw new RowError(`no ${field}`);
  const n = Number(text);
  if (!Number.isFinite(n) || text.trim() === '')
    throw new RowError(`${field} is not a number: ${JSON.stringify(text)}`);
  return n;
}

/**
 * `convert(text)`, remembered per distinct text: a bill repeats the same few period boundaries on every line, and
 * converting a timestamp costs more than the rest of a row. Bounded by MEMO_LIMIT.
 */
export function memoTime(
  cache: Map<string, string>,
  text: string | undefined,
  field: string,
  convert: (v: unknown, field: string) => string = toIsoInstant,
): string {
  if (text === undefined) return convert(text, field);
  let iso = cache.get(text);
  if (iso === undefined) {
    iso = convert(text, field);
    if (cache.size < MEMO_LIMIT) cache.set(detach(text), iso);
  }
  return iso;
}

/** Adds the string pairs of a JSON object (`{"k":"v"}`) to `tags`; non-strings are stringified, nulls skipped. */
export function addJsonTags(obj: Record<string, unknown>, tags: Record<string, string>, prefix = ''): void {
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined || v === null || v === '') continue;
    tags[prefix + k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
}

// ───────────────────────────── usage-type grammar ─────────────────────────────

/** What one Bedrock usage type bills, read by `parseBedrockUsageType`. */
export interface BedrockUsage {
  /** The model part as the usage type writes it (`Claude3.5Sonnet`, `anthropic.claude-opus-4-5`). */
  model: string;
  kind: 'input' | 'output' | 'cacheRead' | 'cacheWrite';
  /** Cache writes with a one-hour TTL (`-1h`). */
  cache1h: boolean;
  /** `standard`, `batch`, `flex`, `priority`, `reserved`. */
  tier: string;
  /** `global`, `eu`, `apac` … for cross-region inference; undefined in-region. */
  crossRegion?: string;
  longContext: boolean;
  latencyOptimized: boolean;
  /** `image`, `audio`, `video` for non-text tokens; undefined for text. */
  modality?: string;
  /** Qualifier words the grammar does not know, kept for the record's tags rather than guessed at. */
  unknown: string[];
}

const TIERS = new Set(['standard', 'batch', 'flex', 'priority', 'reserved']);
const MODALITIES = new Set(['image', 'audio', 'video']);
const CROSS_REGIONS = new Set(['global', 'geo', 'eu', 'us', 'apac', 'jp', 'au', 'ca', 'in']);

/**
 * Reads a Bedrock usage type (CUR `line_item_usage_type`) into model, token kind and tier; undefined when it
 * is not a token line (provisioned throughput, guardrails, knowledge bases, training, images…). Grammar, per
 * the Bedrock user guide ("Understanding your Amazon Bedrock Cost and Usage Report data") and AWS's price
 * list, after the billing-region prefix (`USE1-`, `EU-`, `APN1-`):
 *
 *   <Model>-input-tokens | -output-tokens | -cache-read-input-token-count | -cache-write-input-token-count
 *   <Model>-(input|output)-(image|audio|video)-token-count
 *   <vendor.model-id>-mantle-(input|output|cache-read|cache-write)-tokens[-5m|-1h]
 *   then any of: -standard -batch -flex -priority -reserved, -cross-region[-global|-eu|…], -global,
 *   -long-context / -long-ctx, -latency-optimized, -custom-model
 *   MP:<REGION>_input_tokens_global_standard / MP:<REGION>_CacheWrite1hInputTokenCount_Global (Marketplace:
 *   the model is named by the product, not the usage type; `model` is then '')
 */
export function parseBedrockUsageType(usageType: string): BedrockUsage | undefined {
  let ut = usageType.trim();
  const dash = ut.indexOf('-');
  const colon = ut.indexOf(':');
  // The billing-region prefix is the upper-case code before the first '-', unless the type is MP:…
  if (dash > 0 && (colon === -1 || dash < colon) && isRegionCode(ut.slice(0, dash))) ut = ut.slice(dash + 1);
  if (ut.startsWith('MP:')) return parseMarketplace(ut);
  const mantle = ut.indexOf('-mantle-');
  if (mantle > 0) return parseTail(ut.slice(0, mantle), ut.slice(mantle + 8).split('-'), 0, true);
  const segs = ut.split('-');
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i]!;
    if (
      s === 'input' ||
      s === 'output' ||
      (s === 'cache' && (segs[i + 1] === 'read' || segs[i + 1] === 'write'))
    ) {
      const u = parseTail(segs.slice(0, i).join('-'), segs, i, false);
      if (u) return u;
    }
  }
  return undefined;
}

function isRegionCode(s: string): boolean {
  if (s.length < 2 || s.length > 5) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

/** Reads `segs[at…]`: the token marker, then qualifiers. */
function parseTail(model: string, segs: string[], at: number, mantle: boolean): BedrockUsage | undefined {
  let i = at;
  let kind: BedrockUsage['kind'];
  let modality: string | undefined;
  const s = segs[i];
  if (s === 'cache') {
    const rw = segs[i + 1];
    if (rw !== 'read' && rw !== 'write') return undefined;
    kind = rw === 'read' ? 'cacheRead' : 'cacheWrite';
    i += 2;
    if (segs[i] === 'input') i++; // -cache-read-input-token-count
  } else if (s === 'input' || s === 'output') {
    kind = s;
    i++;
    if (segs[i] !== undefined && MODALITIES.has(segs[i]!)) modality = segs[i++];
  } else return undefined;
  // The token marker: `tokens`, `token-count`, `token`.
  if (segs[i] === 'tokens') i++;
  else if (segs[i] === 'token' && segs[i + 1] === 'count') i += 2;
  else if (segs[i] === 'token') i++;
  else return undefined;
  const u: BedrockUsage = {
    model,
    kind,
    cache1h: false,
    tier: 'standard',
    longContext: false,
    latencyOptimized: false,
    unknown: [],
  };
  if (modality !== undefined) u.modality = modality;
  if (mantle && segs[i] !== undefined && /^\d+[mh]$/.test(segs[i]!)) u.cache1h = segs[i++] === '1h';
  for (; i < segs.length; i++) {
    const q = segs[i]!;
    const nx = segs[i + 1];
    if (TIERS.has(q)) u.tier = q;
    else if (q === 'cross' && nx === 'region') {
      i++;
      const where = segs[i + 1];
      if (where !== undefined && CROSS_REGIONS.has(where)) {
        u.crossRegion = where;
        i++;
      } else u.crossRegion = 'cross-region';
    } else if (q === 'global') u.crossRegion = 'global';
    else if (q === 'long' && (nx === 'context' || nx === 'ctx')) {
      u.longContext = true;
      i++;
    } else if (q === 'latency' && nx === 'optimized') {
      u.latencyOptimized = true;
      i++;
    } else if (q === 'custom' && nx === 'model') {
      // A customized model is priced apart from its base model: keep it apart (it shows as unpriced).
      u.model += ' (custom model)';
      i++;
    } else if (/^\d+[mh]$/.test(q) && u.kind === 'cacheWrite') u.cache1h = q === '1h';
    else if (q !== '') u.unknown.push(q);
  }
  return u;
}

/** AWS Marketplace usage types: `MP:USE1_input_tokens_global_standard-Units`, `MP:USE1_CacheWrite1hInputTokenCount_Global-Units`. */
function parseMarketplace(ut: string): BedrockUsage | undefined {
  let body = ut.slice(3);
  const us = body.indexOf('_');
  if (us === -1) return undefined;
  body = body.slice(us + 1);
  if (body.endsWith('-Units')) body = body.slice(0, -6);
  const segs = body.split('_');
  const head = segs[0] ?? '';
  const u: BedrockUsage = {
    model: '',
    kind: 'input',
    cache1h: false,
    tier: 'standard',
    longContext: false,
    latencyOptimized: false,
    unknown: [],
  };
  let rest: string[];
  if (head === 'input' || head === 'output' || head === 'cache') {
    // snake: input_tokens_global_standard, cache_write_tokens_1h_global
    let i = 0;
    if (head === 'cache') {
      if (segs[1] !== 'read' && segs[1] !== 'write') return undefined;
      u.kind = segs[1] === 'read' ? 'cacheRead' : 'cacheWrite';
      i = 2;
    } else {
      u.kind = head;
      i = 1;
    }
    if (segs[i] !== 'tokens') return undefined;
    i++;
    rest = segs.slice(i);
  } else {
    // camel: InputTokenCount, CacheReadInputTokenCount, CacheWrite1hInputTokenCount, MillionBatchInputTokens
    const m = /^(?:Million)?(Batch)?(?:Cache(Read|Write)(\d+[mh])?)?(Input|Output)?Token(?:Count|s)$/.exec(
      head,
    );
    if (!m) return undefined;
    if (m[1]) u.tier = 'batch';
    if (m[2]) {
      u.kind = m[2] === 'Read' ? 'cacheRead' : 'cacheWrite';
      u.cache1h = m[3] === '1h';
    } else if (m[4]) u.kind = m[4] === 'Input' ? 'input' : 'output';
    else return undefined;
    rest = segs.slice(1).map((q) => q.toLowerCase());
  }
  for (const q of rest) {
    if (TIERS.has(q)) u.tier = q;
    else if (q === 'global' || q === 'geo') u.crossRegion = q;
    else if (q === 'longcontext' || q === 'long') u.longContext = true;
    else if (q === 'latencyoptimized') u.latencyOptimized = true;
    else if (/^\d+[mh]$/.test(q) && u.kind === 'cacheWrite') u.cache1h = q === '1h';
    else if (q !== '' && q !== 'context' && q !== 'ctx') u.unknown.push(q);
  }
  return u;
}

// ───────────────────────────── model table ─────────────────────────────

/**
 * Usage-type model part (or a Marketplace product name with its spaces removed) → model id. Catalog ids where
 * the bundled catalog has the model; otherwise the Bedrock model id, which an imported LiteLLM catalog
 * resolves. Only exact keys match: `Claude3Sonnet` never prices as `Claude3.5Sonnet`. A part not listed is
 * kept as written and shows as unpriced. Keys come from AWS's Bedrock price list and CUR examples.
 */
export const BEDROCK_USAGE_MODELS: ReadonlyMap<string, string> = new Map([
  // Anthropic
  ['Claude3Haiku', 'claude-3-haiku'],
  ['Claude3.5Haiku', 'claude-3-5-haiku'],
  ['Claude3-5Haiku', 'claude-3-5-haiku'],
  ['Claude3.5Sonnet', 'claude-3-5-sonnet'],
  ['Claude3-5Sonnet', 'claude-3-5-sonnet'],
  ['Claude3.5SonnetV2', 'claude-3-5-sonnet'],
  ['Claude3.7Sonnet', 'claude-3-7-sonnet'],
  ['Claude3-7Sonnet', 'claude-3-7-sonnet'],
  ['Claude4Sonnet', 'claude-sonnet-4'],
  ['ClaudeSonnet4', 'claude-sonnet-4'],
  ['Claude4Opus', 'claude-opus-4'],
  ['ClaudeOpus4', 'claude-opus-4'],
  ['Claude4.1Opus', 'claude-opus-4-1'],
  ['ClaudeOpus4.1', 'claude-opus-4-1'],
  ['Claude4.5Sonnet', 'claude-sonnet-4-5'],
  ['ClaudeSonnet4.5', 'claude-sonnet-4-5'],
  ['Claude4.5Haiku', 'claude-haiku-4-5'],
  ['ClaudeHaiku4.5', 'claude-haiku-4-5'],
  ['Claude4.5Opus', 'claude-opus-4-5'],
  ['ClaudeOpus4.5', 'claude-opus-4-5'],
  ['Claude4.6Sonnet', 'claude-sonnet-4-6'],
  ['ClaudeSonnet4.6', 'claude-sonnet-4-6'],
  ['Claude4.6Opus', 'claude-opus-4-6'],
  ['ClaudeOpus4.6', 'claude-opus-4-6'],
  ['Claude3Sonnet', 'anthropic.claude-3-sonnet-20240229-v1:0'],
  ['Claude3Opus', 'anthropic.claude-3-opus-20240229-v1:0'],
  ['Claude2.0', 'anthropic.claude-v2'],
  ['Claude2.1', 'anthropic.claude-v2:1'],
  ['ClaudeInstant', 'anthropic.claude-instant-v1'],
  // Meta
  ['Llama3-1-8B', 'llama-3.1-8b-instruct'],
  ['Llama3-1-70B', 'llama-3.1-70b-instruct'],
  ['Llama3-3-70B', 'llama-3.3-70b-instruct'],
  ['Llama4-Maverick-17B', 'llama-4-maverick-17b-instruct'],
  ['Llama4-Scout-17B', 'llama-4-scout-17b-instruct'],
  ['Llama3-1-405B', 'meta.llama3-1-405b-instruct-v1:0'],
  ['Llama3-8B', 'meta.llama3-8b-instruct-v1:0'],
  ['Llama3-70B', 'meta.llama3-70b-instruct-v1:0'],
  // Amazon
  ['NovaMicro', 'amazon.nova-micro-v1:0'],
  ['NovaLite', 'amazon.nova-lite-v1:0'],
  ['NovaPro', 'amazon.nova-pro-v1:0'],
  ['NovaPremier', 'us.amazon.nova-premier-v1:0'], // offered only through the us. profile
  ['Nova2.0Lite', 'amazon.nova-2-lite-v1:0'],
]);

/** Marketplace product names end with this; the rest names the model (`Claude 3.5 Sonnet (Amazon Bedrock Edition)`). */
const MARKETPLACE_SUFFIX = ' (Amazon Bedrock Edition)';

/** The model id for a usage type's model part (or Marketplace product name); the part itself when unlisted. */
export function bedrockUsageModel(part: string): string {
  const key = part.endsWith(MARKETPLACE_SUFFIX) ? part.slice(0, -MARKETPLACE_SUFFIX.length) : part;
  return BEDROCK_USAGE_MODELS.get(key) ?? BEDROCK_USAGE_MODELS.get(key.replace(/\s+/g, '')) ?? key;
}

// ───────────────────────────── columns ─────────────────────────────

/** Logical field → [CUR 2.0 (and Athena legacy) column, legacy CSV column]. */
const COLUMNS = {
  start: ['line_item_usage_start_date', 'lineItem/UsageStartDate'],
  end: ['line_item_usage_end_date', 'lineItem/UsageEndDate'],
  product: ['line_item_product_code', 'lineItem/ProductCode'],
  usageType: ['line_item_usage_type', 'lineItem/UsageType'],
  amount: ['line_item_usage_amount', 'lineItem/UsageAmount'],
  cost: ['line_item_unblended_cost', 'lineItem/UnblendedCost'],
  netCost: ['line_item_net_unblended_cost', 'lineItem/NetUnblendedCost'],
  currency: ['line_item_currency_code', 'lineItem/CurrencyCode'],
  lineType: ['line_item_line_item_type', 'lineItem/LineItemType'],
  resourceId: ['line_item_resource_id', 'lineItem/ResourceId'],
  account: ['line_item_usage_account_id', 'lineItem/UsageAccountId'],
  principal: ['line_item_iam_principal', 'lineItem/IamPrincipal'],
  operation: ['line_item_operation', 'lineItem/Operation'],
  regionCode: ['product_region_code', 'product/regionCode'],
  region: ['product_region', 'product/region'],
  pricingUnit: ['pricing_unit', 'pricing/unit'],
  productName: ['product_product_name', 'product/ProductName'],
  lineItemId: ['identity_line_item_id', 'identity/LineItemId'],
  interval: ['identity_time_interval', 'identity/TimeInterval'],
  resourceTags: ['resource_tags', 'resourceTags'],
  tags: ['tags', 'tags'],
} as const;
type Field = keyof typeof COLUMNS;

/** Product codes whose token lines are Bedrock inference (`AmazonBedrockService`: partner models such as Claude). */
const BEDROCK_PRODUCTS = new Set(['AmazonBedrock', 'AmazonBedrockService', 'AmazonBedrockFoundationModels']);

/** Line item types that carry usage; every other type (Tax, Credit, Refund, Fee, discounts…) is not usage. */
const USAGE_LINE_TYPES = new Set(['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage']);

/**
 * Tokens per unit of `line_item_usage_amount`, by `pricing_unit`. AWS's Bedrock price list quotes token
 * usage types in `1K tokens` (Marketplace ones in `1M tokens`), and CUR states the amount in that unit: a
 * Claude line of 68.579 units at $0.0165 per unit is 68,579 tokens. Without a pricing_unit column the amount
 * is read as thousands, the unit of every first-party Bedrock token usage type.
 */
const TOKEN_UNITS: ReadonlyMap<string, number> = new Map([
  ['1k tokens', 3],
  ['1m tokens', 6],
  ['tokens', 0],
  ['1k', 3],
  ['1m', 6],
]);
const DEFAULT_UNIT_EXP = 3;

/** Most distinct usage types / meters / SKUs remembered per file (memory stays bounded on odd input). */
export const MEMO_LIMIT = 10_000;

const MARKER_COLUMNS = ['line_item_usage_type', 'lineItem/UsageType'];
const PRODUCT_COLUMNS = ['line_item_product_code', 'lineItem/ProductCode'];

/** AWS Cost and Usage Report (CUR 2.0 and legacy) CSV: one bill record per Bedrock token line. */
export const awsCurParser: Parser = {
  id: FORMAT,
  title: 'AWS Cost and Usage Report (CUR 2.0 or legacy CUR, CSV): Amazon Bedrock token lines',
  detection:
    'CSV header with `line_item_usage_type` and `line_item_product_code` (or `lineItem/UsageType`, `lineItem/ProductCode`)',
  origin:
    'Billing and Cost Management → Data Exports (CUR 2.0, CSV) or legacy Cost and Usage Reports, delivered to ' +
    'S3 (`aws s3 cp s3://<bucket>/<prefix>/… .`); `.csv.gz` is read as is',
  detect(head) {
    const cols = new Set(csvHeader(head));
    const has = (names: readonly string[]) => names.some((c) => cols.has(c));
    return has(MARKER_COLUMNS) && has(PRODUCT_COLUMNS) ? 0.95 : 0;
  },
  parse: parseCur,
};

/** A token usage type, read once per file. */
interface UsageTypeOf {
  usage: BedrockUsage;
  /** The usage type as written (a copy holding no chunk of the input): the record's `modelRaw`. */
  raw: string;
  /** The model id of its model part; undefined for Marketplace types, whose product names the model. */
  model: string | undefined;
}

/** Column positions of a file (see CsvHandler.header) per logical field; -1 when absent. */
type Positions = Record<Field, number>;

/** What a file's rows share: column positions, and what is remembered per distinct cell text (bounded). */
interface CurFile {
  file: string;
  at: Positions;
  tagColumns: { name: string; key: string; at: number }[];
  /** A bill repeats a few hundred usage types over millions of lines: each is read once. */
  usageTypes: Map<string, UsageTypeOf | null>;
  starts: InstantMemo;
  ends: InstantMemo;
  /** JSON tag maps, as the [key, value, key, value…] they add. */
  jsonTags: Map<string, string[]>;
  /** Marketplace product name → model id, and the name as a string of its own (for `modelRaw`). */
  models: Map<string, { model: string; raw: string }>;
  lastUnit: string | undefined;
  lastUnitExp: number;
}

function parseCur(input: InputSource): AsyncIterable<ParseItem[]> {
  const cur: CurFile = {
    file: input.name,
    at: {} as Positions,
    tagColumns: [],
    usageTypes: new Map(),
    starts: new InstantMemo(),
    ends: new InstantMemo(),
    jsonTags: new Map(),
    models: new Map(),
    lastUnit: undefined,
    lastUnitExp: DEFAULT_UNIT_EXP,
  };
  const file = cur.file;
  return parseCsvRows(input, {
    header(columns, column) {
      const set = new Set(columns);
      const style = set.has('lineItem/UsageType') ? 1 : 0;
      if (!set.has(COLUMNS.usageType[style]!))
        throw new RowError(`not an AWS CUR file: no ${COLUMNS.usageType[0]} column`);
      for (const f of Object.keys(COLUMNS) as Field[]) cur.at[f] = column(COLUMNS[f][style]!);
      // Legacy user tags are one column each: `resourceTags/user:team` (CSV) or `resource_tags_user_team` (Athena).
      for (const c of columns) {
        if (c.startsWith('resourceTags/'))
          cur.tagColumns.push({ name: c, key: c.slice('resourceTags/'.length), at: column(c) });
        else if (c.startsWith('resource_tags_'))
          cur.tagColumns.push({ name: c, key: c.slice('resource_tags_'.length), at: column(c) });
      }
    },
    row(row, line, out) {
      const at = cur.at;
      const lineType = row.at(at.lineType) ?? 'Usage';
      if (!USAGE_LINE_TYPES.has(lineType)) {
        out.push(ignored(file, line, `not usage: ${lineType}`));
        return;
      }
      const product = row.at(at.product) ?? '(no product code)';
      const productName = row.at(at.productName);
      const bedrock = BEDROCK_PRODUCTS.has(product) || (productName?.endsWith(MARKETPLACE_SUFFIX) ?? false);
      if (!bedrock) {
        out.push(ignored(file, line, `not AI token usage: ${product}`));
        return;
      }
      const usageType = row.at(at.usageType);
      if (usageType === undefined) throw new RowError('no line_item_usage_type');
      let t = cur.usageTypes.get(usageType);
      if (t === undefined) {
        // Kept and read as a copy: the cell is a view into a whole chunk of the input, which the memo (and the
        // records, whose modelRaw it becomes) must not hold on to.
        const key = detach(usageType);
        const usage = parseBedrockUsageType(key);
        t =
          usage === undefined
            ? null
            : { usage, raw: key, model: usage.model === '' ? undefined : bedrockUsageModel(usage.model) };
        if (cur.usageTypes.size < MEMO_LIMIT) cur.usageTypes.set(key, t);
      }
      if (t === null) {
        out.push(ignored(file, line, `not AI token usage: ${product}`));
        return;
      }
      out.push(rec(toRecord(row, t, productName, line, cur)));
    },
  });
}

function toRecord(
  row: CsvRow,
  t: UsageTypeOf,
  productName: string | undefined,
  line: number,
  cur: CurFile,
): UsageRecord {
  const at = cur.at;
  const u = t.usage;
  const usageType = t.raw;
  const startText = row.at(at.start);
  const start =
    startText === undefined
      ? toIsoInstant(startText, 'line_item_usage_start_date')
      : cur.starts.get(startText, 'line_item_usage_start_date');
  const endText = row.at(at.end);
  const end = endText === undefined ? undefined : cur.ends.get(endText, 'line_item_usage_end_date');
  const amountText = row.at(at.amount);
  if (amountText === undefined) throw new RowError('no line_item_usage_amount');
  const unitText = row.at(at.pricingUnit);
  let exp = DEFAULT_UNIT_EXP;
  if (unitText !== undefined) {
    if (unitText === cur.lastUnit) exp = cur.lastUnitExp;
    else {
      const e = TOKEN_UNITS.get(unitText.toLowerCase());
      if (e === undefined)
        throw new RowError(
          `pricing_unit "${unitText}" is not a token unit for token usage type ${usageType}`,
        );
      exp = e;
      cur.lastUnit = unitText;
      cur.lastUnitExp = e;
    }
  }
  const n = decimalTokens(amountText, exp, 'line_item_usage_amount');
  const tokens: Tokens = zeroTokens();
  const tags = stringMap();
  if (u.modality !== undefined) {
    // Image/audio/video tokens have rates of their own that the catalog does not list: the line keeps its
    // cost and quantity, with no text-token bucket to be priced at a wrong rate.
    tags.modality = u.modality;
    tags.modalityTokens = String(n);
  } else {
    tokens[u.kind] = n;
    if (u.kind === 'cacheWrite' && u.cache1h) tokens.cacheWrite1h = n;
  }
  const cost = moneyOf(row.at(at.cost), 'line_item_unblended_cost');
  const currency = row.at(at.currency) ?? 'USD';

  // Tags first, so the line's own fields below win a name clash.
  addTagsCell(row.at(at.resourceTags), 'resourceTags', tags, cur.jsonTags);
  addTagsCell(row.at(at.tags), 'tags', tags, cur.jsonTags);
  for (const t of cur.tagColumns) {
    const v = row.at(t.at);
    if (v !== undefined) tags[t.key] = v;
  }
  tags.usageType = usageType;
  if (u.crossRegion !== undefined) tags.crossRegion = u.crossRegion;
  if (u.longContext) tags.longContext = 'true';
  if (u.latencyOptimized) tags.latencyOptimized = 'true';
  if (u.unknown.length > 0) tags.usageTypeQualifiers = u.unknown.join('-');
  const region = row.at(at.regionCode) ?? row.at(at.region);
  if (region !== undefined) tags.region = region;
  const resourceId = row.at(at.resourceId);
  if (resourceId !== undefined) tags.resourceId = resourceId;
  const op = row.at(at.operation);
  if (op !== undefined) tags.operation = op;
  const net = row.at(at.netCost);
  if (net !== undefined) tags.netUnblendedCost = net;

  const dims: Dims = {};
  const account = row.at(at.account);
  if (account !== undefined) dims.project = account;
  const principal = row.at(at.principal);
  if (principal !== undefined) {
    const name = principalOf(principal).name;
    if (name !== undefined) dims.user = name;
    tags.iamPrincipal = principal;
  }

  // modelRaw is the text that names the model: the usage type, or a Marketplace line's product name (its usage
  // type names no model). model is what the usage-type table reads from it.
  let model = t.model;
  let modelRaw = t.raw;
  if (model === undefined) {
    if (productName === undefined) model = '(marketplace model)';
    else {
      let m = cur.models.get(productName);
      if (m === undefined) {
        const key = detach(productName);
        m = { model: bedrockUsageModel(key), raw: key };
        if (cur.models.size < MEMO_LIMIT) cur.models.set(key, m);
      }
      model = m.model;
      modelRaw = m.raw;
    }
  }
  const r: UsageRecord = {
    start,
    provider: PROVIDER,
    model,
    modelRaw,
    serviceTier: u.tier,
    requests: 0,
    tokens,
    reportedCost: { amount: cost, currency },
    dims,
    tags,
    fromBill: true,
    source: { file: cur.file, line, format: FORMAT },
  };
  if (end !== undefined) r.end = end;
  const id = row.at(at.lineItemId);
  if (id !== undefined) r.dedupKey = `${FORMAT}:${id}:${row.at(at.interval) ?? start}`;
  return r;
}

/**
 * Adds the pairs of a JSON tag map cell (`resource_tags`, `tags`) to `tags`. The pairs are remembered per distinct
 * text in `memo` (bounded by MEMO_LIMIT): a bill repeats a few tag sets on every line. A text that is not JSON is
 * never remembered, so it fails on every row.
 */
function addTagsCell(
  text: string | undefined,
  f: 'resourceTags' | 'tags',
  tags: Record<string, string>,
  memo: Map<string, string[]>,
): void {
  if (text === undefined) return;
  let pairs = memo.get(text);
  if (pairs === undefined) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      throw new RowError(`${COLUMNS[f][0]} is not a JSON map: ${JSON.stringify(text.slice(0, 80))}`);
    }
    const map = stringMap();
    if (isObject(obj)) addJsonTags(obj, map);
    pairs = [];
    for (const k of Object.keys(map)) pairs.push(k, map[k]!);
    if (memo.size < MEMO_LIMIT) memo.set(detach(text), pairs);
  }
  for (let i = 0; i < pairs.length; i += 2) tags[pairs[i]!] = pairs[i + 1]!;
}
