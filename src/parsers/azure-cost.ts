import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { addJsonTags, decimalTokens, MEMO_LIMIT, memoTime, moneyOf } from './aws-cur.ts';
import type { CsvRow } from './csv-rows.ts';
import { csvHeader, parseCsvRows } from './csv-rows.ts';
import type { Parser } from './types.ts';
import { detach, ignored, isObject, rec, RowError, toIsoInstant } from './util.ts';

const FORMAT = 'azure-cost';
const PROVIDER = 'azure-openai';

// ───────────────────────────── meter-name grammar ─────────────────────────────

/** What an Azure OpenAI / Foundry token meter bills, read by `parseAzureMeter`. */
export interface AzureMeter {
  /** The model words before the first billing word, lower-case, version stamp removed (`gpt 4o mini`). */
  model: string;
  /** A 4-digit version stamp (`0718` in `gpt-4o-mini-0718`), when the meter has one. */
  version?: string;
  kind: 'input' | 'output' | 'cacheRead' | 'cacheWrite';
  /** `global`, `regional`, `datazone` (the deployment type); undefined when the meter does not say. */
  deployment?: string;
  /** `standard`, `batch` or `priority`. */
  tier: string;
  /** `short` / `long` for meters priced by context length (`ShortCo`, `LongCo`). */
  context?: string;
  /** Words after the model that the grammar does not know, kept for the record's tags. */
  unknown: string[];
}

type Role =
  | 'input'
  | 'output'
  | 'cached'
  | 'write'
  | 'global'
  | 'regional'
  | 'datazone'
  | 'data'
  | 'zone'
  | 'batch'
  | 'priority'
  | 'short'
  | 'long'
  | 'standard'
  | 'tokens'
  | 'unit';

/**
 * Every billing word seen in Azure OpenAI / Foundry token meter names (Azure retail price list and cost
 * exports), by role. Azure abbreviates freely (`Inp`/`Inpt`/`Input`, `Outp`/`outpt`/`opt`/`out`,
 * `cached`/`cchd`/`cd`, `glbl`/`Gl`, `regnl`, `DZone`/`DZ`), so the list is explicit; a word not in it is
 * part of the model name when it comes before the first billing word, and an unknown qualifier after it.
 */
const ROLES: ReadonlyMap<string, Role> = new Map<string, Role>([
  ['inp', 'input'],
  ['inpt', 'input'],
  ['input', 'input'],
  ['outp', 'output'],
  ['outpt', 'output'],
  ['otpt', 'output'],
  ['output', 'output'],
  ['opt', 'output'],
  ['out', 'output'],
  ['cached', 'cached'],
  ['cchd', 'cached'],
  ['ccchd', 'cached'],
  ['cd', 'cached'],
  ['chd', 'cached'],
  ['cache', 'cached'],
  ['wr', 'write'],
  ['write', 'write'],
  ['glbl', 'global'],
  ['gl', 'global'],
  ['global', 'global'],
  ['regnl', 'regional'],
  ['rgnl', 'regional'],
  ['regional', 'regional'],
  ['dz', 'datazone'],
  ['dzn', 'datazone'],
  ['dzone', 'datazone'],
  ['datazone', 'datazone'],
  ['data', 'data'],
  ['zone', 'zone'],
  ['batch', 'batch'],
  ['pp', 'priority'],
  ['priority', 'priority'],
  ['shortco', 'short'],
  ['longco', 'long'],
  ['std', 'standard'],
  ['standard', 'standard'],
  ['tokens', 'tokens'],
  ['token', 'tokens'],
  ['1k', 'unit'],
  ['1m', 'unit'],
  ['10k', 'unit'],
]);

/** Words Azure runs together (`gpt 4o mini0718 BatchOutp DataZone Tokens`), split before roles are read. */
const GLUED: ReadonlyMap<string, readonly string[]> = new Map([
  ['batchinp', ['batch', 'inp']],
  ['batchoutp', ['batch', 'outp']],
]);

