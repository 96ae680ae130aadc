import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import type { JsonValueItem } from '../io/json-values.ts';
import { elementLines, jsonValues } from '../io/json-values.ts';
import { mapLiteLLMProvider } from '../pricing/litellm.ts';
import { csvHeader, parseCsvRows } from './csv-rows.ts';
import { providerFromModel } from './otel-genai.ts';
import type { Parser } from './types.ts';
import {
  ignored,
  isObject,
  optString,
  problem,
  rec,
  requestKey,
  RowError,
  rowFailure,
  tokenCount,
  toIsoInstant,
} from './util.ts';

const FORMAT = 'litellm-spend';

// ---------------------------------------------------------------------------------------------------------------
// Row tables in CSV or JSON (shared with the Langfuse and Helicone parsers)

/** How one table of rows (one object per request) is read, whatever its file form. */
export interface RowSpec {
  /** What a row is, for messages: "a LiteLLM spend log row". */
  label: string;
  /** Checks a CSV header; throw RowError to refuse the file (reported at line 1). */
  header?(columns: readonly string[]): void;
  /**
   * One row at 1-based `line`: JSON values as parsed, CSV cells as trimmed strings (empty cells absent). Push items
   * into `out`; a thrown RowError becomes a problem at that line.
   */
  row(obj: Record<string, unknown>, line: number, out: ParseItem[]): void;
}

/** True when the head is JSON (a document, an array, or JSON Lines) rather than CSV. */
export function isJsonHead(head: string): boolean {
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c <= 32) continue;
    return c === 0x7b || c === 0x5b; // { or [
  }
  return false;
}

/**
 * Streams a table export in any of its usual forms: CSV with a header; a JSON array of rows; JSON Lines of rows; or
 * API pages `{ "data": [row, …], … }` (one, several, or one per line). Each row is handed to `spec.row` with the line
 * it starts on. JSON is chosen when the first non-blank character is `{` or `[`.
 */
export async function* parseRows(input: InputSource, spec: RowSpec): AsyncIterable<ParseItem[]> {
  const file = input.name;
  if (!isJsonHead(input.head)) {
    let columns: readonly string[] = [];
    yield* parseCsvRows(input, {
      header(cols) {
        columns = cols;
        spec.header?.(cols);
      },
      row(r, line, out) {
        // A plain object per row, so one reader serves CSV and JSON; cells stay strings.
        const obj = Object.create(null) as Record<string, unknown>;
        for (const c of columns) {
          const v = r.get(c);
          if (v !== undefined && !(c in obj)) obj[c] = v;
        }
        spec.row(obj, line, out);
      },
    });
    return;
  }
  for await (const batch of jsonValues(input.chunks())) {
    const out: ParseItem[] = [];
    for (const item of batch) readJsonValue(item, spec, file, out);
    if (out.length > 0) yield out;
  }
}

function readJsonValue(item: JsonValueItem, spec: RowSpec, file: string, out: ParseItem[]): void {
  if (item.error !== undefined) {
    out.push(problem(file, item.line, item.error));
    return;
  }
  const v = item.value;
  if (!isObject(v)) {
    out.push(problem(file, item.line, `not ${spec.label}: expected a JSON object`));
    return;
  }
  if (Array.isArray(v.data)) {
    // An API page: rows at their own lines when the page is pretty-printed and the scan agrees with the parse.
    const rows = v.data;
    let lines: number[] | undefined;
    if (item.text.includes('\n')) {
      lines = elementLines(item.text, item.line, ['data', '*']);
      if (lines.length !== rows.length) lines = undefined;
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const line = lines?.[i] ?? item.line;
      if (!isObject(row)) {
        out.push(problem(file, line, `not ${spec.label}: expected a JSON object`));
        continue;
      }
      callRow(spec, row, line, file, out);
    }
    return;
  }
  if (v.error !== undefined && v.error !== null && Object.keys(v).length <= 3) {
    const e = v.error;
    const msg = isObject(e) && typeof e.message === 'string' ? e.message : JSON.stringify(e);
    out.push(problem(file, item.line, `the API returned an error, not rows: ${msg}`));
    return;
  }
  callRow(spec, v, item.line, file, out);
}

function callRow(
  spec: RowSpec,
  row: Record<string, unknown>,
  line: number,
  file: string,
  out: ParseItem[],
): void {
  try {
    spec.row(row, line, out);
  } catch (e) {
    out.push(problem(file, line, rowFailure(e)));
  }
}

