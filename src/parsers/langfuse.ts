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
} from './litellm-spend.ts';
import { genaiProviderId, providerFromModel, serviceTierOf } from './otel-genai.ts';
import type { Parser } from './types.ts';
import { ignored, optString, rec, RowError, tokenCount } from './util.ts';

const FORMAT = 'langfuse';

/** Observation types that carry model usage; every other type (SPAN, EVENT, AGENT, TOOL, …) is ignored. */
const USAGE_TYPES = new Set(['GENERATION', 'EMBEDDING']);

/**
 * Disjoint tokens from a Langfuse `usageDetails` map, or undefined when it holds no token key. Langfuse prices an
 * observation by multiplying every usage key by its own price and adding them up (`total` aside), and its ingestion
 * makes OpenAI usage fit that: `prompt_tokens_details.cached_tokens` becomes `input_cached_tokens` and is subtracted
 * from `input`, `completion_tokens_details.reasoning_tokens` becomes `output_reasoning_tokens` and is subtracted from
 * `output`. So the keys are disjoint, and each is put in its bucket by name: cache reads (`…cache_read…`,
 * `…cached…`), cache writes (`…cache_creation…`, `…cache_write…`; `…1h` is the one-hour part), reasoning
 * (`…reasoning…`, `thoughts…`: output, and shown as reasoning), output (`output…`, `completion…`, `candidates…`),
 * input (`input…`, `prompt…`). One exception: Gemini's raw `prompt_token_count` includes `cached_content_token_count`,
 * so the cached part is subtracted from it. Keys of other units (`web_search_queries`, …) are returned in `units`.
 */
export function usageDetailsTokens(
  details: Record<string, unknown>,
  units: Record<string, string>,
): Tokens | undefined {
  let input = 0;
  let cacheRead = 0;
  let writeTotal = 0;
  let write5m = 0;
  let write1h = 0;
  let output = 0;
  let reasoning = 0;
  let geminiPrompt = 0;
  let geminiCached = 0;
  let any = false;
  for (const key of Object.keys(details)) {
    const k = key.toLowerCase();
    // `total` (and Gemini's `totalTokenCount`) is the sum of the others.
    if (k.startsWith('total')) continue;
    const v = details[key];
    if (v === undefined || v === null) continue;
    const n = tokenCount(v, `usageDetails.${key}`);
    if (k === 'prompt_token_count' || k === 'prompttokencount') geminiPrompt += n;
    else if (k === 'cached_content_token_count' || k === 'cachedcontenttokencount') {
      geminiCached += n;
      cacheRead += n;
    } else if (/cache_?read|cached/.test(k)) cacheRead += n;
    else if (/cache_?(creation|write)/.test(k)) {
      if (/1h/.test(k)) write1h += n;
      else if (/5m/.test(k)) write5m += n;
      else writeTotal += n;
    } else if (/reasoning|thought/.test(k)) {
      reasoning += n;
      output += n;
    } else if (/^(output|completion|candidates)/.test(k)) output += n;
    else if (/^(input|prompt)/.test(k)) input += n;
    else {
      units[`usage.${key}`] = String(n);
      continue;
    }
    any = true;
  }
  if (!any) return undefined;
  if (geminiPrompt > 0) input += Math.max(0, geminiPrompt - geminiCached);
  // A total next to its 5m/1h split (both sent by some integrations) is one write, not two.
  const split = write5m + write1h;
  const cacheWrite = split > 0 && writeTotal === split ? writeTotal : writeTotal + split;
  const tokens: Tokens = { input, cacheRead, cacheWrite, output };
  if (write1h > 0) tokens.cacheWrite1h = write1h;
  if (reasoning > 0) tokens.reasoning = reasoning;
  return tokens;
}