/** Splits a meter name into lower-case words: spaces, `-` and `_` separate; `mini0718` → mini, 0718. */
export function meterWords(name: string): string[] {
  const out: string[] = [];
  for (const raw of name.toLowerCase().split(/[\s_-]+/)) {
    if (raw === '') continue;
    const glued = GLUED.get(raw);
    if (glued) {
      out.push(...glued);
      continue;
    }
    const m = /^([a-z]+)(\d{4})$/.exec(raw);
    if (m && !ROLES.has(raw)) out.push(m[1]!, m[2]!);
    else out.push(raw);
  }
  return out;
}

const VERSION_RE = /^\d{4}$/;

/**
 * Reads an Azure OpenAI / Foundry token meter name (`gpt-4o-mini-0718 Inp glbl Tokens`,
 * `gpt 4o 0513 Output regional Tokens`, `o3 mini cached Inp Tokens`, `gpt 4.1 Batch Outp DZone Tokens`,
 * `5.4 cd inp Gl 1M Tokens`) into model, version, token kind, deployment type and tier. Returns undefined
 * when the name is not a token meter (its last word is not `Tokens`) or has no model words.
 *
 * Rules: the words before the first billing word are the model; a 4-digit word among them is the version;
 * `cached` + `write` is a cache write, `cached` a cache read, then `output`, then `input`; a token meter with
 * no direction word (embeddings: `text-embedding-3-large-glbl Tokens`) bills input.
 */
export function parseAzureMeter(name: string): AzureMeter | undefined {
  const words = meterWords(name);
  const last = words[words.length - 1];
  if (last !== 'tokens' && last !== 'token') return undefined;
  const firstRole = words.findIndex((w) => ROLES.has(w));
  if (firstRole <= 0) return undefined;
  const modelWords: string[] = [];
  let version: string | undefined;
  for (let i = 0; i < firstRole; i++) {
    const w = words[i]!;
    if (VERSION_RE.test(w) && i > 0 && version === undefined) version = w;
    else modelWords.push(w);
  }
  if (modelWords.length === 0) return undefined;
  let cached = false;
  let write = false;
  let dir: 'input' | 'output' | undefined;
  const m: AzureMeter = { model: modelWords.join(' '), kind: 'input', tier: 'standard', unknown: [] };
  if (version !== undefined) m.version = version;
  for (let i = firstRole; i < words.length; i++) {
    const w = words[i]!;
    const role = ROLES.get(w);
    switch (role) {
      case 'input':
      case 'output':
        dir ??= role;
        break;
      case 'cached':
        cached = true;
        break;
      case 'write':
        write = true;
        break;
      case 'global':
      case 'regional':
      case 'datazone':
        m.deployment = role;
        break;
      case 'data':
        if (words[i + 1] === 'zone') {
          m.deployment = 'datazone';
          i++;
        } else m.unknown.push(w);
        break;
      case 'batch':
      case 'priority':
        m.tier = role;
        break;
      case 'short':
      case 'long':
        m.context = role;
        break;
      case 'standard':
      case 'tokens':
      case 'unit':
        break;
      default:
        if (VERSION_RE.test(w) && m.version === undefined) m.version = w;
        else m.unknown.push(w);
    }
  }
  if (cached) m.kind = write ? 'cacheWrite' : 'cacheRead';
  else m.kind = dir ?? 'input';
  return m;
}

/** A catalog id, with ids for particular version stamps where a snapshot is priced apart. */
interface ModelEntry {
  id: string;
  versions?: Readonly<Record<string, string>>;
}

/**
 * Meter model words → catalog id. Exact keys only: `gpt 4o` never matches `gpt 4o mini`. Keys come from
 * Azure meter names (GPT-5-family meters drop the `gpt`: `5.4 inp Gl 1M Tokens`). A model not listed keeps
 * its words joined by `-` (`gpt-4.5-0227`) and shows as unpriced.
 */
