import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { isBlank, parseJsonLines } from './json-lines.ts';
import type { Parser } from './types.ts';
import {
  daysInMonth,
  digitsAt,
  isObject,
  optString,
  rec,
  requestKey,
  RowError,
  tokenCount,
  toIsoInstant,
} from './util.ts';

const FORMAT = 'request-log';

/** finops' own JSONL request log (docs/request-log.md): one request per line, counts or text. */
export const requestLogParser: Parser = {
  id: FORMAT,
  title: 'finops request log (JSONL, one request per line)',
  detection:
    'first lines are JSON objects with `timestamp` (or `ts`) and `model`, and no Claude Code / API-page marker',
  origin: 'written by your gateway, proxy or SDK wrapper in the format of docs/request-log.md',
  detect: detectRequestLog,
  parse: parseRequestLog,
};

/**
 * Disjoint tokens from a provider's own usage object, chosen by its shape (OpenAI Chat Completions, OpenAI
 * Responses, Anthropic Messages); `field` names the object in error messages. Throws RowError.
 */
export function usageTokens(u: unknown, field: string): Tokens {
  if (!isObject(u)) throw new RowError(`${field} is not an object`);
  if (u.prompt_tokens !== undefined || u.completion_tokens !== undefined) {
    return openAiTokens(
      u,
      field,
      'prompt_tokens',
      'completion_tokens',
      'prompt_tokens_details',
      'completion_tokens_details',
    );
  }
  if (u.input_tokens !== undefined || u.output_tokens !== undefined) {
    const anthropic =
      u.cache_read_input_tokens !== undefined ||
      u.cache_creation_input_tokens !== undefined ||
      u.cache_creation !== undefined;
    const responses = u.input_tokens_details !== undefined && u.input_tokens_details !== null;
    if (anthropic && responses) {
      throw new RowError(
        `${field} mixes OpenAI Responses (input_tokens_details) and Anthropic (cache_*_input_tokens) fields`,
      );
    }
    if (anthropic) return anthropicUsageTokens(u, field);
    // Responses, or a bare {input_tokens, output_tokens}: with no cached part both conventions agree.
    return openAiTokens(
      u,
      field,
      'input_tokens',
      'output_tokens',
      'input_tokens_details',
      'output_tokens_details',
    );
  }
  throw new RowError(`${field} has none of prompt_tokens, completion_tokens, input_tokens, output_tokens`);
}

/**
 * Disjoint tokens from an Anthropic Messages usage object (also Claude Code's `message.usage`): input is
 * already uncached; the cache-write total falls back to 5m + 1h when only `cache_creation` is given.
 * Throws RowError naming `field`.
 */
export function anthropicUsageTokens(u: unknown, field: string): Tokens {
  if (!isObject(u)) throw new RowError(`${field} is not an object`);
  const input = tokenCount(u.input_tokens, `${field}.input_tokens`);
  const cacheRead = tokenCount(u.cache_read_input_tokens, `${field}.cache_read_input_tokens`);
  const output = tokenCount(u.output_tokens, `${field}.output_tokens`);
  const cc = u.cache_creation;
  let w5 = 0;
  let w1h = 0;
  if (cc !== undefined && cc !== null) {
    if (!isObject(cc)) throw new RowError(`${field}.cache_creation is not an object`);
    w5 = tokenCount(cc.ephemeral_5m_input_tokens, `${field}.cache_creation.ephemeral_5m_input_tokens`);
    w1h = tokenCount(cc.ephemeral_1h_input_tokens, `${field}.cache_creation.ephemeral_1h_input_tokens`);
  }
  const total = u.cache_creation_input_tokens;
  const cacheWrite =
    total === undefined || total === null
      ? w5 + w1h
      : tokenCount(total, `${field}.cache_creation_input_tokens`);
  if (w1h > cacheWrite) {
    throw new RowError(
      `${field}.cache_creation.ephemeral_1h_input_tokens (${w1h}) exceeds ${field}.cache_creation_input_tokens (${cacheWrite})`,
    );
  }
  const tokens: Tokens = { input, cacheRead, cacheWrite, output };
  if (w1h > 0) tokens.cacheWrite1h = w1h;
  return tokens;
}

/**
 * `toIsoInstant` with a fast path: a string already in canonical form (`YYYY-MM-DDTHH:MM:SS.sssZ`, what
 * `Date#toISOString` writes) is range-checked and returned as is. Same results, same errors.
 */