/** A value that may be JSON text (a CSV cell, a column a database stored as a string): parsed; objects as they are. */
export function jsonCell(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (s === '' || (s[0] !== '{' && s[0] !== '[')) return v;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw new RowError(`${field} is not valid JSON`);
  }
}

/** An object field that may be JSON text; undefined when absent or empty, RowError when not an object. */
export function objectCell(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const o = jsonCell(v, field);
  if (!isObject(o)) throw new RowError(`${field} is not an object`);
  return o;
}

/**
 * A timestamp as an ISO instant (see toIsoInstant), also accepting PostgreSQL's short offsets (`+00`, `-05`) that
 * `COPY … TO CSV` writes for `timestamptz` and JavaScript's Date does not read.
 */
export function rowInstant(v: unknown, field: string): string {
  if (typeof v === 'string' && /[+-]\d{2}$/.test(v) && /\d:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}$/.test(v)) {
    return toIsoInstant(`${v}:00`, field);
  }
  return toIsoInstant(v, field);
}

/** A non-negative amount of money (number or numeric string); undefined when absent. Throws RowError. */
export function moneyCell(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new RowError(`${field} is not a number: ${JSON.stringify(v)}`);
  if (n < 0) throw new RowError(`${field} is negative: ${n}`);
  return n;
}

/** A boolean written as JSON `true`, or as `true`/`True`/`1` text; false otherwise. */
export function truthy(v: unknown): boolean {
  if (v === true) return true;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    return s === 'true' || s === '1';
  }
  return v === 1;
}

/** Milliseconds between two ISO instants, when both are known and in order. */
export function msBetween(start: string, end: string | undefined): number | undefined {
  if (end === undefined) return undefined;
  const d = Date.parse(end) - Date.parse(start);
  return Number.isFinite(d) && d >= 0 ? d : undefined;
}

/** A tag value: strings as they are, other scalars printed, arrays and objects as JSON; undefined for null. */
export function tagText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// ---------------------------------------------------------------------------------------------------------------
// LiteLLM spend logs

/** Column names of the LiteLLM_SpendLogs table that mark it (any case-exact header). */
const MARKERS = ['request_id', 'call_type', 'spend'] as const;

function detectLiteLLM(head: string): number {
  if (isJsonHead(head)) {
    const has = (k: string) => new RegExp(`"${k}"\\s*:`).test(head);
    if (!has('request_id') || !has('spend')) return 0;
    if (has('call_type') && (has('startTime') || has('prompt_tokens'))) return 0.95;
    return has('api_key') && has('startTime') ? 0.7 : 0;
  }
  const cols = new Set(csvHeader(head));
  if (!MARKERS.every((m) => cols.has(m))) {
    return cols.has('request_id') && cols.has('spend') && cols.has('startTime') ? 0.8 : 0;
  }
  return cols.has('startTime') || cols.has('prompt_tokens') ? 0.95 : 0.8;
}

/** LiteLLM call types → finops operations (async `a…` variants included); others kept as LiteLLM names them. */
const OPERATIONS: Readonly<Record<string, string>> = {
  completion: 'chat',
  acompletion: 'chat',
  anthropic_messages: 'chat',
  text_completion: 'completion',
  atext_completion: 'completion',
  embedding: 'embeddings',
  aembedding: 'embeddings',
  responses: 'responses',
  aresponses: 'responses',
  image_generation: 'image_generation',
  aimage_generation: 'image_generation',
  transcription: 'transcription',
  atranscription: 'transcription',
  speech: 'speech',
  aspeech: 'speech',
  rerank: 'rerank',
  arerank: 'rerank',
};

/**
 * Disjoint tokens of one spend-log row. `prompt_tokens` follows LiteLLM's OpenAI-shaped usage: cached tokens are
 * inside it, for every provider (LiteLLM adds Anthropic's cache reads, and in current versions its cache writes, to
 * the prompt count). The cache counts come from the usage LiteLLM keeps in `metadata` (`usage_object`, else
 * `additional_usage_values`): `prompt_tokens_details.cached_tokens` / `cache_read_input_tokens` and
 * `cache_creation_input_tokens`. They are subtracted; when the writes do not fit (older LiteLLM added only the reads)
 * only the reads are, and when neither fits the prompt count is taken as uncached.
 */