export const AZURE_METER_MODELS: ReadonlyMap<string, ModelEntry> = new Map<string, ModelEntry>([
  // gpt-4o 2024-05-13 kept its launch price ($5/$15); later snapshots are plain gpt-4o.
  ['gpt 4o', { id: 'gpt-4o', versions: { '0513': 'gpt-4o-2024-05-13' } }],
  ['gpt 4o mini', { id: 'gpt-4o-mini' }],
  ['gpt 4.1', { id: 'gpt-4.1' }],
  ['gpt 4.1 mini', { id: 'gpt-4.1-mini' }],
  ['gpt 4.1 nano', { id: 'gpt-4.1-nano' }],
  ['o1', { id: 'o1' }],
  ['o3', { id: 'o3' }],
  ['o3 mini', { id: 'o3-mini' }],
  ['o4 mini', { id: 'o4-mini' }],
  ['gpt 5', { id: 'gpt-5' }],
  ['5', { id: 'gpt-5' }],
  ['gpt 5 mini', { id: 'gpt-5-mini' }],
  ['5 mini', { id: 'gpt-5-mini' }],
  ['gpt 5 nano', { id: 'gpt-5-nano' }],
  ['5 nano', { id: 'gpt-5-nano' }],
  ['gpt 5.1', { id: 'gpt-5.1' }],
  ['5.1', { id: 'gpt-5.1' }],
  ['gpt 5.2', { id: 'gpt-5.2' }],
  ['5.2', { id: 'gpt-5.2' }],
  ['gpt 5.4', { id: 'gpt-5.4' }],
  ['5.4', { id: 'gpt-5.4' }],
  ['5.4 mini', { id: 'gpt-5.4-mini' }],
  ['5.4 nano', { id: 'gpt-5.4-nano' }],
  ['gpt 5.5', { id: 'gpt-5.5' }],
  ['5.5', { id: 'gpt-5.5' }],
  ['text embedding 3 small', { id: 'text-embedding-3-small' }],
  ['text embedding 3 large', { id: 'text-embedding-3-large' }],
  ['text embedding ada', { id: 'text-embedding-ada-002' }],
  ['text embedding ada 002', { id: 'text-embedding-ada-002' }],
  ['embedding ada', { id: 'text-embedding-ada-002' }],
]);

/** The model id of a parsed meter: the table's id (or its version's), else the meter's own words. */
export function azureMeterModel(m: AzureMeter): string {
  const e = AZURE_METER_MODELS.get(m.model);
  if (e === undefined) return [m.model.replace(/ /g, '-'), m.version].filter(Boolean).join('-');
  return (m.version !== undefined ? e.versions?.[m.version] : undefined) ?? e.id;
}

// ───────────────────────────── units and columns ─────────────────────────────

/**
 * UnitOfMeasure → power of ten of the block a Quantity counts, for the units Azure token meters use
 * (finops-toolkit PricingUnits.csv: `1K` = 1,000, `10K` = 10,000, `1M` = 1,000,000 units …; a test checks
 * these against that file). A token meter in any other unit is a problem, never a guess.
 */
export const AZURE_TOKEN_UNITS: ReadonlyMap<string, number> = new Map([
  ['1', 0],
  ['1K', 3],
  ['10K', 4],
  ['100K', 5],
  ['1M', 6],
  ['1000', 3],
  ['10000', 4],
  ['100000', 5],
  ['1000000', 6],
]);

/** Meter categories of Azure OpenAI and Foundry model meters; every other category is not AI usage. */
const AI_CATEGORIES = new Set(['cognitive services', 'foundry models', 'azure openai', 'azure ai foundry']);

/** Logical field → candidate columns (EA names, MCA names, older names); matched case-insensitively. */
const COLUMNS = {
  date: ['Date', 'UsageDateTime', 'UsageDate'],
  category: ['MeterCategory'],
  subCategory: ['MeterSubCategory'],
  meterName: ['MeterName'],
  meterId: ['MeterId'],
  quantity: ['Quantity', 'UsageQuantity'],
  unit: ['UnitOfMeasure'],
  cost: ['CostInBillingCurrency', 'Cost', 'PreTaxCost'],
  currency: ['BillingCurrency', 'BillingCurrencyCode', 'Currency'],
  subscriptionName: ['SubscriptionName'],
  subscriptionId: ['SubscriptionId', 'SubscriptionGuid'],
  resourceGroup: ['ResourceGroup', 'ResourceGroupName'],
  resourceId: ['ResourceId', 'InstanceId'],
  resourceName: ['ResourceName'],
  location: ['ResourceLocation'],
  tags: ['Tags'],
  chargeType: ['ChargeType'],
  pricingModel: ['PricingModel'],
  product: ['ProductName', 'Product'],
} as const;
type Field = keyof typeof COLUMNS;

