import type { Dims, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import type { BucketTimes } from './report-pages.ts';
import { NOT_GROUPED_BY_MODEL, parseReportPages, reportDedupKey } from './report-pages.ts';
import type { Parser } from './types.ts';
import { isObject, optString, RowError, tokenCount } from './util.ts';

const ID = 'anthropic-usage';

// Every group_by value of a messages usage result: with the bucket they identify it.
const GROUP_FIELDS = [
  'api_key_id',
  'workspace_id',
  'model',
  'service_tier',
  'context_window',
  'inference_geo',
  'speed',
  'account_id',
  'service_account_id',
] as const;

// Group-by values kept as tags (the others become dims or the tier).
const TAG_FIELDS = ['context_window', 'inference_geo', 'speed', 'service_account_id'] as const;

function toRecord(
  r: Record<string, unknown>,
  bucket: BucketTimes,
  source: UsageRecord['source'],
): UsageRecord {
  const cc = r.cache_creation ?? {};
  if (!isObject(cc)) throw new RowError('cache_creation is not an object');
  const w5m = tokenCount(cc.ephemeral_5m_input_tokens, 'cache_creation.ephemeral_5m_input_tokens');
  const w1h = tokenCount(cc.ephemeral_1h_input_tokens, 'cache_creation.ephemeral_1h_input_tokens');
  // Anthropic reports input apart from cache reads and writes already: the buckets are disjoint as they come.
  const tokens = {
    input: tokenCount(r.uncached_input_tokens, 'uncached_input_tokens'),
    cacheRead: tokenCount(r.cache_read_input_tokens, 'cache_read_input_tokens'),
    cacheWrite: w5m + w1h,
    cacheWrite1h: w1h,
    output: tokenCount(r.output_tokens, 'output_tokens'),
  };
  const modelRaw = optString(r.model) ?? NOT_GROUPED_BY_MODEL;

  const tags = stringMap();
  // The usage report has no request count. `requests` stays 0 rather than a guess, so request totals and
  // per-request figures are not inflated; this tag says the 0 means "not reported", not "no requests".
  tags.requests_unknown = 'true';
  for (const f of TAG_FIELDS) {
    const s = optString(r[f]);
    if (s !== undefined) tags[f] = s;
  }
  const stu = r.server_tool_use;
  if (isObject(stu)) {
    const searches = tokenCount(stu.web_search_requests, 'server_tool_use.web_search_requests');
    if (searches > 0) tags.web_search_requests = String(searches);
  }

  const dims: Dims = {};
  // A workspace is Anthropic's equivalent of an OpenAI project; an account is a user.
  const project = optString(r.workspace_id);
  const apiKey = optString(r.api_key_id);
  const user = optString(r.account_id);
  if (project !== undefined) dims.project = project;
  if (apiKey !== undefined) dims.apiKey = apiKey;
  if (user !== undefined) dims.user = user;

  const record: UsageRecord = {
    start: bucket.start,
    provider: 'anthropic',
    model: modelRaw,
    modelRaw,
    operation: 'chat',
    requests: 0,
    tokens,
    dims,
    tags,
    dedupKey: reportDedupKey(ID, bucket, r, GROUP_FIELDS),
    source,
  };
  if (bucket.end !== undefined) record.end = bucket.end;
  const tier = optString(r.service_tier)?.toLowerCase();
  if (tier !== undefined) record.serviceTier = tier;
  return record;
}

// A key (followed by a colon), not the cost report's `"token_type": "uncached_input_tokens"` value.
const MARKER = /"uncached_input_tokens"\s*:/;
const BUCKET = /"(starting_at|ending_at)"\s*:/;

/** Anthropic Admin API messages usage report (`GET /v1/organizations/usage_report/messages`). */
export const anthropicUsageParser: Parser = {
  id: ID,
  title: 'Anthropic Admin API usage report (messages), by model, workspace, API key, tier',
  detection: 'buckets with "starting_at"/"ending_at" and results with an "uncached_input_tokens" key',
  origin:
    'GET https://api.anthropic.com/v1/organizations/usage_report/messages?group_by[]=model&group_by[]=workspace_id ' +
    'with an admin key; save each page as it is (one file, JSON Lines, or an array of pages)',
  detect(head) {
    if (!MARKER.test(head)) return 0;
    // Key order is not fixed (the docs show `ending_at` first), and a large first bucket can push either time
    // key out of the head: the token key alone is still specific to this report.
    return BUCKET.test(head) ? 0.95 : 0.7;
  },
  parse(input) {
    return parseReportPages(input, {
      format: ID,
      label: 'an Anthropic usage report page',
      startKey: 'starting_at',
      endKey: 'ending_at',
      toRecord,
    });
  },
};
