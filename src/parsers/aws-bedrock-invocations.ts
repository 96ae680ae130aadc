import type { Dims, ParseItem, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { lineBatches } from '../io/lines.ts';
import { isBlank } from './json-lines.ts';
import type { Parser } from './types.ts';
import {
  isObject,
  optString,
  problem,
  rec,
  requestKey,
  RowError,
  rowFailure,
  tokenCount,
  toIsoInstant,
  tooLongProblems,
} from './util.ts';

const FORMAT = 'aws-bedrock-invocations';
const PROVIDER = 'aws-bedrock';

/**
 * Amazon Bedrock model invocation logs (CloudWatch Logs or S3 delivery, JSON Lines, `.gz` accepted): one
 * record per invocation. Bedrock reports `input.inputTokenCount` WITHOUT cache reads and writes (AWS
 * prompt-caching guide: "the inputTokens field represents only the non-cached input tokens … total input
 * tokens = inputTokens + cacheReadInputTokens + cacheWriteInputTokens"), so the four counts are the four
 * disjoint buckets as they are.
 */
export const awsBedrockInvocationsParser: Parser = {
  id: FORMAT,
  title: 'Amazon Bedrock model invocation logs (JSON Lines, CloudWatch Logs / S3 delivery)',
  detection: '`"schemaType":"ModelInvocationLog"`, or lines with `modelId` and `inputTokenCount`',
  origin:
    'Bedrock console → Settings → Model invocation logging; files under s3://<bucket>/<prefix>/AWSLogs/<account>/' +
    'BedrockModelInvocationLogs/…, or a CloudWatch Logs export of the log group',
  detect: detectBedrockInvocations,
  parse: parseBedrockInvocations,
};

const SCHEMA_MARKER = /"schemaType"\s*:\s*"ModelInvocationLog"/;

/** Confidence that `head` is a Bedrock invocation log. */
function detectBedrockInvocations(head: string): number {
  if (SCHEMA_MARKER.test(head)) return 0.95;
  // Older or hand-filtered lines may lack schemaType; both Bedrock-only field names together still vouch.
  if (head.includes('"modelId"') && head.includes('"inputTokenCount"')) return 0.9;
  return 0;
}

/**
 * JSON Lines, where each line may carry the `<ISO timestamp> ` prefix a CloudWatch Logs export to S3 puts
 * before every event: the JSON starts at the first `{`.
 */
async function* parseBedrockInvocations(input: InputSource): AsyncIterable<ParseItem[]> {
  const file = input.name;
  for await (const batch of lineBatches(input.chunks({ reusable: true }))) {
    const out: ParseItem[] = [];
    tooLongProblems(batch, file, out);
    const lines = batch.lines;
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (isBlank(text)) continue;
      const n = batch.first + i;
      // A CloudWatch export prefix ends in a space before the `{`; anything else is parsed as it stands.
      let brace = text.indexOf('{');
      if (brace > 0 && text.charCodeAt(brace - 1) !== 32) brace = 0;
      if (brace === -1) {
        out.push(problem(file, n, 'not a JSON object (no "{" on the line)'));
        continue;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(brace === 0 ? text : text.slice(brace));
      } catch (e) {
        out.push(problem(file, n, `invalid JSON: ${(e as Error).message}`));
        continue;
      }
      if (!isObject(obj)) {
        out.push(problem(file, n, 'not a JSON object'));
        continue;
      }
      try {
        out.push(rec(toRecord(obj, file, n)));
      } catch (e) {
        out.push(problem(file, n, rowFailure(e)));
      }
    }
    if (out.length > 0) yield out;
  }
}