export function isoInstant(value: unknown): string {
  // Timestamps were a fifth of request-log parse time (regexes + Date round trip); most logs write this form.
  if (typeof value === 'string' && value.length === 24 && isCanonicalIso(value)) return value;
  return toIsoInstant(value);
}

function isCanonicalIso(s: string): boolean {
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  ) {
    return false;
  }
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  if (year < 2000 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  // Out-of-range fields (Feb 30, 24:00) are left to toIsoInstant, which normalises them as Date does. digitsAt is
  // -1 for a non-digit, so each field is checked from below too.
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  return (
    day <= daysInMonth(year, month) &&
    h >= 0 &&
    h <= 23 &&
    mi >= 0 &&
    mi <= 59 &&
    sec >= 0 &&
    sec <= 59 &&
    digitsAt(s, 20, 3) >= 0
  );
}

// OpenAI counts cached tokens inside the prompt count: subtract them here so `input` is uncached only.
function openAiTokens(
  u: Record<string, unknown>,
  field: string,
  inKey: string,
  outKey: string,
  inDetailsKey: string,
  outDetailsKey: string,
): Tokens {
  const prompt = tokenCount(u[inKey], `${field}.${inKey}`);
  const output = tokenCount(u[outKey], `${field}.${outKey}`);
  const cached = detail(u[inDetailsKey], `${field}.${inDetailsKey}`, 'cached_tokens');
  const reasoning = detail(u[outDetailsKey], `${field}.${outDetailsKey}`, 'reasoning_tokens');
  if (cached > prompt) {
    throw new RowError(
      `${field}.${inDetailsKey}.cached_tokens (${cached}) exceeds ${field}.${inKey} (${prompt})`,
    );
  }
  if (reasoning > output) {
    throw new RowError(
      `${field}.${outDetailsKey}.reasoning_tokens (${reasoning}) exceeds ${field}.${outKey} (${output})`,
    );
  }
  const tokens: Tokens = { input: prompt - cached, cacheRead: cached, cacheWrite: 0, output };
  if (reasoning > 0) tokens.reasoning = reasoning;
  return tokens;
}

function detail(details: unknown, field: string, key: string): number {
  // OpenAI-compatible servers often send `"prompt_tokens_details": null`: same as absent.
  if (details === undefined || details === null) return 0;
  if (!isObject(details)) throw new RowError(`${field} is not an object`);
  return tokenCount(details[key], `${field}.${key}`);
}

/** Confidence that `head` is a request log: its first JSON lines carry `timestamp|ts` and `model`. */
function detectRequestLog(head: string): number {
  let pos = 0;
  let seen = 0;
  let ok = 0;
  while (pos < head.length && seen < 10) {
    let nl = head.indexOf('\n', pos);
    const complete = nl !== -1;
    if (!complete) nl = head.length;
    const line = head.slice(pos, nl);
    pos = nl + 1;
    if (isBlank(line)) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      if (!complete) break; // the head cut this line short: judge by the lines before it
      seen++;
      continue;
    }
    seen++;
    if (!isObject(obj)) continue;
    if (hasForeignMarker(obj)) return 0;
    if ((obj.timestamp !== undefined || obj.ts !== undefined) && typeof obj.model === 'string') ok++;
  }
  if (seen === 0) {
    // One line longer than the head: fall back to key names in the fragment.
    const frag = head.trimStart();
    return frag.startsWith('{') &&
      frag.includes('"model"') &&
      (frag.includes('"timestamp"') || frag.includes('"ts"')) &&
      !frag.includes('"sessionId"') &&
      !frag.includes('"starting_at"')
      ? 0.6
      : 0;
  }
  if (ok === seen) return 0.95;
  return ok * 2 >= seen ? 0.7 : 0;
}

// Keys that mark other formats which also have a timestamp and a model somewhere.
function hasForeignMarker(obj: Record<string, unknown>): boolean {
  return (
    (obj.sessionId !== undefined && obj.message !== undefined) || // Claude Code session log
    obj.object === 'page' || // OpenAI admin API page
    obj.starting_at !== undefined // Anthropic admin API usage/cost report bucket
  );
}

