import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { addJsonTags, decimalTokens, MEMO_LIMIT, memoTime, moneyOf } from './aws-cur.ts';
import type { CsvRow } from './csv-rows.ts';
import { csvHeader, parseCsvRows } from './csv-rows.ts';
import { parseJsonLines } from './json-lines.ts';
import type { Parser } from './types.ts';
import { detach, ignored, isObject, optString, rec, RowError, toIsoInstant } from './util.ts';

const FORMAT = 'gcp-billing';
const PROVIDER = 'google-vertex';

// ───────────────────────────── SKU grammar ─────────────────────────────

/** What a Gemini token SKU bills, read by `parseGeminiSku`. */
export interface GeminiSku {
  /** Model words, lower-case (`gemini 2.5 flash lite`, `gemini-embedding-001`). */
  model: string;
  kind: 'input' | 'output' | 'cacheRead';
  /** Output SKUs for thinking tokens (`Thinking Text Output`, `Text Output (Thinking On)`). */
  thinking: boolean;
  /** `standard`, `batch`, `flex`, `priority`. */
  tier: string;
  /** `(Long)` / `long input text`: the SKU of requests above the long-context threshold (200k tokens). */
  longContext: boolean;
  /** `text`, `image`, `video`, `audio` when the SKU names one. */
  modality?: string;
  /** `global` / `regional` endpoint when the SKU names one. */
  endpoint?: string;
}

/** Why a SKU of an AI service is not read as tokens (undefined = it is a token SKU). */
export type NotTokens = 'not tokens' | 'per character';

const MODEL_VARIANTS = new Set([
  'pro',
  'flash',
  'lite',
  'flash-lite',
  'nano',
  'ultra',
  'preview',
  'exp',
  'embedding',
  'live',
]);
const MODALITIES = new Set(['text', 'image', 'video', 'audio']);
const NUMBER_RE = /^\d+(?:\.\d+)?$/;

/**
 * Reads a Gemini token SKU description. Two naming families, per the Google Cloud SKU catalog and billing
 * exports:
 *
 *   Vertex AI:  `Gemini 2.5 Pro Text Input - Predictions`, `Gemini 2.5 Flash GA Thinking Text Output -
 *               Predictions`, `Gemini 2.5 Pro Text Input Caching (Long)`, `Gemini 2.0 Flash Text Input (Long) -
 *               Predictions`, `Gemini 2.5 Flash Text Output (Thinking On) - Batch Predictions`,
 *               `Gemini 3.7 Flash Global Text Input - Predictions`
 *   Gemini API: `Generate content input token count gemini 2.5 flash short input text`, `Generate content
 *               cached input token count gemini 2.5 flash input image`, `GenerateContent text output token
 *               count for Gemini 2.0 Flash`, `EmbedContent input token count for gemini-embedding-001 text`
 *
 * The model is `gemini` and the version/variant words after it; the token kind is the FIRST of `input` /
 * `output` (in the Gemini API family a later `input text` names the context band), `cached`/`caching`
 * make input a cache read, `thinking` marks output as reasoning. Returns a NotTokens reason for a SKU that
 * bills something else (caching storage hours, characters), undefined fields never guessed.
 */
export function parseGeminiSku(description: string): GeminiSku | NotTokens {
  const words = description
    .toLowerCase()
    .replace(/[()]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && w !== '-');
  if (words.includes('storage')) return 'not tokens';
  if (words.includes('character') || words.includes('characters')) return 'per character';
  const g = words.findIndex((w) => w === 'gemini' || w.startsWith('gemini-'));
  if (g === -1) return 'not tokens';
  let model = words[g]!;
  if (model === 'gemini') {
    const parts = ['gemini'];
    for (let i = g + 1; i < words.length && (NUMBER_RE.test(words[i]!) || MODEL_VARIANTS.has(words[i]!)); i++)
      parts.push(words[i]!);
    if (parts.length === 1) return 'not tokens';
    model = parts.join(' ');
  }
  let dir: 'input' | 'output' | undefined;
  let cached = false;
  const s: GeminiSku = { model, kind: 'input', thinking: false, tier: 'standard', longContext: false };
  for (const w of words) {
    if (w === 'input' || w === 'output') dir ??= w;
    else if (w === 'cached' || w === 'caching') cached = true;
    else if (w === 'thinking') s.thinking = true;
    else if (w === 'batch' || w === 'flex' || w === 'priority') s.tier = w;
    else if (w === 'long') s.longContext = true;
    else if (w === 'global' || w === 'regional') s.endpoint = w;
    else if (MODALITIES.has(w)) s.modality ??= w;
  }
  if (dir === undefined && !model.includes('embedding')) return 'not tokens';
  s.kind = cached ? 'cacheRead' : (dir ?? 'input');
  if (s.kind !== 'output') s.thinking = false;
  return s;
}