function toRecord(obj: Record<string, unknown>, file: string, line: number): UsageRecord {
  const schemaType = optString(obj.schemaType);
  if (schemaType !== undefined && schemaType !== 'ModelInvocationLog') {
    throw new RowError(`schemaType is "${schemaType}", not "ModelInvocationLog"`);
  }
  const start = toIsoInstant(obj.timestamp, 'timestamp');
  const modelId = optString(obj.modelId);
  if (modelId === undefined) throw new RowError('no modelId');
  const input = obj.input;
  const output = obj.output;
  if (input !== undefined && input !== null && !isObject(input)) throw new RowError('input is not an object');
  if (output !== undefined && output !== null && !isObject(output))
    throw new RowError('output is not an object');
  const inp = isObject(input) ? input : {};
  const outp = isObject(output) ? output : {};
  const tokens = {
    input: tokenCount(inp.inputTokenCount, 'input.inputTokenCount'),
    cacheRead: tokenCount(inp.cacheReadInputTokenCount, 'input.cacheReadInputTokenCount'),
    cacheWrite: tokenCount(inp.cacheWriteInputTokenCount, 'input.cacheWriteInputTokenCount'),
    output: tokenCount(outp.outputTokenCount, 'output.outputTokenCount'),
  };

  const tags = stringMap();
  // requestMetadata first, so the log's own fields below win a name clash.
  const meta = obj.requestMetadata;
  if (isObject(meta)) {
    for (const k of Object.keys(meta)) {
      const v = meta[k];
      if (v === undefined || v === null) continue;
      tags[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  const model = bedrockModelOf(modelId);
  if (model !== modelId) tags.modelArn = modelId;
  for (const f of ['region', 'accountId', 'operation', 'inferenceRegion', 'schemaVersion'] as const) {
    const s = optString(obj[f]);
    if (s !== undefined) tags[f] = s;
  }
  const perf = obj.performanceConfig;
  if (isObject(perf)) {
    const latency = optString(perf.latency);
    if (latency !== undefined) tags.performanceLatency = latency;
  }

  const dims: Dims = {};
  const identity = obj.identity;
  const arn = isObject(identity) ? optString(identity.arn) : undefined;
  if (arn !== undefined) {
    const p = principalOf(arn);
    if (p.name !== undefined) dims.user = p.name;
    if (p.session !== undefined) tags.session = p.session;
    tags.identityArn = arn;
  }

  const r: UsageRecord = {
    start,
    provider: PROVIDER,
    model,
    modelRaw: modelId, // as logged: an ARN stays whole here, `model` is the id it ends in
    requests: 1,
    tokens,
    dims,
    tags,
    source: { file, line, format: FORMAT },
  };
  const requestId = optString(obj.requestId);
  if (requestId !== undefined) {
    r.requestId = requestId;
    r.dedupKey = requestKey(PROVIDER, requestId);
  }
  const errorCode = optString(obj.errorCode);
  const status = errorCode ?? optString(obj.status);
  if (status !== undefined) r.status = status;
  const body = outp.outputBodyJson;
  if (isObject(body) && isObject(body.metrics)) {
    const ms = body.metrics.latencyMs;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) r.latencyMs = ms;
  }
  return r;
}

/** ARN resource types whose last path part is a model or system inference-profile id the pricer resolves. */
const MODEL_ARN_TYPES = new Set(['foundation-model', 'inference-profile']);

/**
 * The model id to price for a Bedrock `modelId`: the id itself, or the id an ARN ends in when the ARN names
 * a foundation model or a system-defined inference profile
 * (`arn:aws:bedrock:us-east-1:123:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0` →
 * `us.anthropic.claude-3-5-sonnet-20241022-v2:0`). Other ARNs (application inference profiles, provisioned,
 * custom or imported models, prompt routers) name no model and are kept whole (they show as unpriced).
 */
export function bedrockModelOf(modelId: string): string {
  if (!modelId.startsWith('arn:')) return modelId;
  // arn:partition:service:region:account:resource — the resource may itself contain ':' (`…-v2:0`).
  let colon = -1;
  for (let k = 0; k < 5; k++) {
    colon = modelId.indexOf(':', colon + 1);
    if (colon === -1) return modelId;
  }
  const resource = modelId.slice(colon + 1);
  const slash = resource.indexOf('/');
  if (slash <= 0) return modelId;
  const id = resource.slice(slash + 1);
  return MODEL_ARN_TYPES.has(resource.slice(0, slash)) && id.length > 0 && !id.includes('/') ? id : modelId;
}

/**
 * The person or workload an IAM ARN names: a user's name (`…:user/path/alice` → alice), an assumed role's
 * role name and session (`…:assumed-role/ChatApp/session-1` → ChatApp, session-1), `root`, or the resource
 * part for other principals.
 */
export function principalOf(arn: string): { name?: string; session?: string } {
  // The resource is what follows the fifth ':' (arn:partition:service:region:account:resource), '' without one.
  let colon = -1;
  for (let k = 0; k < 5; k++) {
    colon = arn.indexOf(':', colon + 1);
    if (colon === -1) break;
  }
  const resource = colon === -1 ? '' : arn.slice(colon + 1);
  if (resource === '' || resource === 'root') return resource === 'root' ? { name: 'root' } : {};
  const slash = resource.indexOf('/');
  if (slash === -1) return { name: resource };
  const kind = resource.slice(0, slash);
  if (kind === 'assumed-role') {
    const slash2 = resource.indexOf('/', slash + 1);
    if (slash2 === -1) return { name: resource.slice(slash + 1) };
    return { name: resource.slice(slash + 1, slash2), session: resource.slice(slash2 + 1) };
  }
  if (kind === 'user' || kind === 'role' || kind === 'federated-user') {
    return { name: resource.slice(resource.lastIndexOf('/') + 1) };
  }
  return { name: resource };
}