/** Azure Cost Management exports (EA and MCA, actual or amortized cost, CSV): one bill record per token meter row. */
export const azureCostParser: Parser = {
  id: FORMAT,
  title:
    'Azure Cost Management cost details export (EA or MCA, actual or amortized, CSV): Azure OpenAI / Foundry token meters',
  detection: 'CSV header with `MeterCategory`, `MeterName`, `Quantity` and a cost column (any letter case)',
  origin:
    'Azure portal → Cost Management → Exports (cost and usage details, actual or amortized) or Cost analysis → ' +
    'Download; `az costmanagement export create …` for scheduled exports',
  detect(head) {
    const cols = new Set(csvHeader(head).map((c) => c.toLowerCase()));
    const cost = COLUMNS.cost.some((c) => cols.has(c.toLowerCase()));
    return cols.has('metercategory') && cols.has('metername') && cols.has('quantity') && cost ? 0.95 : 0;
  },
  parse: parseAzureCost,
};

function parseAzureCost(input: InputSource): AsyncIterable<ParseItem[]> {
  const file = input.name;
  // Resolved once from the header: the column each logical field reads (first candidate present).
  const use: Partial<Record<Field, string>> = {};
  const col = (row: CsvRow, f: Field): string | undefined => {
    const c = use[f];
    return c === undefined ? undefined : row.get(c);
  };
  // An export repeats a few hundred meter names over many rows: read each once.
  const meters = new Map<string, MeterOf | null>();
  const meterOf = (name: string): MeterOf | null => {
    let m = meters.get(name);
    if (m === undefined) {
      // Kept and read as a copy: the cell is a view into a whole chunk of the input, which the memo (and the
      // records, whose modelRaw it becomes) must not hold.
      const key = detach(name);
      const meter = parseAzureMeter(key);
      m = meter === undefined ? null : { meter, name: key, model: azureMeterModel(meter) };
      if (meters.size < MEMO_LIMIT) meters.set(key, m);
    }
    return m;
  };
  const days = new Map<string, string>();
  return parseCsvRows(input, {
    header(columns) {
      const lower = new Set(columns.map((c) => c.toLowerCase()));
      for (const f of Object.keys(COLUMNS) as Field[]) {
        const hit = COLUMNS[f].find((c) => lower.has(c.toLowerCase()));
        if (hit !== undefined) use[f] = hit;
      }
      if (use.category === undefined || use.meterName === undefined)
        throw new RowError('not an Azure cost export: no MeterCategory / MeterName columns');
    },
    row(row, line, out) {
      const category = col(row, 'category') ?? '(no MeterCategory)';
      if (!AI_CATEGORIES.has(category.toLowerCase())) {
        out.push(ignored(file, line, `not AI usage: ${category}`));
        return;
      }
      const group = col(row, 'subCategory') ?? category;
      const chargeType = col(row, 'chargeType') ?? 'Usage';
      if (chargeType.toLowerCase() !== 'usage') {
        out.push(ignored(file, line, `not usage: ${chargeType}`));
        return;
      }
      const meterName = col(row, 'meterName');
      const meter = meterName === undefined ? null : meterOf(meterName);
      if (meter === null) {
        out.push(ignored(file, line, `not AI token usage: ${group}`));
        return;
      }
      out.push(rec(toRecord(row, meter, file, line, col, days)));
    },
  });
}