/**
 * SKU model words → catalog id, exact keys only (`gemini 2.5 flash` never prices `gemini 2.5 flash lite`). A
 * model not listed keeps its words joined by `-` (`gemini-3.7-flash`), which an imported catalog may know;
 * otherwise it shows as unpriced. Preview SKUs keep `preview` in their name and so stay apart.
 */
export const GEMINI_SKU_MODELS: ReadonlyMap<string, string> = new Map([
  ['gemini 2.0 flash', 'gemini-2.0-flash'],
  ['gemini 2.5 flash', 'gemini-2.5-flash'],
  ['gemini 2.5 flash lite', 'gemini-2.5-flash-lite'],
  ['gemini 2.5 flash-lite', 'gemini-2.5-flash-lite'],
  ['gemini 2.5 pro', 'gemini-2.5-pro'],
  ['gemini-embedding-001', 'gemini-embedding-001'],
  ['gemini embedding', 'gemini-embedding-001'],
]);

/** The model id of a parsed SKU. */
export function geminiSkuModel(s: GeminiSku): string {
  return GEMINI_SKU_MODELS.get(s.model) ?? s.model.replace(/ /g, '-');
}

// ───────────────────────────── rows ─────────────────────────────

/** Billing-export services whose SKUs include Gemini tokens; every other service is not AI usage. */
const AI_SERVICES = new Set([
  'vertex ai',
  'gemini api',
  'generative language api',
  'vertex ai generative ai',
]);

/** `usage.unit` values that count tokens one by one. */
const TOKEN_UNITS = new Set(['count', 'token', 'tokens']);

/** One export row, nested (JSON) or flattened (CSV) alike: `get('sku', 'description')`. */
interface GcpRow {
  get(group: string, field?: string): unknown;
}

class JsonRow implements GcpRow {
  private readonly o: Record<string, unknown>;
  constructor(o: Record<string, unknown>) {
    this.o = o;
  }
  get(group: string, field?: string): unknown {
    if (field === undefined) return this.o[group];
    const g = this.o[group];
    if (isObject(g)) return g[field];
    return this.o[`${group}.${field}`] ?? this.o[`${group}_${field}`];
  }
}

class FlatRow implements GcpRow {
  private readonly r: CsvRow;
  constructor(r: CsvRow) {
    this.r = r;
  }
  get(group: string, field?: string): unknown {
    if (field === undefined) return this.r.get(group);
    return this.r.get(`${group}.${field}`) ?? this.r.get(`${group}_${field}`);
  }
}

const str = (v: unknown): string | undefined => optString(v);

/** A BigQuery timestamp as exported (`2026-10-01 07:00:00 UTC`, ISO, epoch) as an ISO instant. */
function bqTime(v: unknown, field: string): string {
  if (typeof v === 'string' && v.endsWith(' UTC')) return toIsoInstant(v.slice(0, -4), field);
  return toIsoInstant(v, field);
}

function time(times: Map<string, string>, v: unknown, field: string): string {
  return typeof v === 'string' ? memoTime(times, v, field, bqTime) : bqTime(v, field);
}

/** A JSON value that may arrive as a JSON string (CSV cells) or as the value itself (JSON Lines). */
function jsonValue(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new RowError(`${field} is not JSON: ${JSON.stringify(v.slice(0, 80))}`);
  }
}

function toTags(labels: unknown, tags: Record<string, string>): void {
  const v = jsonValue(labels, 'labels');
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const l of v) {
      if (!isObject(l)) throw new RowError('labels: an entry is not a {key, value} object');
      const k = str(l.key);
      const val = str(l.value);
      if (k !== undefined && val !== undefined) tags[k] = val;
    }
  } else if (isObject(v)) addJsonTags(v, tags);
  else throw new RowError('labels is neither a list of {key, value} nor an object');
}