/** Streams request-log lines: one record per usable line, one problem per unusable one; blank lines skipped. */
function parseRequestLog(input: InputSource): AsyncIterable<ParseItem[]> {
  const file = input.name;
  const hints = input.hints;
  const from = hints?.from;
  const to = hints?.to;
  return parseJsonLines(input, {
    line(obj, n, out) {
      out.push(rec(readRequest(obj, file, n)));
    },
    skip:
      hints && (from !== undefined || to !== undefined)
        ? (text) => {
            const at = outsidePeriod(text, from, to);
            if (at) hints.outOfPeriod++;
            return at;
          }
        : undefined,
  });
}

const TS_PREFIX = '{"timestamp":"';

/**
 * True when a line's timestamp text puts it outside [from, to), so it need not be parsed: only for the shape
 * finops writes (`timestamp` the first key, a canonical ISO instant, no other `"timestamp"` and no `\u` escape
 * anywhere that a parse could prefer), where the text is exactly the record's `start`. Anything else is parsed
 * and judged then. (A malformed line outside the period is therefore not reported.)
 */
export function outsidePeriod(text: string, from: string | undefined, to: string | undefined): boolean {
  if (!text.startsWith(TS_PREFIX)) return false;
  const at = TS_PREFIX.length;
  // A second "timestamp" (nested, or a duplicate key a parse would prefer), or an escaped one, and we cannot tell.
  if (text.charCodeAt(at + 24) !== 34 || text.indexOf('"timestamp"', at) !== -1 || text.includes('\\u'))
    return false;
  const ts = text.slice(at, at + 24);
  if (!isCanonicalIso(ts)) return false;
  return (from !== undefined && ts < from) || (to !== undefined && ts >= to);
}

function readRequest(obj: unknown, file: string, line: number): UsageRecord {
  if (!isObject(obj)) throw new RowError('not a JSON object');
  const start = isoInstant(obj.timestamp ?? obj.ts);
  const provider = requiredString(obj.provider, 'provider');
  const model = requiredString(obj.model, 'model');

  let tokens: Tokens | undefined;
  let usageTier: string | undefined;
  // `tokens` (already disjoint) wins over `usage` when a line has both.
  if (obj.tokens !== undefined && obj.tokens !== null) tokens = ownTokens(obj.tokens);
  else if (obj.usage !== undefined && obj.usage !== null) {
    tokens = usageTokens(obj.usage, 'usage');
    usageTier = optString((obj.usage as Record<string, unknown>).service_tier); // Anthropic puts it in usage
  }
  let text: UsageRecord['text'];
  if (tokens === undefined) {
    const prompt = textField(obj.prompt, 'prompt');
    const completion = textField(obj.completion, 'completion');
    if (prompt === undefined && completion === undefined) {
      throw new RowError('no token counts and no prompt/completion text');
    }
    text = {};
    if (prompt !== undefined) text.prompt = prompt;
    if (completion !== undefined) text.completion = completion;
    tokens = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
  }
  // With counts present the text is not stored: counts win, and text is the bulk of a line's memory.

  const dims: Dims = {};
  if (obj.dims !== undefined && obj.dims !== null) {
    if (!isObject(obj.dims)) throw new RowError('dims is not an object');
    readDims(obj.dims, dims, 'dims.', true);
  }
  readDims(obj, dims, '', false); // top-level keys win over the `dims` object

  const tags = stringMap();
  readTags(obj.metadata, 'metadata', tags);
  readTags(obj.tags, 'tags', tags); // `tags` wins over `metadata` on the same key

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
  const operation = optString(obj.operation);
  if (operation !== undefined) r.operation = operation;
  const tier = optString(obj.service_tier) ?? usageTier;
  if (tier !== undefined) r.serviceTier = tier;
  if (text !== undefined) r.text = text;
  const requestId = optString(obj.request_id);
  if (requestId !== undefined) {
    r.requestId = requestId;
    r.dedupKey = requestKey(provider, requestId);
  }
  const traceId = optString(obj.trace_id);
  if (traceId !== undefined) r.traceId = traceId;
  const taskId = optString(obj.task_id) ?? traceId;
  if (taskId !== undefined) r.taskId = taskId;
  if (obj.latency_ms !== undefined && obj.latency_ms !== null) {
    const ms = obj.latency_ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RowError(`latency_ms is not a non-negative number: ${JSON.stringify(ms)}`);
    }
    r.latencyMs = ms;
  }
  const status = optString(obj.status);
  if (status !== undefined) r.status = status;
  const outcome = optString(obj.outcome);
  if (outcome !== undefined) r.outcome = outcome;
  if (obj.cost !== undefined && obj.cost !== null)
    r.reportedCost = { amount: readCost(obj.cost), currency: 'USD' };
  if (obj.rag !== undefined && obj.rag !== null) r.rag = readRag(obj.rag);
  const info = readPromptInfo(obj, tokens, text === undefined);
  if (info !== undefined) r.promptInfo = info;
  return r;
}

