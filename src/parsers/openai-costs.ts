import type { Dims, UsageRecord } from '../core/record.ts';
import { stringMap, zeroTokens } from '../core/record.ts';
import type { BucketTimes } from './report-pages.ts';
import { ALL_MODELS, parseReportPages, reportDedupKey } from './report-pages.ts';
import type { Parser } from './types.ts';
import { isObject, optString, RowError } from './util.ts';

const ID = 'openai-costs';

// The group_by values of a costs result: with the bucket they identify it.
const GROUP_FIELDS = ['line_item', 'project_id', 'api_key_id'] as const;

/** A money amount from a JSON number or a decimal string; RowError naming `field` otherwise. */
function money(value: unknown, field: string): number {
  const n = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new RowError(`${field} is not a number: ${JSON.stringify(value) ?? 'missing'}`);
  }
  return n;
}

function toRecord(
  r: Record<string, unknown>,
  bucket: BucketTimes,
  source: UsageRecord['source'],
): UsageRecord {
  const object = optString(r.object);
  if (object !== 'organization.costs.result') {
    throw new RowError(
      `unsupported result type ${JSON.stringify(object ?? null)} (expected organization.costs.result)`,
    );
  }
  if (!isObject(r.amount)) throw new RowError('result has no "amount" object');
  // The Costs API states amounts in currency units (dollars), unlike Anthropic's cents.
  const amount = money(r.amount.value, 'amount.value');
  // Documented as USD ("usd"); a missing currency is read as that.
  const currency = (optString(r.amount.currency) ?? 'usd').toUpperCase();

  const tags = stringMap();
  const lineItem = optString(r.line_item);
  // A line item reads "<model>, <kind>" (e.g. "gpt-4o-2024-08-06, input"); the model is the part before the comma.
  let modelRaw = ALL_MODELS;
  if (lineItem !== undefined) {
    tags.line_item = lineItem;
    modelRaw = lineItem.split(',')[0]!.trim() || ALL_MODELS;
  }
  const quantity = r.quantity;
  if (typeof quantity === 'number' && Number.isFinite(quantity)) tags.quantity = String(quantity);
  const unit = optString(r.quantity_unit);
  if (unit !== undefined) tags.quantity_unit = unit;

  const dims: Dims = {};
  const project = optString(r.project_id);
  const apiKey = optString(r.api_key_id);
  if (project !== undefined) dims.project = project;
  if (apiKey !== undefined) dims.apiKey = apiKey;

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
    dedupKey: reportDedupKey(ID, bucket, r, GROUP_FIELDS),
    source,
  };
  if (bucket.end !== undefined) record.end = bucket.end;
  return record;
}

const MARKER = /"object"\s*:\s*"organization\.costs\.result"/;

/** OpenAI Costs API pages (`GET /v1/organization/costs`): one cost-only record per result, amounts in dollars. */
export const openaiCostsParser: Parser = {
  id: ID,
  title: 'OpenAI Costs API pages (amounts in dollars, by line item and project)',
  detection: 'a result with "object": "organization.costs.result"',
  origin:
    'GET https://api.openai.com/v1/organization/costs?group_by=line_item&group_by=project_id with an admin key; ' +
    'save each page as it is (one file, JSON Lines, or an array of pages)',
  detect(head) {
    return MARKER.test(head) ? 0.95 : 0;
  },
  parse(input) {
    return parseReportPages(input, {
      format: ID,
      label: 'an OpenAI costs page',
      startKey: 'start_time',
      endKey: 'end_time',
      toRecord,
    });
  },
};
