import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import type { CsvRow } from './csv-rows.ts';
import { csvHeader, parseCsvRows } from './csv-rows.ts';
import { ALL_MODELS } from './report-pages.ts';
import type { Parser } from './types.ts';
import { MAX_TOKENS, rec, RowError, toIsoInstant } from './util.ts';

/**
 * The Claude Console's CSV downloads (console.anthropic.com / platform.claude.com → Usage or Cost → Export):
 * the token export `claude_api_tokens_<YYYY_MM>.csv` (daily rows, or hourly ones `YYYY-MM-DD HH:MM` when
 * narrowed to a day) and the cost export `claude_api_cost_<…>.csv` (dollars by model and token type).
 *
 * The console writes names where the Admin API writes ids: `workspace` and `api_key` are the names shown in the
 * console, `model` in the cost export is a display name ("Claude Sonnet 4.5"). Records of these files therefore
 * can never share a de-duplication key with the Admin API reports (anthropic-usage / anthropic-cost), whose
 * keys hold `workspace_id` and `api_key_id`: a user who feeds both for the same days counts that usage twice.
 * Feed one source per period (or narrow with --from/--to).
 */

const ID = 'anthropic-console-csv';

type Shape = 'tokens' | 'cost';

// Tiers the token export's `usage_type` may name; other values (the cost export's `message`) stay a tag only.
const TIERS = new Set(['standard', 'batch', 'priority', 'flex']);

/** A whole count from a cell; empty → 0. Names the column otherwise. */
function count(row: CsvRow, column: string): number {
  const v = row.get(column);
  if (v === undefined) return 0;
  if (!/^\d+(\.0*)?$/.test(v)) {
    throw new RowError(
      v.startsWith('-')
        ? `${column} is negative: ${v}`
        : `${column} is not a whole number: ${JSON.stringify(v)}`,
    );
  }
  const n = Number.parseInt(v, 10);
  if (n > MAX_TOKENS) throw new RowError(`${column} is absurdly large: ${v}`);
  return n;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MINUTE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::00)?$/;

/**
 * The row's time range: a day (`YYYY-MM-DD`) is that UTC day; `YYYY-MM-DD HH:00` is that hour; any other
 * minute is that minute (the console's finest chart granularity).
 */
function timesOf(row: CsvRow): { start: string; end: string } {
  const v = row.get('usage_date_utc');
  if (v === undefined) throw new RowError('no usage_date_utc');
  let widthMs: number;
  if (DAY.test(v)) widthMs = 86_400_000;
  else {
    const m = MINUTE.exec(v);
    if (!m) {
      throw new RowError(
        `usage_date_utc is not a day (YYYY-MM-DD) or an hour (YYYY-MM-DD HH:MM): ${JSON.stringify(v)}`,
      );
    }
    widthMs = m[3] === '00' ? 3_600_000 : 60_000;
  }
  const start = toIsoInstant(v, 'usage_date_utc');
  return { start, end: new Date(Date.parse(start) + widthMs).toISOString() };
}

/**
 * Disjoint buckets: Anthropic's input already excludes cache reads and writes. Files from 2025 on split cache
 * writes into 5-minute and 1-hour columns; older ones have one `usage_input_tokens_cache_write`.
 */
function tokensOf(row: CsvRow): Tokens {
  const w5m = count(row, 'usage_input_tokens_cache_write_5m');
  const w1h = count(row, 'usage_input_tokens_cache_write_1h');
  const split = row.has('usage_input_tokens_cache_write_5m') || row.has('usage_input_tokens_cache_write_1h');
  const total = split ? w5m + w1h : count(row, 'usage_input_tokens_cache_write');
  const tokens: Tokens = {
    input: count(row, 'usage_input_tokens_no_cache'),
    cacheRead: count(row, 'usage_input_tokens_cache_read'),
    cacheWrite: total,
    output: count(row, 'usage_output_tokens'),
  };
  if (split) tokens.cacheWrite1h = w1h;
  return tokens;
}

function tierOf(row: CsvRow): string | undefined {
  const t = row.get('usage_type')?.toLowerCase();
  return t !== undefined && TIERS.has(t) ? t : undefined;
}

function dimsOf(row: CsvRow): Dims {
  const dims: Dims = {};
  // Names, not ids (see the module comment): a workspace is the project, as in anthropic-usage.
  const workspace = row.get('workspace');
  const apiKey = row.get('api_key');
  if (workspace !== undefined) dims.project = workspace;
  if (apiKey !== undefined) dims.apiKey = apiKey;
  return dims;
}

function dedupKey(parts: (string | undefined)[]): string {
  // JSON, not a `:`-joined string: console names may contain colons. Order: date, model, workspace, key, kind, …
  return `${ID}:${JSON.stringify(parts.map((p) => p ?? null))}`;
}

