import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import { csvHeader } from './csv-rows.ts';
import {
  isJsonHead,
  moneyCell,
  msBetween,
  objectCell,
  parseRows,
  rowInstant,
  tagText,
  truthy,
} from './litellm-spend.ts';
import { genaiProviderId, providerFromModel } from './otel-genai.ts';
import type { Parser } from './types.ts';
import { optString, rec, RowError, tokenCount } from './util.ts';

const FORMAT = 'helicone';

/** Helicone's `cache_reference_id` for a request that was not served from its cache. */
const NO_CACHE_REFERENCE = '00000000-0000-0000-0000-000000000000';

/**
 * Disjoint tokens of one Helicone request. Helicone stores its counts already split, the way its cost function
 * prices them ("regular prompt tokens: the fresh, uncached tokens" × input price, plus cache reads and writes at
 * their own prices): `prompt_tokens` is uncached input (its usage processors subtract OpenAI's `cached_tokens`;
 * Anthropic's `input_tokens` is uncached already), `prompt_cache_read_tokens` and `prompt_cache_write_tokens` stand
 * apart, and `completion_tokens` leaves out `reasoning_tokens` (its `total_tokens` is prompt + completion + reasoning).
 * So the buckets are copied, and reasoning is added to the output and shown as its part.
 */
export function heliconeTokens(row: Record<string, unknown>): Tokens {
  const input = tokenCount(row.prompt_tokens, 'prompt_tokens');
  const cacheRead = tokenCount(row.prompt_cache_read_tokens, 'prompt_cache_read_tokens');
  const cacheWrite = tokenCount(row.prompt_cache_write_tokens, 'prompt_cache_write_tokens');
  const completion = tokenCount(row.completion_tokens, 'completion_tokens');
  const reasoning = tokenCount(row.reasoning_tokens, 'reasoning_tokens');
  const tokens: Tokens = { input, cacheRead, cacheWrite, output: completion + reasoning };
  if (reasoning > 0) tokens.reasoning = reasoning;
  return tokens;
}

/**
 * Custom properties: an object, or its JSON text in a CSV cell. Helicone's export CLI escapes the quotes of object
 * cells twice (`{""App"":""bot""}` once the CSV is read), so doubled quotes are undone when the text is not JSON.
 */
export function propertiesCell(v: unknown, field: string): Record<string, unknown> | undefined {
  if (typeof v === 'string' && v.startsWith('{""')) {
    try {
      return objectCell(v, field);
    } catch {
      return objectCell(v.replace(/""/g, '"'), field);
    }
  }
  return objectCell(v, field);
}

/** Columns that are flattened custom properties (`Helicone-Property-Env`, `properties.env`, `property_env`). */
const PROPERTY_COLUMN = /^(?:helicone-property-|properties\.|property_)(.+)$/i;

/** Fields copied into tags as they are (when set). */
const ROW_TAGS = [
  'request_path',
  'target_url',
  'country_code',
  'prompt_id',
  'prompt_version',
  'response_id',
  'request_referrer',
] as const;