/** Sum of `credits[].amount` (negative numbers in the export); 0 without credits. */
function creditsOf(credits: unknown): number {
  const v = jsonValue(credits, 'credits');
  if (v === undefined || v === null) return 0;
  if (!Array.isArray(v)) throw new RowError('credits is not a list');
  let sum = 0;
  for (const c of v) {
    if (!isObject(c)) throw new RowError('credits: an entry is not an object');
    sum += moneyOf(c.amount === undefined ? undefined : String(c.amount), 'credits.amount');
  }
  return sum;
}

/** A token SKU, read once per file. */
interface SkuOf {
  sku: GeminiSku;
  /** The SKU description as written, trimmed (a copy holding no chunk of the input): the record's `modelRaw`. */
  raw: string;
  /** The model id the SKU table reads from it. */
  model: string;
}

/** Per-file memo tables: SKU descriptions and timestamps repeat over many rows. */
interface Memo {
  skus: Map<string, SkuOf | NotTokens>;
  times: Map<string, string>;
}

function handleRow(row: GcpRow, file: string, line: number, out: ParseItem[], memo: Memo): void {
  const skus = memo.skus;
  const costType = str(row.get('cost_type'));
  if (costType !== undefined && costType !== 'regular') {
    out.push(ignored(file, line, `not usage: ${costType}`));
    return;
  }
  const service = str(row.get('service', 'description')) ?? '(no service)';
  if (!AI_SERVICES.has(service.toLowerCase())) {
    out.push(ignored(file, line, `not AI usage: ${service}`));
    return;
  }
  const sku = str(row.get('sku', 'description'));
  if (sku === undefined) throw new RowError('no sku.description');
  // An export repeats a few hundred SKUs over many rows: read each once.
  let s = skus.get(sku);
  if (s === undefined) {
    // Kept and read as a copy: the cell is a view into a whole chunk of the input, which the memo (and the
    // records, whose modelRaw it becomes) must not hold.
    const key = detach(sku);
    const g = parseGeminiSku(key);
    s = typeof g === 'string' ? g : { sku: g, raw: key.trim(), model: geminiSkuModel(g) };
    if (skus.size < MEMO_LIMIT) skus.set(key, s);
  }
  const unit = str(row.get('usage', 'unit'))?.toLowerCase();
  if (s === 'per character' || unit?.includes('character')) {
    out.push(ignored(file, line, `AI usage billed per character, not per token: ${service}`));
    return;
  }
  if (s === 'not tokens') {
    out.push(ignored(file, line, `not AI token usage: ${service}`));
    return;
  }
  // Vertex AI billed Gemini 1.0 / 1.5 per 1,000 characters, whatever the SKU's wording.
  if (service.toLowerCase() === 'vertex ai' && /^gemini 1\.\d/.test(s.sku.model)) {
    out.push(ignored(file, line, `AI usage billed per character, not per token: ${service}`));
    return;
  }
  if (unit !== undefined && !TOKEN_UNITS.has(unit)) {
    throw new RowError(`usage.unit "${unit}" is not a token count for SKU "${sku}"`);
  }
  out.push(rec(toRecord(row, s, sku, file, line, memo.times)));
}