export function spendTokens(row: Record<string, unknown>, meta: Record<string, unknown> | undefined): Tokens {
  const prompt = tokenCount(row.prompt_tokens, 'prompt_tokens');
  const completion = tokenCount(row.completion_tokens, 'completion_tokens');
  const u = usageOf(meta);
  let cacheRead = 0;
  let cacheWrite = 0;
  let w1h = 0;
  let reasoning = 0;
  if (u !== undefined) {
    const [field, usage] = u;
    const pd = detailsOf(usage.prompt_tokens_details, `${field}.prompt_tokens_details`);
    const cd = detailsOf(usage.completion_tokens_details, `${field}.completion_tokens_details`);
    cacheRead =
      pd?.cached_tokens !== undefined && pd.cached_tokens !== null
        ? tokenCount(pd.cached_tokens, `${field}.prompt_tokens_details.cached_tokens`)
        : tokenCount(usage.cache_read_input_tokens, `${field}.cache_read_input_tokens`);
    cacheWrite =
      usage.cache_creation_input_tokens !== undefined && usage.cache_creation_input_tokens !== null
        ? tokenCount(usage.cache_creation_input_tokens, `${field}.cache_creation_input_tokens`)
        : tokenCount(pd?.cache_creation_tokens, `${field}.prompt_tokens_details.cache_creation_tokens`);
    const ccd = detailsOf(
      pd?.cache_creation_token_details,
      `${field}.prompt_tokens_details.cache_creation_token_details`,
    );
    w1h = tokenCount(
      ccd?.ephemeral_1h_input_tokens,
      `${field}.…cache_creation_token_details.ephemeral_1h_input_tokens`,
    );
    reasoning = tokenCount(cd?.reasoning_tokens, `${field}.completion_tokens_details.reasoning_tokens`);
  }
  if (reasoning > completion) {
    throw new RowError(
      `completion_tokens_details.reasoning_tokens (${reasoning}) exceeds completion_tokens (${completion})`,
    );
  }
  if (w1h > cacheWrite) {
    throw new RowError(
      `ephemeral_1h_input_tokens (${w1h}) exceeds cache_creation_input_tokens (${cacheWrite})`,
    );
  }
  let input: number;
  if (cacheRead + cacheWrite <= prompt) input = prompt - cacheRead - cacheWrite;
  else if (cacheRead <= prompt) input = prompt - cacheRead;
  else input = prompt;
  const tokens: Tokens = { input, cacheRead, cacheWrite, output: completion };
  if (w1h > 0) tokens.cacheWrite1h = w1h;
  if (reasoning > 0) tokens.reasoning = reasoning;
  return tokens;
}

function usageOf(meta: Record<string, unknown> | undefined): [string, Record<string, unknown>] | undefined {
  if (meta === undefined) return undefined;
  for (const key of ['usage_object', 'additional_usage_values'] as const) {
    const v = meta[key];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw new RowError(`metadata.${key} is not an object`);
    return [`metadata.${key}`, v];
  }
  return undefined;
}

function detailsOf(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new RowError(`${field} is not an object`);
  return v;
}

/** Tags taken from the row as they are (when set). */
const ROW_TAGS = [
  'call_type',
  'model_group',
  'model_id',
  'api_base',
  'session_id',
  'status',
  'end_user',
  'team_id',
  'organization_id',
  'mcp_namespaced_tool_name',
  'agent_id',
] as const;

