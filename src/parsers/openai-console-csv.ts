import { basename } from 'node:path';
import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import type { CsvRow } from './csv-rows.ts';
import { csvHeader, parseCsvRows } from './csv-rows.ts';
import type { BucketTimes } from './report-pages.ts';
import { ALL_MODELS, jsonString, NOT_GROUPED_BY_MODEL, reportDedupKey } from './report-pages.ts';
import type { Parser } from './types.ts';
import { ignored, InstantMemo, MAX_TOKENS, quietReason, rec, RowError } from './util.ts';

/**
 * The OpenAI dashboard's CSV downloads (platform.openai.com/usage → Export), the spreadsheet cousins of the
 * Usage and Costs API pages: `completions_usage_<from>_<to>.csv` (Activity view) and `cost_<from>_<to>.csv`
 * (Cost view). One parser for both: same origin, same bucket columns, and one entry in `finops formats`; the
 * header says which shape a file is. Records carry the API parsers' dims, tags and de-duplication keys, so a
 * CSV download and an API export of the same buckets and grouping are counted once.
 */

const ID = 'openai-console-csv';

/** Reason for a bucket row with nothing but its times (the dashboard writes one per day without usage). */
export const EMPTY_DAY = quietReason('empty day');

// Must equal GROUP_FIELDS of openai-usage.ts / openai-costs.ts (tested: same key for the same bucket). The usage
// key is written out in usageRecord, in this order (tested against reportDedupKey with these fields).
export const USAGE_GROUP_FIELDS = [
  'object',
  'project_id',
  'user_id',
  'api_key_id',
  'model',
  'batch',
  'service_tier',
  'api_source',
  'source',
  'size',
] as const;
const COST_GROUP_FIELDS = ['line_item', 'project_id', 'api_key_id'] as const;

// Parts of the token totals by modality: tags only, as in openai-usage.ts.
const MODALITY_FIELDS = [
  'input_audio_tokens',
  'input_cached_audio_tokens',
  'output_audio_tokens',
  'input_image_tokens',
  'input_cached_image_tokens',
  'output_image_tokens',
] as const;

const TIME_COLUMNS = new Set(['start_time', 'end_time', 'start_time_iso', 'end_time_iso']);

/** Usage endpoints whose CSV finops reads, named by the file's prefix (`<endpoint>_usage_…csv`). */
const USAGE_ENDPOINTS: Record<string, { operation: string; tokens: 'completions' | 'input' }> = {
  completions: { operation: 'chat', tokens: 'completions' },
  embeddings: { operation: 'embeddings', tokens: 'input' },
  moderations: { operation: 'moderations', tokens: 'input' },
};

/** Column positions of a file (see CsvHandler.header), by the names this parser reads; -1 when absent. */
type Cols = Record<(typeof USAGE_COLUMNS)[number], number>;

const USAGE_COLUMNS = [
  'start_time',
  'start_time_iso',
  'end_time',
  'end_time_iso',
  'input_tokens',
  'input_cached_tokens',
  'input_cache_write_tokens',
  'input_uncached_tokens',
  'output_tokens',
  'num_model_requests',
  'batch',
  'service_tier',
  'project_id',
  'user_id',
  'api_key_id',
  'model',
  'api_source',
  'source',
  'size',
  ...MODALITY_FIELDS,
] as const;

/** What a file's rows share: column positions, the empty-day test, remembered bucket times and key prefix. */
class FileReader {
  readonly cols: Cols;
  /** Positions of the columns that are not bucket times, each once: a row is an empty day when all are empty. */
  private readonly nonTime: number[];
  private readonly starts = new InstantMemo();
  private readonly ends = new InstantMemo();
  private lastStart = '';
  private lastEnd: string | undefined;
  private lastPrefix = '';
  private readonly object: string;
  private lastTierText: string | undefined;
  private lastTier = '';

  constructor(columns: readonly string[], column: (name: string) => number, endpoint: string) {
    const cols: Record<string, number> = {};
    for (const name of USAGE_COLUMNS) cols[name] = column(name);
    this.cols = cols as Cols;
    const nonTime = new Set<number>();
    for (const c of columns) if (!TIME_COLUMNS.has(c.toLowerCase())) nonTime.add(column(c));
    nonTime.delete(-1);
    this.nonTime = [...nonTime];
    this.object = jsonString(`organization.usage.${endpoint}.result`);
  }

