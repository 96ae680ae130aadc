import type { Dims, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { BucketTimes } from './report-pages.ts';
import { NOT_GROUPED_BY_MODEL, parseReportPages, reportDedupKey } from './report-pages.ts';
import type { Parser } from './types.ts';
import { optString, RowError, tokenCount } from './util.ts';

const ID = 'openai-usage';

/** What each usage endpoint's result counts. */
interface Endpoint {
  operation: string;
  /** `completions`: cached input inside input_tokens; `input`: input_tokens only; `none`: no tokens. */
  tokens: 'completions' | 'input' | 'none';
  /** A non-token quantity the endpoint is billed by, kept as a tag of the same name. */
  quantity?: string;
  /** Model name for endpoints that have no model at all (they cannot group by one). */
  noModel?: string;
  /** Whether num_model_requests is a count of model requests (tool-call endpoints count calls instead). */
  requests?: boolean;
}

// Result object types of GET /v1/organization/usage/<endpoint>, per the OpenAI API reference.
const ENDPOINTS: Record<string, Endpoint> = {
  'organization.usage.completions.result': { operation: 'chat', tokens: 'completions', requests: true },
  'organization.usage.embeddings.result': { operation: 'embeddings', tokens: 'input', requests: true },
  'organization.usage.moderations.result': { operation: 'moderations', tokens: 'input', requests: true },
  'organization.usage.images.result': {
    operation: 'images',
    tokens: 'none',
    quantity: 'images',
    requests: true,
  },
  'organization.usage.audio_speeches.result': {
    operation: 'audio_speech',
    tokens: 'none',
    quantity: 'characters',
    requests: true,
  },
  'organization.usage.audio_transcriptions.result': {
    operation: 'audio_transcription',
    tokens: 'none',
    quantity: 'seconds',
    requests: true,
  },
  'organization.usage.vector_stores.result': {
    operation: 'vector_store',
    tokens: 'none',
    quantity: 'usage_bytes',
    noModel: '(vector storage)',
  },
  'organization.usage.code_interpreter_sessions.result': {
    operation: 'code_interpreter',
    tokens: 'none',
    quantity: 'num_sessions',
    noModel: '(code interpreter)',
  },
  // Tool calls, billed per call: the calls are a quantity, not model requests.
  'organization.usage.file_searches.result': {
    operation: 'file_search',
    tokens: 'none',
    quantity: 'num_requests',
    noModel: '(file search)',
  },
  'organization.usage.web_searches.result': {
    operation: 'web_search',
    tokens: 'none',
    quantity: 'num_requests',
    noModel: '(web search)',
  },
};

// Every group_by value a usage result can carry: together with the bucket they identify the result.
const GROUP_FIELDS = [
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

// Parts of the token totals by modality: kept as tags for insight, never added to the buckets.
const MODALITY_FIELDS = [
  'input_audio_tokens',
  'input_cached_audio_tokens',
  'output_audio_tokens',
  'input_image_tokens',
  'input_cached_image_tokens',
  'output_image_tokens',
] as const;

/**
 * Disjoint buckets from a completions result. OpenAI's `input_tokens` includes cached reads and cache writes;
 * newer exports also state the uncached part, which must then add up with the other two to the total.
 */
function completionTokens(r: Record<string, unknown>): Tokens {
  const total = tokenCount(r.input_tokens, 'input_tokens');
  const cached = tokenCount(r.input_cached_tokens, 'input_cached_tokens');
  const written = tokenCount(r.input_cache_write_tokens, 'input_cache_write_tokens');
  if (cached > total) throw new RowError(`input_cached_tokens (${cached}) exceeds input_tokens (${total})`);
  let input: number;
  if (r.input_uncached_tokens !== undefined && r.input_uncached_tokens !== null) {
    input = tokenCount(r.input_uncached_tokens, 'input_uncached_tokens');
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
    output: tokenCount(r.output_tokens, 'output_tokens'),
  };
}

/** OpenAI calls the standard tier `default`; finops calls it `standard`. */
function tierOf(r: Record<string, unknown>): string | undefined {
  // The Batch API is its own price tier, whatever service_tier says.
  if (r.batch === true) return 'batch';
  const t = optString(r.service_tier)?.toLowerCase();
  return t === 'default' ? 'standard' : t;
}

function toRecord(
  r: Record<string, unknown>,
  bucket: BucketTimes,
  source: UsageRecord['source'],
): UsageRecord {
  const object = optString(r.object);
  if (object === undefined) throw new RowError('result has no "object" type');
  const ep = ENDPOINTS[object];
  if (!ep)
    throw new RowError(`unsupported result type "${object}" (finops reads the usage endpoints' results)`);
  const tokens =
    ep.tokens === 'completions'
      ? completionTokens(r)
      : ep.tokens === 'input'
        ? { ...zeroTokens(), input: tokenCount(r.input_tokens, 'input_tokens') }
        : zeroTokens();
  const requests = ep.requests ? tokenCount(r.num_model_requests, 'num_model_requests') : 0;
  const modelRaw = optString(r.model) ?? ep.noModel ?? NOT_GROUPED_BY_MODEL;

  const tags = stringMap();
  if (ep.quantity) tags[ep.quantity] = String(tokenCount(r[ep.quantity], ep.quantity));
  for (const f of MODALITY_FIELDS) {
    const n = tokenCount(r[f], f);
    if (n > 0) tags[f] = String(n);
  }
  for (const f of ['api_source', 'source', 'size'] as const) {
    const s = optString(r[f]);
    if (s !== undefined) tags[f] = s;
  }

  const dims: Dims = {};
  const project = optString(r.project_id);
  const apiKey = optString(r.api_key_id);
  const user = optString(r.user_id);
  if (project !== undefined) dims.project = project;
  if (apiKey !== undefined) dims.apiKey = apiKey;
  if (user !== undefined) dims.user = user;

  const record: UsageRecord = {
    start: bucket.start,
    provider: 'openai',
    model: modelRaw,
    modelRaw,
    operation: ep.operation,
    requests,
    tokens,
    dims,
    tags,
    dedupKey: reportDedupKey(ID, bucket, r, GROUP_FIELDS),
    source,
  };
  if (bucket.end !== undefined) record.end = bucket.end;
  const tier = tierOf(r);
  if (tier !== undefined) record.serviceTier = tier;
  return record;
}

const MARKER = /"object"\s*:\s*"organization\.usage\.[a-z_]+\.result"/;

/** OpenAI Usage API pages (`GET /v1/organization/usage/{completions,embeddings,…}`): one record per result. */
export const openaiUsageParser: Parser = {
  id: ID,
  title: 'OpenAI Usage API pages (completions, embeddings, moderations, images, audio, vector stores, …)',
  detection: 'a result with "object": "organization.usage.<endpoint>.result"',
  origin:
    'GET https://api.openai.com/v1/organization/usage/completions (and …/embeddings etc.) with an admin key; ' +
    'save each page as it is (one file, JSON Lines, or an array of pages)',
  detect(head) {
    return MARKER.test(head) ? 0.95 : 0;
  },
  parse(input) {
    return parseReportPages(input, {
      format: ID,
      label: 'an OpenAI usage page',
      startKey: 'start_time',
      endKey: 'end_time',
      toRecord,
    });
  },
};