/** Legacy usage: `usage {input, output, unit}` or top-level `promptTokens`/`completionTokens` (no cache split). */
function legacyTokens(row: Record<string, unknown>, tags: Record<string, string>): Tokens | undefined {
  const usage = objectCell(row.usage, 'usage');
  if (usage !== undefined) {
    const unit = optString(usage.unit);
    if (unit !== undefined && unit.toUpperCase() !== 'TOKENS') {
      // Characters, seconds, images: not tokens; the row keeps its cost only.
      tags['usage.unit'] = unit;
      return undefined;
    }
    const input = tokenCount(usage.input, 'usage.input');
    const output = tokenCount(usage.output, 'usage.output');
    if (input > 0 || output > 0) return { input, cacheRead: 0, cacheWrite: 0, output };
  }
  const input = tokenCount(row.promptTokens, 'promptTokens');
  const output = tokenCount(row.completionTokens, 'completionTokens');
  if (input > 0 || output > 0) return { input, cacheRead: 0, cacheWrite: 0, output };
  return undefined;
}

/** Langfuse reports a cost per usage key and a total; the total, else the sum of the parts. */
function observationCost(row: Record<string, unknown>): number | undefined {
  const cd = objectCell(row.costDetails, 'costDetails');
  if (cd !== undefined) {
    if (cd.total !== undefined && cd.total !== null) return moneyCell(cd.total, 'costDetails.total');
    let sum = 0;
    let any = false;
    for (const k of Object.keys(cd)) {
      const v = moneyCell(cd[k], `costDetails.${k}`);
      if (v === undefined) continue;
      sum += v;
      any = true;
    }
    if (any) return sum;
  }
  // `calculatedTotalCost` is the same total in older API versions. Never `totalPrice`: that is the model's unit price.
  return moneyCell(row.calculatedTotalCost, 'calculatedTotalCost') ?? moneyCell(row.totalCost, 'totalCost');
}

function readObservation(row: Record<string, unknown>, line: number, file: string, out: ParseItem[]): void {
  const type = optString(row.type)?.toUpperCase();
  if (type !== undefined && !USAGE_TYPES.has(type)) {
    out.push(ignored(file, line, `observation without usage: ${type}`));
    return;
  }
  const id = optString(row.id);
  if (id === undefined) throw new RowError('no id');
  const start = rowInstant(row.startTime, 'startTime');

  const tags = stringMap();
  const meta = objectCell(row.metadata, 'metadata');
  if (meta !== undefined) {
    for (const k of Object.keys(meta)) {
      const t = tagText(meta[k]);
      if (t !== undefined) tags[k] = t;
    }
  }
  const details = objectCell(row.usageDetails, 'usageDetails');
  const units = stringMap();
  let tokens = details !== undefined ? usageDetailsTokens(details, units) : undefined;
  tokens ??= legacyTokens(row, tags);
  const cost = observationCost(row);
  const model = optString(row.model);
  if (model === undefined) {
    if (tokens !== undefined) throw new RowError('no model (usage without a model cannot be priced)');
    out.push(ignored(file, line, `observation without usage: ${type ?? 'GENERATION'}`));
    return;
  }
  if (tokens === undefined && cost === undefined) {
    // A generation with a model but no counts and no cost (a failed call, or usage never sent): nothing to price.
    out.push(ignored(file, line, `observation without usage: ${type ?? 'GENERATION'}`));
    return;
  }

  const providerRaw =
    optString(meta?.provider) ?? optString(meta?.ls_provider) ?? optString(meta?.['gen_ai.system']);
  const provider =
    providerRaw !== undefined ? genaiProviderId(providerRaw) : (providerFromModel(model) ?? 'unknown');

  const dims: Dims = {};
  const env = optString(row.environment);
  // Langfuse writes `default` when the SDK set no environment: that names none.
  if (env !== undefined && env !== 'default') dims.environment = env;
  const user = optString(row.userId) ?? optString(row.user_id);
  if (user !== undefined) dims.user = user;

  for (const k of Object.keys(units)) tags[k] = units[k]!;
  // The observation's own labels win over metadata keys of the same name.
  const own: [string, unknown][] = [
    ['name', row.name],
    ['traceName', row.traceName],
    ['sessionId', row.sessionId],
    ['promptName', row.promptName],
    ['promptVersion', row.promptVersion],
    ['level', row.level],
    ['version', row.version],
    ['parentObservationId', row.parentObservationId],
    ['type', type],
  ];
  for (const [k, v] of own) {
    const t = tagText(v);
    if (t !== undefined && t !== '') tags[k] = t;
  }

  const r: UsageRecord = {
    start,
    provider,
    model,
    modelRaw: model,
    requests: 1,
    tokens: tokens ?? { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 },
    dims,
    tags,
    requestId: id,
    // Langfuse's own observation id (made by its SDK or from an OTel span id), never the provider's response id:
    // it identifies the row across Langfuse exports, but cannot meet a gateway log's key for the same call.
    dedupKey: `langfuse:${id}`,
    source: { file, line, format: FORMAT },
  };
  const end =
    row.endTime === undefined || row.endTime === null || row.endTime === ''
      ? undefined
      : rowInstant(row.endTime, 'endTime');
  const ms = msBetween(start, end);
  if (ms !== undefined) r.latencyMs = ms;
  else if (typeof row.latency === 'number' && Number.isFinite(row.latency) && row.latency >= 0) {
    r.latencyMs = row.latency * 1000; // the API's `latency` is in seconds
  }
  if (type === 'EMBEDDING') r.operation = 'embeddings';
  const params = objectCell(row.modelParameters, 'modelParameters');
  // Langfuse's own price tiers key on model_parameters.service_tier.
  const tier = optString(params?.service_tier);
  if (tier !== undefined) r.serviceTier = serviceTierOf(tier);
  if (cost !== undefined) r.reportedCost = { amount: cost, currency: 'USD' };
  const traceId = optString(row.traceId);
  if (traceId !== undefined) {
    r.traceId = traceId;
    r.taskId = traceId;
  }
  if (optString(row.level) === 'ERROR') r.status = 'error';
  out.push(rec(r));
}