function readRequest(row: Record<string, unknown>, line: number, file: string, out: ParseItem[]): void {
  const start = rowInstant(row.request_created_at, 'request_created_at');
  const model =
    optString(row.model) ??
    optString(row.response_model) ??
    optString(row.request_model) ??
    optString(row.model_override);
  if (model === undefined) throw new RowError('no model');
  const providerRaw = optString(row.provider);
  // Helicone's provider names are upper-case (OPENAI, ANTHROPIC, AZURE, BEDROCK, GOOGLE …); older CSV exports have none.
  const provider =
    providerRaw !== undefined ? genaiProviderId(providerRaw) : (providerFromModel(model) ?? 'unknown');

  const cacheRef = optString(row.cache_reference_id);
  const cacheHit = cacheRef !== undefined && cacheRef !== NO_CACHE_REFERENCE;
  // Helicone zeroes tokens and cost of a response served from its cache; read as written.
  const tokens = heliconeTokens(row);

  const tags = stringMap();
  const props =
    propertiesCell(row.properties, 'properties') ??
    propertiesCell(row.request_properties, 'request_properties');
  if (props !== undefined) {
    for (const k of Object.keys(props)) {
      const t = tagText(props[k]);
      if (t !== undefined) tags[k] = t;
    }
  }
  for (const col of Object.keys(row)) {
    const m = PROPERTY_COLUMN.exec(col);
    if (!m) continue;
    const t = tagText(row[col]);
    if (t !== undefined) tags[m[1]!] = t;
  }
  for (const k of ROW_TAGS) {
    const t = optString(row[k]);
    if (t !== undefined) tags[k] = t;
  }
  if (cacheHit) {
    tags.cache_hit = 'true';
    tags.cache_reference_id = cacheRef;
  }
  if (row.cache_enabled !== undefined && row.cache_enabled !== null && row.cache_enabled !== '') {
    tags.cache_enabled = String(truthy(row.cache_enabled));
  }

  const dims: Dims = {};
  const user = optString(row.request_user_id) ?? optString(row.user_id) ?? optString(row.helicone_user);
  if (user !== undefined) dims.user = user;

  const r: UsageRecord = {
    start,
    provider,
    model,
    modelRaw: model,
    requests: 1,
    tokens,
    dims,
    tags,
    source: { file, line, format: FORMAT },
  };
  const requestId = optString(row.request_id);
  const responseId = optString(row.response_id);
  if (requestId !== undefined) {
    r.requestId = requestId;
    // Helicone's own request id (a UUID from its proxy or the Helicone-Request-Id header), not the provider's:
    // stable across Helicone exports, but not the key a gateway log or an OTel span of the same call has.
    r.dedupKey = `helicone:${requestId}`;
  } else if (responseId !== undefined) {
    // The export CLI's CSV has no request_id column; its response_id is as stable.
    r.dedupKey = `helicone:response:${responseId}`;
  }
  const cost =
    moneyCell(row.cost, 'cost') ?? moneyCell(row.costUSD, 'costUSD') ?? moneyCell(row.cost_usd, 'cost_usd');
  if (cost !== undefined) r.reportedCost = { amount: cost, currency: 'USD' };
  const delay = row.delay_ms ?? row.latency;
  if (delay !== undefined && delay !== null && delay !== '') {
    const ms = typeof delay === 'string' ? Number(delay) : delay;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RowError(`delay_ms is not a non-negative number: ${JSON.stringify(delay)}`);
    }
    r.latencyMs = ms;
  } else {
    const endRaw = row.response_created_at;
    const end =
      endRaw === undefined || endRaw === null || endRaw === ''
        ? undefined
        : rowInstant(endRaw, 'response_created_at');
    const ms = msBetween(start, end);
    if (ms !== undefined) r.latencyMs = ms;
  }
  const status = optString(row.response_status) ?? optString(row.status);
  if (status !== undefined) r.status = status;
  const path = optString(row.request_path) ?? optString(row.target_url);
  if (path !== undefined && /\/embeddings\b/.test(path)) r.operation = 'embeddings';
  else if (path !== undefined && /\/(chat\/completions|messages)\b/.test(path)) r.operation = 'chat';
  else if (path !== undefined && /\/responses\b/.test(path)) r.operation = 'responses';
  out.push(rec(r));
}

const JSON_KEY = (k: string) => new RegExp(`"${k}"\\s*:`);

function detectHelicone(head: string): number {
  if (isJsonHead(head)) {
    if (!JSON_KEY('request_created_at').test(head)) return 0;
    const marks = [
      'response_created_at',
      'delay_ms',
      'prompt_cache_read_tokens',
      'request_user_id',
      'helicone_user',
    ];
    const n = marks.filter((m) => JSON_KEY(m).test(head)).length;
    return n >= 2 ? 0.95 : n === 1 ? 0.8 : 0;
  }
  const cols = new Set(csvHeader(head));
  if (!cols.has('request_created_at')) return 0;
  if (!cols.has('prompt_tokens') && !cols.has('cost')) return 0;
  return cols.has('response_created_at') || cols.has('delay_ms') || cols.has('latency') ? 0.95 : 0.7;
}

/** Helicone request logs: its dashboard / export-CLI export or `POST /v1/request/query-clickhouse` pages. */
export const heliconeParser: Parser = {
  id: FORMAT,
  title: 'Helicone request export (JSON, JSON Lines or CSV)',
  detection: 'rows with request_created_at and response_created_at / delay_ms / prompt_cache_read_tokens',
  origin:
    "`npx @helicone/export --format jsonl|csv` (or json), the dashboard's Requests → Export, or the pages of " +
    'POST https://api.helicone.ai/v1/request/query-clickhouse saved as they are',
  detect: detectHelicone,
  parse(input) {
    const file = input.name;
    return parseRows(input, {
      label: 'a Helicone request',
      header(cols) {
        if (!cols.includes('request_created_at')) {
          throw new RowError('not a Helicone request CSV: no request_created_at column');
        }
      },
      row: (obj, line, out) => readRequest(obj, line, file, out),
    });
  },
};