function readSpendRow(row: Record<string, unknown>, line: number, file: string, out: ParseItem[]): void {
  const requestId = optString(row.request_id);
  if (requestId === undefined) throw new RowError('no request_id');
  const start = rowInstant(row.startTime, 'startTime');
  const meta = objectCell(row.metadata, 'metadata');
  const modelRaw = optString(row.model) ?? optString(row.model_group);
  if (modelRaw === undefined) {
    // MCP tool calls and other non-model routes are logged too, with no model and no tokens.
    if (optString(row.mcp_namespaced_tool_name) !== undefined || row.call_type === 'call_mcp_tool') {
      out.push(ignored(file, line, 'not model usage: MCP tool call'));
      return;
    }
    throw new RowError('no model (and no model_group)');
  }

  const llmProvider = optString(row.custom_llm_provider);
  const slash = modelRaw.indexOf('/');
  const provider =
    llmProvider !== undefined
      ? mapLiteLLMProvider(llmProvider.toLowerCase())
      : slash > 0
        ? mapLiteLLMProvider(modelRaw.slice(0, slash).toLowerCase())
        : (providerFromModel(modelRaw) ?? 'unknown');

  const cacheHit = truthy(row.cache_hit);
  // A response served from LiteLLM's own cache never reached the provider: no provider tokens to price.
  const tokens: Tokens = cacheHit
    ? { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }
    : spendTokens(row, meta);

  const dims: Dims = {};
  const teamAlias = optString(meta?.user_api_key_team_alias);
  const teamId = optString(row.team_id) ?? optString(meta?.user_api_key_team_id);
  // A readable alias when LiteLLM logged one (as its UI shows), else the id; both stay in tags.
  const team = teamAlias ?? teamId;
  if (team !== undefined) dims.team = team;
  const keyAlias = optString(meta?.user_api_key_alias);
  const apiKey = keyAlias ?? optString(row.api_key);
  if (apiKey !== undefined) dims.apiKey = apiKey;
  const user = optString(row.user) ?? optString(row.end_user) ?? optString(meta?.user_api_key_user_id);
  if (user !== undefined) dims.user = user;

  const tags = stringMap();
  const custom = meta?.spend_logs_metadata;
  if (isObject(custom)) {
    for (const k of Object.keys(custom)) {
      const t = tagText(custom[k]);
      if (t !== undefined) tags[k] = t;
    }
  }
  for (const k of ROW_TAGS) {
    const t = optString(row[k]);
    if (t !== undefined) tags[k] = t;
  }
  if (teamId !== undefined) tags.team_id = teamId;
  if (teamAlias !== undefined) tags.team_alias = teamAlias;
  if (keyAlias !== undefined) tags.key_alias = keyAlias;
  const hashed = optString(row.api_key);
  if (hashed !== undefined) tags.api_key = hashed;
  const requestTags = readTagList(row.request_tags);
  if (requestTags !== undefined) tags.request_tags = requestTags;
  if (cacheHit) tags.cache_hit = 'true';

  const r: UsageRecord = {
    start,
    provider,
    model: modelRaw,
    modelRaw,
    requests: 1,
    tokens,
    dims,
    tags,
    requestId,
    // LiteLLM files a request under the provider's response id (chatcmpl-…, msg_…) when the response has one, so the
    // same call in an OTel span or another gateway log gets the same key; otherwise its own call id (unique anyway).
    dedupKey: requestKey(provider, requestId),
    source: { file, line, format: FORMAT },
  };
  const callType = optString(row.call_type);
  if (callType !== undefined) r.operation = OPERATIONS[callType] ?? callType;
  const spend = moneyCell(row.spend, 'spend');
  if (spend !== undefined) r.reportedCost = { amount: spend, currency: 'USD' };
  const sessionId = optString(row.session_id);
  if (sessionId !== undefined) r.taskId = sessionId;
  const status = optString(row.status) ?? optString(meta?.status);
  if (status !== undefined) r.status = status;
  const duration = row.request_duration_ms;
  if (duration !== undefined && duration !== null && duration !== '') {
    r.latencyMs = tokenCount(duration, 'request_duration_ms');
  } else {
    const end =
      row.endTime === undefined || row.endTime === null || row.endTime === ''
        ? undefined
        : rowInstant(row.endTime, 'endTime');
    const ms = msBetween(start, end);
    if (ms !== undefined) r.latencyMs = ms;
  }
  out.push(rec(r));
}

/** `request_tags` (a JSON array, or its text in a CSV cell) as one comma-separated string; undefined when empty. */
function readTagList(v: unknown): string | undefined {
  const list = jsonCell(v, 'request_tags');
  if (list === undefined || list === null || list === '') return undefined;
  if (typeof list === 'string') return list;
  if (!Array.isArray(list)) throw new RowError('request_tags is not a list');
  const parts = list.map((t) => tagText(t)).filter((t): t is string => t !== undefined && t !== '');
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** LiteLLM proxy spend logs (`LiteLLM_SpendLogs`): one record per logged request, as CSV or JSON. */
export const litellmSpendParser: Parser = {
  id: FORMAT,
  title: 'LiteLLM proxy spend logs (LiteLLM_SpendLogs rows, CSV or JSON)',
  detection: 'CSV header or JSON keys with request_id, call_type and spend (the LiteLLM_SpendLogs columns)',
  origin:
    'GET /spend/logs (or /spend/logs/v2) on the LiteLLM proxy saved as JSON, or the LiteLLM_SpendLogs table ' +
    'exported from its PostgreSQL database as CSV',
  detect: detectLiteLLM,
  parse(input) {
    const file = input.name;
    return parseRows(input, {
      label: 'a LiteLLM spend log row',
      header(cols) {
        if (!cols.includes('request_id'))
          throw new RowError('not a LiteLLM spend log CSV: no request_id column');
      },
      row: (obj, line, out) => readSpendRow(obj, line, file, out),
    });
  },
};