const US_DATE_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** A cost-export date: `MM/DD/YYYY` (EA and MCA CSVs, whatever the locale) or ISO. */
export function azureDate(text: string | undefined): string {
  if (text === undefined) throw new RowError('no Date');
  const m = US_DATE_RE.exec(text.trim());
  if (!m) return toIsoInstant(text, 'Date');
  const month = Number(m[1]);
  const day = Number(m[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31)
    throw new RowError(`Date is not MM/DD/YYYY: ${JSON.stringify(text)}`);
  const iso = `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
  const out = toIsoInstant(iso, 'Date');
  if (!out.startsWith(iso)) throw new RowError(`Date is not a calendar day: ${JSON.stringify(text)}`);
  return out;
}

/**
 * Tags as exported: EA writes the JSON members without the outer braces (`"env": "prod","org": "trey"`), MCA
 * and newer exports a full JSON object. Throws RowError when neither parses.
 */
export function azureTags(text: string, tags: Record<string, string>): void {
  const t = text.trim();
  let obj: unknown;
  try {
    obj = JSON.parse(t.startsWith('{') ? t : `{${t}}`);
  } catch {
    throw new RowError(`Tags is not JSON: ${JSON.stringify(t.slice(0, 80))}`);
  }
  if (!isObject(obj)) throw new RowError('Tags is not a JSON object');
  addJsonTags(obj, tags);
}

const DAY_MS = 86_400_000;

/** A token meter, read once per file. */
interface MeterOf {
  meter: AzureMeter;
  /** The meter name as written (a copy holding no chunk of the input): the record's `modelRaw`. */
  name: string;
  /** The model id the meter table reads from it. */
  model: string;
}

function toRecord(
  row: CsvRow,
  m: MeterOf,
  file: string,
  line: number,
  col: (row: CsvRow, f: Field) => string | undefined,
  days: Map<string, string>,
): UsageRecord {
  const meter = m.meter;
  const meterName = m.name;
  const start = memoTime(days, col(row, 'date'), 'Date', (v) => azureDate(v as string | undefined));
  const end = new Date(Date.parse(start) + DAY_MS).toISOString(); // cost details rows are daily
  const unit = col(row, 'unit');
  const exp = unit === undefined ? undefined : AZURE_TOKEN_UNITS.get(unit.trim());
  if (exp === undefined)
    throw new RowError(
      `UnitOfMeasure ${JSON.stringify(unit ?? '')} is not a token block (1K, 10K, 1M …) for meter "${meterName}"`,
    );
  const qty = col(row, 'quantity');
  if (qty === undefined) throw new RowError('no Quantity');
  const n = decimalTokens(qty, exp, 'Quantity');
  const tokens: Tokens = zeroTokens();
  tokens[meter.kind] = n;
  const cost = moneyOf(col(row, 'cost'), 'CostInBillingCurrency');
  const currency = col(row, 'currency') ?? 'USD';

  const tags = stringMap();
  const tagText = col(row, 'tags');
  if (tagText !== undefined) azureTags(tagText, tags);
  tags.meterName = meterName;
  const sub = col(row, 'subCategory');
  if (sub !== undefined) tags.meterSubCategory = sub;
  if (meter.deployment !== undefined) tags.deployment = meter.deployment;
  if (meter.version !== undefined) tags.modelVersion = meter.version;
  if (meter.context !== undefined) tags.context = meter.context;
  if (meter.unknown.length > 0) tags.meterQualifiers = meter.unknown.join(' ');
  for (const [f, key] of [
    ['resourceGroup', 'resourceGroup'],
    ['resourceName', 'resourceName'],
    ['resourceId', 'resourceId'],
    ['location', 'location'],
    ['pricingModel', 'pricingModel'],
    ['product', 'product'],
    ['subscriptionId', 'subscriptionId'],
  ] as const) {
    const v = col(row, f);
    if (v !== undefined) tags[key] = v;
  }

  const dims: Dims = {};
  const project = col(row, 'subscriptionName') ?? col(row, 'subscriptionId');
  if (project !== undefined) dims.project = project;

  const r: UsageRecord = {
    start,
    end,
    provider: PROVIDER,
    model: m.model,
    modelRaw: meterName,
    serviceTier: meter.tier,
    requests: 0,
    tokens,
    reportedCost: { amount: cost, currency },
    dims,
    tags,
    fromBill: true,
    source: { file, line, format: FORMAT },
  };
  // Cost details rows have no id (Microsoft: "the file itself doesn't uniquely identify individual records"):
  // the key is every column that splits a row, so only a row read twice collides.
  r.dedupKey = [
    FORMAT,
    start.slice(0, 10),
    col(row, 'subscriptionId') ?? '',
    col(row, 'resourceId') ?? '',
    col(row, 'meterId') ?? meterName,
    col(row, 'pricingModel') ?? '',
    qty,
    col(row, 'cost') ?? '',
    tagText ?? '',
  ].join('\u0000');
  return r;
}