/**
 * `promptInfo`: the `prompt_prefix` fingerprint as logged, and features read from `prompt` text when there is
 * some (with counts or without); the text itself is not kept here.
 */
function readPromptInfo(
  obj: Record<string, unknown>,
  tokens: Tokens,
  counted: boolean,
): UsageRecord['promptInfo'] {
  const info: NonNullable<UsageRecord['promptInfo']> = {};
  const pp = obj.prompt_prefix;
  if (pp !== undefined && pp !== null) {
    if (!isObject(pp)) throw new RowError('prompt_prefix is not an object');
    const hash = optString(pp.hash);
    if (hash === undefined) throw new RowError('prompt_prefix.hash is missing or not a string');
    if (pp.tokens === undefined || pp.tokens === null) throw new RowError('prompt_prefix.tokens is missing');
    const n = tokenCount(pp.tokens, 'prompt_prefix.tokens');
    const prompt = tokens.input + tokens.cacheRead + tokens.cacheWrite;
    // Counted lines can be checked now; a text-only line is counted later, and the simulation caps the prefix then.
    if (counted && n > prompt) {
      throw new RowError(`prompt_prefix.tokens (${n}) exceeds the prompt (${prompt} input + cached tokens)`);
    }
    info.prefix = { hash, tokens: n };
  }
  if (typeof obj.prompt === 'string' && obj.prompt !== '') info.features = promptFeatures(obj.prompt);
  return info.prefix === undefined && info.features === undefined ? undefined : info;
}