function toRecord(
  row: GcpRow,
  k: SkuOf,
  sku: string,
  file: string,
  line: number,
  times: Map<string, string>,
): UsageRecord {
  const s = k.sku;
  const start = time(times, row.get('usage_start_time'), 'usage_start_time');
  const endRaw = row.get('usage_end_time');
  const end =
    endRaw === undefined || endRaw === null || endRaw === ''
      ? undefined
      : time(times, endRaw, 'usage_end_time');
  const amount = row.get('usage', 'amount');
  if (amount === undefined || amount === null || amount === '') throw new RowError('no usage.amount');
  if (typeof amount !== 'number' && typeof amount !== 'string')
    throw new RowError('usage.amount is not a number');
  // Exports state token counts as FLOAT64 (`1065040.0`): round the exact decimal to a whole token.
  const n = decimalTokens(typeof amount === 'number' ? numberText(amount) : amount, 0, 'usage.amount');
  const tokens: Tokens = zeroTokens();
  tokens[s.kind] = n;
  if (s.thinking) tokens.reasoning = n; // thinking tokens are output, shown apart, never priced twice
  const costRaw = row.get('cost');
  const cost = moneyOf(costRaw === undefined || costRaw === null ? undefined : String(costRaw), 'cost');
  const credits = creditsOf(row.get('credits'));
  const currency = str(row.get('currency')) ?? 'USD';

  const tags = stringMap();
  const labels = row.get('labels');
  toTags(labels, tags);
  tags.sku = sku;
  const skuId = str(row.get('sku', 'id'));
  if (skuId !== undefined) tags.skuId = skuId;
  if (s.longContext) tags.longContext = 'true';
  if (s.modality !== undefined && s.modality !== 'text') tags.modality = s.modality;
  if (s.endpoint !== undefined) tags.endpoint = s.endpoint;
  if (credits !== 0) {
    tags.credits = String(credits);
    tags.netCost = String(cost + credits);
  }
  const region = str(row.get('location', 'region')) ?? str(row.get('location', 'location'));
  if (region !== undefined) tags.region = region;
  const projectName = str(row.get('project', 'name'));
  if (projectName !== undefined) tags.projectName = projectName;
  const resource = str(row.get('resource', 'name'));
  if (resource !== undefined) tags.resource = resource;

  const dims: Dims = {};
  const project = str(row.get('project', 'id'));
  if (project !== undefined) dims.project = project;

  const r: UsageRecord = {
    start,
    provider: PROVIDER,
    model: k.model,
    modelRaw: k.raw,
    serviceTier: s.tier,
    requests: 0,
    tokens,
    // Gross cost: credits (free tier, promotions, committed-use) are not token prices; they stay in tags.
    reportedCost: { amount: cost, currency },
    dims,
    tags,
    fromBill: true,
    source: { file, line, format: FORMAT },
  };
  if (end !== undefined) r.end = end;
  // The export has no row id: the key is every value that splits a row, so only a row read twice collides.
  r.dedupKey = [
    FORMAT,
    start,
    end ?? '',
    project ?? '',
    skuId ?? sku,
    resource ?? '',
    typeof labels === 'string' ? labels : JSON.stringify(labels ?? null),
    String(amount),
    String(costRaw),
  ].join('\u0000');
  return r;
}

/** A JSON number as plain decimal text (`1e-7` → `0.0000001`), for exact scaling. */
function numberText(n: number): string {
  return Number.isInteger(n) || !/e/i.test(String(n)) ? String(n) : n.toFixed(20);
}

// ───────────────────────────── parser ─────────────────────────────

const SKU_COLUMNS = ['sku.description', 'sku_description'];
const JSON_SKU = /"sku"\s*:\s*\{[^{}]*"description"/;

/** Google Cloud billing export to BigQuery, downloaded as CSV or JSON Lines: one bill record per Gemini token row. */
export const gcpBillingParser: Parser = {
  id: FORMAT,
  title: 'Google Cloud billing export (BigQuery, as CSV or JSON Lines): Vertex AI / Gemini API token SKUs',
  detection:
    'CSV header with `usage_start_time` and `sku.description` (or `sku_description`); JSON lines with a `sku` object and `usage_start_time`',
  origin:
    'Billing → Billing export → BigQuery (standard or detailed usage cost); query the table and save the result ' +
    'as CSV, or `bq extract --destination_format NEWLINE_DELIMITED_JSON <table> gs://…`',
  detect(head) {
    const t = head.trimStart();
    if (t.startsWith('{')) return JSON_SKU.test(head) && head.includes('"usage_start_time"') ? 0.95 : 0;
    const cols = new Set(csvHeader(head));
    return cols.has('usage_start_time') && SKU_COLUMNS.some((c) => cols.has(c)) ? 0.95 : 0;
  },
  parse(input: InputSource): AsyncIterable<ParseItem[]> {
    const file = input.name;
    const memo: Memo = { skus: new Map(), times: new Map() };
    if (input.head.trimStart().startsWith('{')) {
      return parseJsonLines(input, {
        line: (obj, n, out) => handleRow(new JsonRow(obj), file, n, out, memo),
      });
    }
    return parseCsvRows(input, {
      header(columns) {
        if (!SKU_COLUMNS.some((c) => columns.includes(c)))
          throw new RowError('not a GCP billing export: no sku.description (or sku_description) column');
      },
      row: (row, n, out) => handleRow(new FlatRow(row), file, n, out, memo),
    });
  },
};
