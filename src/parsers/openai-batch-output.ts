import type { ParseItem, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { isBlank, parseJsonLines } from './json-lines.ts';
import { usageTokens } from './request-log.ts';
import type { Parser } from './types.ts';
import { ignored, isObject, optString, rec, requestKey, RowError, toIsoInstant } from './util.ts';

const ID = 'openai-batch-output';

/** Reason shared by every failed line (error set, or a non-200 response): counted, never priced. */
export const FAILED_BATCH_REQUEST = 'failed batch request';

// The `object` of a response body → finops operation. Responses-API calls are billed with chat completions
// (the Usage API counts both under `completions`), so both are `chat`, as in the openai-usage parser.
const OPERATIONS: Record<string, string> = {
  'chat.completion': 'chat',
  response: 'chat',
  text_completion: 'completion',
  list: 'embeddings', // POST /v1/embeddings returns { object: "list", data: [embedding…], model, usage }
};

/**
 * One line of a Batch API output (or error) file, as documented for `BatchRequestOutput`:
 * `{ id: "batch_req_…", custom_id, response: { status_code, request_id, body } | null, error: {…} | null }`.
 */
function readLine(obj: Record<string, unknown>, file: string, line: number, out: ParseItem[]): void {
  if (!('response' in obj) && !('error' in obj)) {
    throw new RowError('not a Batch API output line: expected "response" and "error" keys');
  }
  const response = obj.response;
  const status = isObject(response) ? response.status_code : undefined;
  // OpenAI bills batch tokens of completed requests only (batch guide, "Batch expiration": "you will be charged
  // for tokens consumed from any completed requests"); a failed or expired line carries no usage to count.
  if (
    (obj.error !== undefined && obj.error !== null) ||
    !isObject(response) ||
    (status !== undefined && status !== 200)
  ) {
    out.push(ignored(file, line, FAILED_BATCH_REQUEST));
    return;
  }
  const body = response.body;
  if (!isObject(body)) throw new RowError('response.body is not an object');
  if (body.usage === undefined || body.usage === null) {
    throw new RowError('response.body has no "usage": the tokens of this request are unknown');
  }
  const tokens = usageTokens(body.usage, 'response.body.usage');
  const model = optString(body.model);
  if (model === undefined) throw new RowError('response.body has no "model"');
  const object = optString(body.object);
  // `created` is when the completion was created, i.e. when the batch processed the request (up to 24 h after
  // submission), not when the batch was submitted: records are dated by processing time.
  const created = body.created ?? body.created_at;
  if (created === undefined || created === null) {
    throw new RowError(
      `response.body has no "created" time (OpenAI does not date ${object === 'list' ? 'embeddings' : (object ?? 'these')} ` +
        'results): take this usage from the Usage API export (openai-usage) instead',
    );
  }
  const start = toIsoInstant(created, 'response.body.created');

  const tags = stringMap();
  const customId = optString(obj.custom_id);
  const batchRequestId = optString(obj.id);
  const requestId = optString(response.request_id);
  if (customId !== undefined) tags.custom_id = customId;
  if (batchRequestId !== undefined) tags.batch_request_id = batchRequestId;
  if (requestId !== undefined) tags.request_id = requestId;

  const record: UsageRecord = {
    start,
    provider: 'openai',
    model,
    modelRaw: model,
    // Batch API requests are billed at batch rates whatever the body's `service_tier` says ("default").
    serviceTier: 'batch',
    requests: 1,
    tokens,
    dims: {},
    tags,
    source: { file, line, format: ID },
  };
  const operation = object === undefined ? undefined : OPERATIONS[object];
  if (operation !== undefined) record.operation = operation;
  const bodyId = optString(body.id);
  if (bodyId !== undefined) {
    // The completion id, which a gateway in front of the batch client would log too: counted once across formats.
    record.requestId = bodyId;
    record.dedupKey = requestKey('openai', bodyId);
  } else if (batchRequestId !== undefined) {
    record.dedupKey = `${ID}:${batchRequestId}`;
  }
  out.push(rec(record));
}

/** Confidence that `head` is a Batch API output file: its first lines carry `custom_id` and `response`/`error`. */
function detectBatchOutput(head: string): number {
  let pos = 0;
  let seen = 0;
  let ok = 0;
  while (pos < head.length && seen < 10) {
    let nl = head.indexOf('\n', pos);
    const complete = nl !== -1;
    if (!complete) nl = head.length;
    const text = head.slice(pos, nl);
    pos = nl + 1;
    if (isBlank(text)) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      if (!complete) break; // the head cut this line short: judge by the lines before it
      seen++;
      continue;
    }
    seen++;
    // The batch *input* file has custom_id too, but `method`/`url`/`body` instead of `response`/`error`.
    if (isObject(obj) && typeof obj.custom_id === 'string' && 'response' in obj && 'error' in obj) ok++;
  }
  if (seen === 0) {
    // One line longer than the head (a long completion): fall back to key names in the fragment.
    const frag = head.trimStart();
    return frag.startsWith('{') &&
      frag.includes('"custom_id"') &&
      frag.includes('"response"') &&
      /"id"\s*:\s*"batch_req_/.test(frag)
      ? 0.7
      : 0;
  }
  if (ok === seen) return 0.95;
  return ok * 2 > seen ? 0.7 : 0;
}

/** OpenAI Batch API output/error files (JSONL): one record per completed request, priced at batch rates. */
export const openaiBatchOutputParser: Parser = {
  id: ID,
  title: 'OpenAI Batch API output file (JSONL, one line per request; batch rates)',
  detection:
    'JSON lines with "custom_id" and "response"/"error" keys (the batch input file has "method"/"url")',
  origin:
    'platform.openai.com → Batches → a batch → Download output (or GET /v1/files/{output_file_id}/content); ' +
    'the error file (error_file_id) may be given too: its lines count as failed requests',
  detect: detectBatchOutput,
  parse(input: InputSource): AsyncIterable<ParseItem[]> {
    const file = input.name;
    return parseJsonLines(input, {
      line(obj, n, out) {
        readLine(obj, file, n, out);
      },
    });
  },
};