  /** `serviceTier.toLowerCase()`, remembered for the last text. */
  tier(serviceTier: string): string {
    if (serviceTier !== this.lastTierText) {
      this.lastTierText = serviceTier;
      this.lastTier = serviceTier.toLowerCase();
    }
    return this.lastTier;
  }

  /** True when every cell but the bucket times is empty. */
  emptyBucket(row: CsvRow): boolean {
    for (const i of this.nonTime) if (row.at(i) !== undefined) return false;
    return true;
  }

  /** The bucket's times, from epoch seconds (as the API's) or, failing those, the ISO columns. */
  bucketOf(row: CsvRow): BucketTimes {
    const c = this.cols;
    const start = row.at(c.start_time) ?? row.at(c.start_time_iso);
    if (start === undefined) throw new RowError('no start_time');
    const b: BucketTimes = { start: this.starts.get(start, 'start_time') };
    const end = row.at(c.end_time) ?? row.at(c.end_time_iso);
    if (end !== undefined) b.end = this.ends.get(end, 'end_time');
    return b;
  }

  /**
   * `reportDedupKey('openai-usage', bucket, result, USAGE_GROUP_FIELDS)` up to the `object` value, remembered for
   * the last bucket (rows of one bucket come together).
   */
  usageKeyPrefix(bucket: BucketTimes): string {
    if (bucket.start !== this.lastStart || bucket.end !== this.lastEnd || this.lastPrefix === '') {
      this.lastStart = bucket.start;
      this.lastEnd = bucket.end;
      this.lastPrefix =
        `openai-usage:[${jsonString(bucket.start)},` +
        `${bucket.end === undefined ? 'null' : jsonString(bucket.end)},${this.object}`;
    }
    return this.lastPrefix;
  }
}

/**
 * A whole count from the cell at position `i` (see FileReader.cols), named `column` in messages. The dashboard
 * writes counts as floats ("59200.0": its columns are blank on empty days), so a zero fraction is accepted;
 * anything else names the column. Empty → 0.
 */
function countAt(row: CsvRow, i: number, column: string): number {
  return countOf(row.at(i), column);
}

