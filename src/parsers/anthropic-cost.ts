import type { Dims, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { BucketTimes } from './report-pages.ts';
import { ALL_MODELS, parseReportPages, reportDedupKey } from './report-pages.ts';
import type { Parser } from './types.ts';
import { optString, RowError } from './util.ts';

const ID = 'anthropic-cost';

// Every group_by value of a cost result: with the bucket they identify it.
const GROUP_FIELDS = [
  'workspace_id',
  'description',
  'cost_type',
  'context_window',
  'model',
  'service_tier',
  'token_type',
  'inference_geo',
  'speed',
] as const;

// Kept as tags, so a cost line can be matched with the usage it bills.
const TAG_FIELDS = [
  'description',
  'cost_type',
  'token_type',
  'context_window',
  'inference_geo',
  'speed',
] as const;

const DECIMAL = /^\s*(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/**
 * Dollars from an amount in cents, as the cost report states it ("123.45" → 1.2345). The shift is done on the
 * decimal exponent ("123.45e-2"), so the result is the double nearest the exact dollar value, which
 * `123.45 / 100` need not be. Throws RowError when the amount is not a decimal number.
 */
export function centsToDollars(value: unknown): number {
  const s = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  const m = typeof s === 'string' ? DECIMAL.exec(s) : null;
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new RowError(`amount is not a number: ${JSON.stringify(value) ?? 'missing'}`);
  }
  const dollars = Number(`${m[1]}${m[2] || '0'}.${m[3] || '0'}e${Number(m[4] ?? 0) - 2}`);
  return dollars === 0 ? 0 : dollars; // no -0
}

function toRecord(
  r: Record<string, unknown>,
  bucket: BucketTimes,
  source: UsageRecord['source'],
): UsageRecord {
  // Cost report amounts are in the currency's lowest unit (cents for USD), as decimal strings.
  const amount = centsToDollars(r.amount);
  // Documented as "Currently always USD".
  const currency = (optString(r.currency) ?? 'USD').toUpperCase();
  const modelRaw = optString(r.model) ?? ALL_MODELS;

  const tags = stringMap();
  for (const f of TAG_FIELDS) {
    const s = optString(r[f]);
    if (s !== undefined) tags[f] = s;
  }
  const dims: Dims = {};
  // A workspace is Anthropic's equivalent of an OpenAI project.
  const project = optString(r.workspace_id);
  if (project !== undefined) dims.project = project;

  const record: UsageRecord = {
    start: bucket.start,
    provider: 'anthropic',
    model: modelRaw,
    modelRaw,
    // A cost line: no requests, no tokens (the usage report carries those); only the stated cost.
    requests: 0,
    tokens: zeroTokens(),
    reportedCost: { amount, currency },
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

// Keys (followed by a colon) that only the cost report's results have.
const MARKER = /"(cost_type|token_type)"\s*:/;
const BUCKET = /"(starting_at|ending_at)"\s*:/;
const AMOUNT = /"amount"\s*:\s*"/;

/** Anthropic Admin API cost report (`GET /v1/organizations/cost_report`): cost-only records, cents → dollars. */
export const anthropicCostParser: Parser = {
  id: ID,
  title: 'Anthropic Admin API cost report (amounts in cents, by workspace and description)',
  detection: 'buckets with "starting_at"/"ending_at" and results with "cost_type" or "token_type" keys',
  origin:
    'GET https://api.anthropic.com/v1/organizations/cost_report?group_by[]=workspace_id&group_by[]=description ' +
    'with an admin key; save each page as it is (one file, JSON Lines, or an array of pages)',
  detect(head) {
    const bucket = BUCKET.test(head);
    // Without a bucket in sight (bare results), `cost_type` alone is not enough: GCP billing rows have it too.
    if (MARKER.test(head)) return bucket ? 0.95 : /"token_type"\s*:/.test(head) ? 0.7 : 0;
    // Not grouped by description, a result may hold only a currency and an amount as a decimal string (OpenAI's
    // amount is an object).
    return bucket && AMOUNT.test(head) && /"currency"\s*:/.test(head) ? 0.8 : 0;
  },
  parse(input) {
    return parseReportPages(input, {
      format: ID,
      label: 'an Anthropic cost report page',
      startKey: 'starting_at',
      endKey: 'ending_at',
      toRecord,
    });
  },
};