// Case-sensitive on purpose: prose starting a line with "Import" or "Class" is not code.
const CODE_RE =
  /```|^[ \t]*(?:def \w|class \w|function\b|import |from \S+ import |#include|SELECT\b.*\bFROM\b|const \w+ = )|[{}][ \t]*$/m;
const STEP_LINE_RE = /^[ \t]*(?:\d{1,2}[.)]|[-*•]|[Ss]tep \d+[:.)]?)[ \t]+\S/gm;
const TOOLS_RE =
  /\b(?:tool_calls?|function_call|tool_choice|tool_use)\b|"type"\s*:\s*"function"|<tool\b|\buse the \w+ tool\b|\bcall the \w+ (?:tool|function)\b/i;

/**
 * Complexity signals from prompt text, for `finops simulate routing`: code (a fence or code-like lines), the
 * number of numbered or bulleted instruction lines, and tool or function-call use. Heuristics, documented in
 * docs/simulate.md; regexes are linear (no nested quantifiers), and only the first 64 KB are read.
 */
export function promptFeatures(text: string): { code: boolean; steps: number; tools: boolean } {
  const t = text.length > 65_536 ? text.slice(0, 65_536) : text;
  let steps = 0;
  STEP_LINE_RE.lastIndex = 0;
  while (STEP_LINE_RE.exec(t) !== null) steps++;
  return { code: CODE_RE.test(t), steps, tools: TOOLS_RE.test(t) };
}

function requiredString(v: unknown, field: string): string {
  if (v === undefined || v === null || v === '') throw new RowError(`no ${field}`);
  if (typeof v !== 'string') throw new RowError(`${field} is not a string: ${JSON.stringify(v)}`);
  return v;
}

function textField(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new RowError(`${field} is not a string`);
  return v;
}

/** Our own disjoint buckets; an unknown key is an error, since a misspelt bucket would drop tokens unseen. */
function ownTokens(t: unknown): Tokens {
  if (!isObject(t)) throw new RowError('tokens is not an object');
  let input = 0;
  let cacheRead = 0;
  let cacheWrite = 0;
  let w1h = 0;
  let output = 0;
  let reasoning = 0;
  for (const k in t) {
    const v = t[k];
    switch (k) {
      case 'input':
        input = tokenCount(v, 'tokens.input');
        break;
      case 'cache_read':
        cacheRead = tokenCount(v, 'tokens.cache_read');
        break;
      case 'cache_write':
        cacheWrite = tokenCount(v, 'tokens.cache_write');
        break;
      case 'cache_write_1h':
        w1h = tokenCount(v, 'tokens.cache_write_1h');
        break;
      case 'output':
        output = tokenCount(v, 'tokens.output');
        break;
      case 'reasoning':
        reasoning = tokenCount(v, 'tokens.reasoning');
        break;
      default:
        throw new RowError(
          `tokens has an unknown key ${JSON.stringify(k)} (expected input, cache_read, cache_write, cache_write_1h, output, reasoning)`,
        );
    }
  }
  if (w1h > cacheWrite)
    throw new RowError(`tokens.cache_write_1h (${w1h}) exceeds tokens.cache_write (${cacheWrite})`);
  if (reasoning > output)
    throw new RowError(`tokens.reasoning (${reasoning}) exceeds tokens.output (${output})`);
  const tokens: Tokens = { input, cacheRead, cacheWrite, output };
  if (w1h > 0) tokens.cacheWrite1h = w1h;
  if (reasoning > 0) tokens.reasoning = reasoning;
  return tokens;
}

/**
 * The attribution dimensions a line names (`app`, `team`, `workflow`, `project`, `api_key`, `user`,
 * `environment`), into `dims`. Each key read by name, not from a list: a parsed line has one shape, so named
 * reads stay monomorphic (a list of keys made every read a generic lookup: 5 % of a request log's time).
 */
function readDims(src: Record<string, unknown>, dims: Dims, prefix: string, acceptCamel: boolean): void {
  dimInto(dims, 'app', src.app, prefix, 'app');
  dimInto(dims, 'team', src.team, prefix, 'team');
  dimInto(dims, 'workflow', src.workflow, prefix, 'workflow');
  dimInto(dims, 'project', src.project, prefix, 'project');
  let apiKey = src.api_key;
  if (acceptCamel && (apiKey === undefined || apiKey === null)) apiKey = src.apiKey;
  dimInto(dims, 'apiKey', apiKey, prefix, 'api_key');
  dimInto(dims, 'user', src.user, prefix, 'user');
  dimInto(dims, 'environment', src.environment, prefix, 'environment');
}

function dimInto(dims: Dims, dim: keyof Dims, v: unknown, prefix: string, key: string): void {
  if (v === undefined || v === null) return;
  const s = optString(v);
  if (s === undefined) {
    if (v === '') return;
    throw new RowError(`${prefix}${key} is not a string`);
  }
  dims[dim] = s;
}

function readTags(v: unknown, field: string, into: Record<string, string>): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) throw new RowError(`${field} is not an object`);
  // Object.keys, not for-in: JSON.parse makes `__proto__` an own key, which stays data in a null-prototype map.
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (x === undefined || x === null) continue;
    into[k] = typeof x === 'string' ? x : typeof x === 'object' ? JSON.stringify(x) : String(x);
  }
}

function readCost(v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new RowError(`cost is not a number: ${JSON.stringify(v)}`);
  if (n < 0) throw new RowError(`cost is negative: ${n}`);
  return n;
}

function readRag(v: unknown): NonNullable<UsageRecord['rag']> {
  if (!isObject(v)) throw new RowError('rag is not an object');
  const chunks = v.chunks;
  if (!Array.isArray(chunks)) throw new RowError('rag.chunks is not an array');
  const out: NonNullable<UsageRecord['rag']>['chunks'] = [];
  for (let i = 0; i < chunks.length; i++) {
    const c: unknown = chunks[i];
    const at = `rag.chunks[${i}]`;
    if (!isObject(c)) throw new RowError(`${at} is not an object`);
    if (c.tokens === undefined || c.tokens === null) throw new RowError(`${at}.tokens is missing`);
    const chunk: { tokens: number; score?: number; used?: boolean } = {
      tokens: tokenCount(c.tokens, `${at}.tokens`),
    };
    if (c.score !== undefined && c.score !== null) {
      if (typeof c.score !== 'number' || !Number.isFinite(c.score)) {
        throw new RowError(`${at}.score is not a finite number: ${JSON.stringify(c.score)}`);
      }
      chunk.score = c.score;
    }
    if (c.used !== undefined && c.used !== null) {
      if (typeof c.used !== 'boolean')
        throw new RowError(`${at}.used is not a boolean: ${JSON.stringify(c.used)}`);
      chunk.used = c.used;
    }
    out.push(chunk);
  }
  return { chunks: out };
}