function countOf(v: string | undefined, column: string): number {
  if (v === undefined) return 0;
  // /^\d+(\.0*)?$/ without a regular expression: digits, then optionally a point and zeros.
  const len = v.length;
  let i = 0;
  let n = 0;
  for (; i < len; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  let whole = i > 0;
  if (whole && i < len) {
    if (v.charCodeAt(i) !== 46) whole = false;
    else for (let j = i + 1; j < len && whole; j++) whole = v.charCodeAt(j) === 48;
  }
  if (!whole) {
    throw new RowError(
      v.startsWith('-')
        ? `${column} is negative: ${v}`
        : `${column} is not a whole number: ${JSON.stringify(v)}`,
    );
  }
  // Up to 15 digits the sum above is exact; longer (leading zeros, or absurd) as parseInt reads them.
  if (i > 15) n = Number.parseInt(v, 10);
  if (n > MAX_TOKENS) throw new RowError(`${column} is absurdly large: ${v}`);
  return n;
}

/** `batch` as the API states it: true, false, or null when the export is not grouped by it. */
function batchValue(row: CsvRow, i: number): boolean | null {
  const cell = row.at(i);
  // The dashboard's own spellings, without lower-casing a copy on every row.
  if (cell === 'True' || cell === 'true') return true;
  if (cell === 'False' || cell === 'false') return false;
  const v = cell?.toLowerCase();
  if (v === undefined) return null;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new RowError(`batch is not true or false: ${JSON.stringify(cell)}`);
}

/** Disjoint buckets, as completionTokens in openai-usage.ts: `input_tokens` includes cache reads and writes. */
function completionTokens(row: CsvRow, c: Cols): Tokens {
  const total = countAt(row, c.input_tokens, 'input_tokens');
  const cached = countAt(row, c.input_cached_tokens, 'input_cached_tokens');
  const written = countAt(row, c.input_cache_write_tokens, 'input_cache_write_tokens');
  if (cached > total) throw new RowError(`input_cached_tokens (${cached}) exceeds input_tokens (${total})`);
  let input: number;
  if (row.at(c.input_uncached_tokens) !== undefined) {
    input = countAt(row, c.input_uncached_tokens, 'input_uncached_tokens');
    if (input + cached + written !== total) {
      throw new RowError(
        `input_uncached_tokens + input_cached_tokens + input_cache_write_tokens (${input + cached + written}) ` +
          `is not input_tokens (${total})`,
      );
    }
  } else {
    input = total - cached - written;
    if (input < 0) {
      throw new RowError(
        `input_cached_tokens + input_cache_write_tokens (${cached + written}) exceeds input_tokens (${total})`,
      );
    }
  }
  return {
    input,
    cacheRead: cached,
    cacheWrite: written,
    output: countAt(row, c.output_tokens, 'output_tokens'),
  };
}

function usageRecord(
  row: CsvRow,
  endpoint: string,
  source: UsageRecord['source'],
  reader: FileReader,
): UsageRecord {
  const c = reader.cols;
  const ep = USAGE_ENDPOINTS[endpoint]!;
  const bucket = reader.bucketOf(row);
  const tokens =
    ep.tokens === 'completions'
      ? completionTokens(row, c)
      : { ...zeroTokens(), input: countAt(row, c.input_tokens, 'input_tokens') };
  const batch = batchValue(row, c.batch);
  const serviceTier = row.at(c.service_tier);
  const model = row.at(c.model);
  const apiSource = row.at(c.api_source);
  const sourceValue = row.at(c.source);
  const size = row.at(c.size);
  const modelRaw = model ?? NOT_GROUPED_BY_MODEL;

  const tags = stringMap();
  for (const f of MODALITY_FIELDS) {
    const n = countAt(row, c[f], f);
    if (n > 0) tags[f] = String(n);
  }
  if (apiSource !== undefined) tags.api_source = apiSource;
  if (sourceValue !== undefined) tags.source = sourceValue;
  if (size !== undefined) tags.size = size;
  const dims: Dims = {};
  const project = row.at(c.project_id);
  const apiKey = row.at(c.api_key_id);
  const user = row.at(c.user_id);
  if (project !== undefined) dims.project = project;
  if (apiKey !== undefined) dims.apiKey = apiKey;
  if (user !== undefined) dims.user = user;

  const record: UsageRecord = {
    start: bucket.start,
    provider: 'openai',
    model: modelRaw,
    modelRaw,
    operation: ep.operation,
    requests: countAt(row, c.num_model_requests, 'num_model_requests'),
    tokens,
    dims,
    tags,
    // The API result this row is the spreadsheet form of: same group-by values (USAGE_GROUP_FIELDS), same JSON
    // types, so the key is reportDedupKey's for it (a test holds the two together).
    dedupKey:
      reader.usageKeyPrefix(bucket) +
      `,${orNull(project)},${orNull(user)},${orNull(apiKey)},${orNull(model)},` +
      `${batch === null ? 'null' : batch ? 'true' : 'false'},${orNull(serviceTier)},` +
      `${orNull(apiSource)},${orNull(sourceValue)},${orNull(size)}]`,
    source,
  };
  if (bucket.end !== undefined) record.end = bucket.end;
  // The Batch API is its own price tier, whatever service_tier says; OpenAI's `default` is finops' `standard`.
  const tier = batch === true ? 'batch' : serviceTier === undefined ? undefined : reader.tier(serviceTier);
  if (tier !== undefined) record.serviceTier = tier === 'default' ? 'standard' : tier;
  return record;
}

/** A group-by value in the key: its JSON string, or null. */
function orNull(v: string | undefined): string {
  return v === undefined ? 'null' : jsonString(v);
}

const MONEY = /^-?\d+(\.\d+)?$/;

function costRecord(
  row: CsvRow,
  source: UsageRecord['source'],
  firstOrg: { id?: string },
  reader: FileReader,
): UsageRecord {
  const bucket = reader.bucketOf(row);
  const value = row.get('amount_value')!;
  if (!MONEY.test(value)) throw new RowError(`amount_value is not a number: ${JSON.stringify(value)}`);
  // Dollars, like the Costs API (Anthropic's cost report is in cents; this export is not).
  const amount = Number(value);
  const currency = (row.get('amount_currency') ?? 'usd').toUpperCase();
  const lineItem = row.get('line_item');
  const modelRaw = lineItem === undefined ? ALL_MODELS : lineItem.split(',')[0]!.trim() || ALL_MODELS;

  const tags = stringMap();
  if (lineItem !== undefined) tags.line_item = lineItem;
  const quantity = row.get('quantity');
  if (quantity !== undefined) tags.quantity = quantity;
  const unit = row.get('quantity_unit');
  if (unit !== undefined) tags.quantity_unit = unit;
  // The project's name is kept for attribution rules (`match: { tags: { project_name: … } }`); e-mail addresses
  // and organization names in the export are left out on purpose.
  const projectName = row.get('project_name');
  if (projectName !== undefined) tags.project_name = projectName;
  const apiSource = row.get('api_source');
  if (apiSource !== undefined) tags.api_source = apiSource;

  const dims: Dims = {};
  const project = row.get('project_id');
  const apiKey = row.get('api_key_id');
  const user = row.get('user_id');
  if (project !== undefined) dims.project = project;
  if (apiKey !== undefined) dims.apiKey = apiKey;
  if (user !== undefined) dims.user = user;

  const result = {
    line_item: lineItem ?? null,
    project_id: project ?? null,
    api_key_id: apiKey ?? null,
  };
  let dedupKey = reportDedupKey('openai-costs', bucket, result, COST_GROUP_FIELDS);
  // The download can split a bucket finer than the Costs API can (by user, by API source, across organizations).
  // Such rows get the extra values appended, so they never collide with each other; a row without them keeps the
  // API's own key, which is what makes a download and an API export of the same grouping count once.
  const org = row.get('organization_id');
  firstOrg.id ??= org;
  const extra: Record<string, string> = {};
  if (user !== undefined) extra.user_id = user;
  if (apiSource !== undefined) extra.api_source = apiSource;
  if (org !== undefined && org !== firstOrg.id) extra.organization_id = org;
  if (Object.keys(extra).length > 0) dedupKey += `:${JSON.stringify(extra)}`;

  const record: UsageRecord = {
    start: bucket.start,
    provider: 'openai',
    model: modelRaw,
    modelRaw,
    // A cost line: no requests, no tokens (the usage export carries those); only the stated cost.
    requests: 0,
    tokens: zeroTokens(),
    reportedCost: { amount, currency },
    dims,
    tags,
    dedupKey,
    source,
  };
  if (bucket.end !== undefined) record.end = bucket.end;
  return record;
}

type Shape = 'usage' | 'cost';

function shapeOf(columns: readonly string[]): Shape | undefined {
  const h = new Set(columns.map((c) => c.toLowerCase()));
  if (!h.has('start_time') && !h.has('start_time_iso')) return undefined;
  if (h.has('num_model_requests') && h.has('input_tokens')) return 'usage';
  if (h.has('amount_value')) return 'cost';
  return undefined;
}

/** The usage endpoint a usage CSV covers, from its file name (`embeddings_usage_…`); completions by default. */
function endpointOf(file: string): string {
  const m = /^([a-z_]+?)_usage[_.]/i.exec(basename(file));
  const name = m?.[1]?.toLowerCase();
  return name !== undefined && name in USAGE_ENDPOINTS ? name : 'completions';
}

function parseConsoleCsv(input: InputSource): AsyncIterable<ParseItem[]> {
  const file = input.name;
  const endpoint = endpointOf(file);
  let shape: Shape | undefined;
  let reader: FileReader | undefined;
  const firstOrg: { id?: string } = {};
  return parseCsvRows(input, {
    header(cols, column) {
      shape = shapeOf(cols);
      if (shape === undefined) {
        throw new RowError(
          'not an OpenAI usage or cost download: expected start_time with num_model_requests and input_tokens ' +
            '(Activity export) or amount_value (Cost export)',
        );
      }
      reader = new FileReader(cols, column, endpoint);
    },
    row(row, line, out) {
      const r = reader!;
      const source = { file, line, format: ID };
      if (shape === 'usage') {
        if (r.emptyBucket(row)) out.push(ignored(file, line, EMPTY_DAY));
        else out.push(rec(usageRecord(row, endpoint, source, r)));
        return;
      }
      if (row.get('amount_value') === undefined) {
        if (r.emptyBucket(row)) {
          out.push(ignored(file, line, EMPTY_DAY));
          return;
        }
        throw new RowError('amount_value is empty on a row that names a cost (line_item, project, …)');
      }
      out.push(rec(costRecord(row, source, firstOrg, r)));
    },
  });
}

/** OpenAI dashboard CSV downloads: usage (Activity) and cost (Cost) exports, one record per row. */
export const openaiConsoleCsvParser: Parser = {
  id: ID,
  title: 'OpenAI dashboard CSV downloads (completions usage and cost exports)',
  detection:
    'CSV header with start_time (or start_time_iso) and either num_model_requests + input_tokens (usage) or amount_value (cost)',
  origin:
    'platform.openai.com/usage → Activity or Cost → Export (completions_usage_<from>_<to>.csv, cost_<from>_<to>.csv)',
  detect(head) {
    return shapeOf(csvHeader(head)) === undefined ? 0 : 0.95;
  },
  parse: parseConsoleCsv,
};