function tokenRecord(row: CsvRow, source: UsageRecord['source']): UsageRecord {
  const { start, end } = timesOf(row);
  const model = row.get('model_version');
  if (model === undefined) throw new RowError('no model_version');
  const tags = stringMap();
  // The export has no request count: 0 with this tag, as in anthropic-usage, never a guess.
  tags.requests_unknown = 'true';
  for (const f of ['usage_type', 'context_window', 'inference_geo', 'speed'] as const) {
    const s = row.get(f);
    if (s !== undefined) tags[f] = s;
  }
  const searches = count(row, 'web_search_count');
  if (searches > 0) tags.web_search_requests = String(searches); // the Admin API parser's tag name
  const r: UsageRecord = {
    start,
    end,
    provider: 'anthropic',
    model,
    modelRaw: model,
    operation: 'chat',
    requests: 0,
    tokens: tokensOf(row),
    dims: dimsOf(row),
    tags,
    dedupKey: dedupKey([
      start,
      end,
      model,
      row.get('workspace'),
      row.get('api_key'),
      'tokens',
      row.get('usage_type'),
      row.get('context_window'),
      row.get('inference_geo'),
      row.get('speed'),
    ]),
    source,
  };
  const tier = tierOf(row);
  if (tier !== undefined) r.serviceTier = tier;
  return r;
}

const MONEY = /^-?\d+(\.\d+)?$/;

function costRecord(row: CsvRow, source: UsageRecord['source']): UsageRecord {
  const { start, end } = timesOf(row);
  const value = row.get('cost_usd');
  if (value === undefined) throw new RowError('cost_usd is empty');
  if (!MONEY.test(value)) throw new RowError(`cost_usd is not a number: ${JSON.stringify(value)}`);
  // Display names ("Claude Haiku 4.5"): kept as the source's own string; the pricer's aliases resolve them.
  const model = row.get('model') ?? ALL_MODELS;
  const tags = stringMap();
  for (const f of [
    'token_type',
    'cost_type',
    'usage_type',
    'context_window',
    'inference_geo',
    'speed',
    'list_price_usd',
    'api_key_id',
  ] as const) {
    const s = row.get(f);
    if (s !== undefined) tags[f] = s;
  }
  const r: UsageRecord = {
    start,
    end,
    provider: 'anthropic',
    model,
    modelRaw: model,
    // A cost line: no requests, no tokens (the token export carries those); dollars, unlike the API's cents.
    requests: 0,
    tokens: zeroTokens(),
    reportedCost: { amount: Number(value), currency: 'USD' },
    dims: dimsOf(row),
    tags,
    dedupKey: dedupKey([
      start,
      end,
      model,
      row.get('workspace'),
      row.get('api_key'),
      'cost',
      row.get('usage_type'),
      row.get('context_window'),
      row.get('token_type'),
      row.get('cost_type'),
      row.get('inference_geo'),
      row.get('speed'),
      row.get('api_key_id'),
    ]),
    source,
  };
  const tier = tierOf(row);
  if (tier !== undefined) r.serviceTier = tier;
  return r;
}

function shapeOf(columns: readonly string[]): Shape | undefined {
  const h = new Set(columns.map((c) => c.toLowerCase()));
  if (!h.has('usage_date_utc')) return undefined;
  if (h.has('model_version') && (h.has('usage_input_tokens_no_cache') || h.has('usage_output_tokens'))) {
    return 'tokens';
  }
  if (h.has('token_type') && h.has('cost_usd')) return 'cost';
  return undefined;
}

function parseAnthropicConsoleCsv(input: InputSource): AsyncIterable<ParseItem[]> {
  const file = input.name;
  let shape: Shape | undefined;
  return parseCsvRows(input, {
    header(cols) {
      shape = shapeOf(cols);
      if (shape === undefined) {
        throw new RowError(
          'not a Claude Console download: expected usage_date_utc with model_version and usage_*_tokens ' +
            'columns (token export) or token_type and cost_usd (cost export)',
        );
      }
    },
    row(row, line, out) {
      const source = { file, line, format: ID };
      out.push(rec(shape === 'tokens' ? tokenRecord(row, source) : costRecord(row, source)));
    },
  });
}

/** Claude Console CSV downloads: token usage (daily or hourly) and cost (dollars) exports. */
export const anthropicConsoleCsvParser: Parser = {
  id: ID,
  title: 'Claude Console CSV downloads (token usage by day or hour, cost in dollars)',
  detection:
    'CSV header with usage_date_utc and either model_version + usage_input_tokens_no_cache / usage_output_tokens ' +
    '(tokens) or token_type + cost_usd (cost)',
  origin:
    'console.anthropic.com (platform.claude.com) → Usage → Export (claude_api_tokens_<YYYY_MM>.csv) or ' +
    'Cost → Export (claude_api_cost_<…>.csv)',
  detect(head) {
    return shapeOf(csvHeader(head)) === undefined ? 0 : 0.95;
  },
  parse: parseAnthropicConsoleCsv,
};