const JSON_KEY = (k: string) => new RegExp(`"${k}"\\s*:`);
const TRACE_ID = JSON_KEY('traceId');
const LANGFUSE_USAGE = /"(usageDetails|costDetails|calculatedTotalCost|promptTokens)"\s*:/;

function detectLangfuse(head: string): number {
  if (isJsonHead(head)) {
    if (!TRACE_ID.test(head)) return 0;
    if (LANGFUSE_USAGE.test(head)) return JSON_KEY('startTime').test(head) ? 0.95 : 0.8;
    return JSON_KEY('startTime').test(head) && /"type"\s*:\s*"(GENERATION|SPAN|EVENT)"/.test(head) ? 0.7 : 0;
  }
  const cols = new Set(csvHeader(head));
  if (!cols.has('traceId') || !cols.has('startTime')) return 0;
  return cols.has('usageDetails') || cols.has('costDetails') || cols.has('calculatedTotalCost') ? 0.95 : 0.6;
}

/** Langfuse observations (generations) exported from the UI or `GET /api/public/observations`. */
export const langfuseParser: Parser = {
  id: FORMAT,
  title: 'Langfuse observations / generations export (JSON, JSON Lines or CSV)',
  detection: 'rows with traceId, startTime and usageDetails / costDetails / calculatedTotalCost',
  origin:
    'Langfuse UI → Observations (or Generations) → Export as CSV / JSON / JSONL, or the pages of ' +
    'GET /api/public/observations?type=GENERATION saved as they are',
  detect: detectLangfuse,
  parse(input) {
    const file = input.name;
    return parseRows(input, {
      label: 'a Langfuse observation',
      header(cols) {
        if (!cols.includes('id') || !cols.includes('startTime')) {
          throw new RowError('not a Langfuse observations CSV: no id or startTime column');
        }
      },
      row: (obj, line, out) => readObservation(obj, line, file, out),
    });
  },
};
