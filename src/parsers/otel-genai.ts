import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import type { JsonValueItem } from '../io/json-values.ts';
import { elementLines, jsonValues } from '../io/json-values.ts';
import type { Parser } from './types.ts';
import {
  ignored,
  isObject,
  optString,
  problem,
  quietReason,
  rec,
  requestKey,
  RowError,
  rowFailure,
  tokenCount,
} from './util.ts';

const FORMAT = 'otel-genai';

/** Why a span without GenAI token counts is skipped (it is another span of the same trace: HTTP, DB, tool). */
export const SPAN_WITHOUT_USAGE = quietReason('span without gen_ai usage');

/**
 * OpenTelemetry GenAI spans in OTLP/JSON: one record per span that carries `gen_ai.usage.*` token counts.
 * A file holds one `{ resourceSpans: [...] }` document, several of them pasted or one per line (the collector's
 * file exporter), or an array of them.
 */
export const otelGenaiParser: Parser = {
  id: FORMAT,
  title: 'OpenTelemetry GenAI spans (OTLP/JSON traces, semantic conventions gen_ai.*)',
  detection: 'a JSON document with "resourceSpans" and gen_ai.* attributes in the first 64 KiB',
  origin:
    'the OpenTelemetry Collector `file` exporter (JSON lines), an OTLP/JSON export of your tracing backend, ' +
    'or spans saved by an OTLP HTTP receiver',
  detect: detectOtel,
  parse: parseOtel,
};

const RESOURCE_SPANS = /"resourceSpans"\s*:/;

function detectOtel(head: string): number {
  if (!RESOURCE_SPANS.test(head)) return 0;
  if (head.includes('"gen_ai.')) return 0.95;
  // An OTLP trace file whose first spans are not GenAI ones (an HTTP server span first, say): still OTLP traces,
  // and no other format claims them; its spans without usage are counted as ignored.
  return /"spans"\s*:/.test(head) ? 0.55 : 0.3;
}

// ---------------------------------------------------------------------------------------------------------------
// Provider ids (shared with the other request-level parsers of observability tools and gateways)

/** `gen_ai.provider.name` / `gen_ai.system` values (and gateway spellings) whose finops id is not the value itself. */
const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  'aws.bedrock': 'aws-bedrock',
  bedrock: 'aws-bedrock',
  bedrock_converse: 'aws-bedrock',
  aws: 'aws-bedrock',
  'azure.ai.openai': 'azure-openai',
  'az.ai.openai': 'azure-openai',
  azure: 'azure-openai',
  azure_openai: 'azure-openai',
  'azure.ai.inference': 'azure-ai',
  'az.ai.inference': 'azure-ai',
  azure_ai: 'azure-ai',
  'gcp.vertex_ai': 'google-vertex',
  vertex_ai: 'google-vertex',
  vertex: 'google-vertex',
  'gcp.gemini': 'google',
  gemini: 'google',
  'gcp.gen_ai': 'google',
  google: 'google',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  x_ai: 'xai',
  x: 'xai',
  'ibm.watsonx.ai': 'ibm-watsonx',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
};

/**
 * A provider name as OpenTelemetry (`gen_ai.provider.name`, legacy `gen_ai.system`) or a gateway writes it, as a
 * finops provider id: `aws.bedrock` → `aws-bedrock`, `azure.ai.openai` → `azure-openai`, `gcp.vertex_ai` →
 * `google-vertex`, `gcp.gemini` → `google`, `ANTHROPIC` → `anthropic`; unknown names lower-cased, `_`/`.` → `-`.
 */
export function genaiProviderId(raw: string): string {
  const s = raw.trim().toLowerCase();
  return PROVIDER_ALIASES[s] ?? s.replace(/[._\s]+/g, '-');
}

/** Model-name families whose vendor is unambiguous, for sources that record no provider. */
const MODEL_VENDORS: readonly (readonly [RegExp, string])[] = [
  [
    /^(gpt-|chatgpt-|o\d(-|$)|text-embedding-(3|ada)|davinci|babbage|whisper-|tts-|dall-e|omni-moderation|computer-use-)/,
    'openai',
  ],
  [/^claude-/, 'anthropic'],
  [/^(gemini-|gemma-|text-embedding-00|textembedding-gecko)/, 'google'],
  [/^(mistral-|mixtral-|codestral-|ministral-|pixtral-|magistral-|devstral-|open-mistral)/, 'mistral'],
  [/^command(-|$)|^embed-(english|multilingual)/, 'cohere'],
  [/^grok-/, 'xai'],
  [/^deepseek-/, 'deepseek'],
];

/**
 * The provider a model name implies, or undefined when it names none: a `vendor/model` prefix (`anthropic/claude-…`)
 * or an unambiguous family (`gpt-4o` → openai, `claude-…` → anthropic, `gemini-…` → google). For sources that
 * record no provider (Langfuse, some Helicone exports): a gateway's own id is never guessed.
 */
export function providerFromModel(model: string): string | undefined {
  const m = model.trim().toLowerCase();
  const slash = m.indexOf('/');
  if (slash > 0) {
    const prefix = m.slice(0, slash);
    if (
      PROVIDER_ALIASES[prefix] !== undefined ||
      /^(openai|anthropic|mistral|cohere|deepseek|xai|groq)$/.test(prefix)
    )
      return genaiProviderId(prefix);
    return providerFromModel(m.slice(slash + 1));
  }
  for (const [re, vendor] of MODEL_VENDORS) if (re.test(m)) return vendor;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// OTLP/JSON values

/**
 * An OTLP/JSON `AnyValue` as a plain JSON value: `intValue` stays a digit string (int64 is a string in OTLP/JSON),
 * arrays and key-value lists become arrays and null-prototype objects.
 */
export function anyValue(v: unknown): unknown {
  if (!isObject(v)) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) {
    const values = isObject(v.arrayValue) ? v.arrayValue.values : undefined;
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  if (v.kvlistValue !== undefined) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const values = isObject(v.kvlistValue) ? v.kvlistValue.values : undefined;
    if (Array.isArray(values)) readAttributes(values, out);
    return out;
  }
  if (v.bytesValue !== undefined) return v.bytesValue;
  return undefined;
}

/** OTLP `KeyValue[]` into `out` (a later duplicate key wins, as in the SDKs). */
function readAttributes(list: unknown, out: Record<string, unknown>): void {
  if (!Array.isArray(list)) return;
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    out[kv.key] = anyValue(kv.value);
  }
}

/** A tag value: strings as they are, other scalars printed, arrays and objects as JSON. */
function tagValue(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Attributes read into the record (everything else on a span, and the resource's, becomes a tag)

const USAGE_INPUT = ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'] as const;
const USAGE_OUTPUT = ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'] as const;
const USAGE_CACHE_READ = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'gen_ai.usage.input_tokens.cached',
] as const;
const USAGE_CACHE_WRITE = [
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'gen_ai.usage.input_tokens.cache_write',
] as const;
const USAGE_REASONING = [
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.output_tokens.reasoning',
  'gen_ai.usage.reasoning_tokens',
] as const;
const USAGE_KEYS: readonly string[] = [
  ...USAGE_INPUT,
  ...USAGE_OUTPUT,
  ...USAGE_CACHE_READ,
  ...USAGE_CACHE_WRITE,
  ...USAGE_REASONING,
];

const MAPPED = new Set<string>([
  ...USAGE_KEYS,
  'gen_ai.usage.total_tokens',
  'gen_ai.provider.name',
  'gen_ai.system',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.operation.name',
  'gen_ai.response.id',
  'openai.response.service_tier',
  'gen_ai.openai.response.service_tier',
]);

/**
 * Content attributes (prompts, completions, tool definitions): the bulk of a span when content capture is on, and
 * no label; never copied into tags. OpenLLMetry's indexed `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` too.
 */
const CONTENT = new Set<string>([
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool_definitions.raw',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.prompt',
  'gen_ai.completion',
]);

function isContent(key: string): boolean {
  return CONTENT.has(key) || key.startsWith('gen_ai.prompt.') || key.startsWith('gen_ai.completion.');
}

function first(attrs: Record<string, unknown>, keys: readonly string[]): [string, unknown] | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined && v !== null && v !== '') return [k, v];
  }
  return undefined;
}

function count(attrs: Record<string, unknown>, keys: readonly string[]): number {
  const hit = first(attrs, keys);
  return hit === undefined ? 0 : tokenCount(hit[1], hit[0]);
}

/**
 * Disjoint tokens from a span's `gen_ai.usage.*` attributes. The semantic conventions (registry notes since the
 * cache attributes were added) say `gen_ai.usage.input_tokens` SHOULD include all input tokens, cached ones too, and
 * that `cache_read.input_tokens` and `cache_creation.input_tokens` SHOULD be included in it: so both are subtracted
 * here. An instrumentation that forwarded a provider's uncached count instead (Anthropic-style) shows itself by
 * cache counts larger than the input: then the input is taken as already uncached. Reasoning is a part of the output;
 * a reasoning count larger than the output means the instrumentation reported them apart, and they are added.
 */
export function spanTokens(attrs: Record<string, unknown>): Tokens {
  const input = count(attrs, USAGE_INPUT);
  const cacheRead = count(attrs, USAGE_CACHE_READ);
  const cacheWrite = count(attrs, USAGE_CACHE_WRITE);
  let output = count(attrs, USAGE_OUTPUT);
  const reasoning = count(attrs, USAGE_REASONING);
  const cached = cacheRead + cacheWrite;
  if (reasoning > output) output += reasoning;
  const tokens: Tokens = { input: cached <= input ? input - cached : input, cacheRead, cacheWrite, output };
  if (reasoning > 0) tokens.reasoning = reasoning;
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Times

/** Epoch nanoseconds (a digit string in OTLP/JSON, or a number) as [milliseconds, nanoseconds within the ms]. */
function nanos(v: unknown, field: string): [number, number] {
  let s: string;
  if (typeof v === 'string' && /^\d+$/.test(v)) s = v;
  else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    // A JSON number above 2^53 has already lost its last digits; milliseconds are still exact enough.
    return [Math.floor(v / 1e6), Math.round(v % 1e6)];
  } else if (v === undefined || v === null || v === '') throw new RowError(`no ${field}`);
  else throw new RowError(`${field} is not epoch nanoseconds: ${JSON.stringify(v)}`);
  // Split the digits instead of Number(s): 19-digit nanosecond times exceed 2^53, milliseconds do not.
  const cut = s.length - 6;
  return cut <= 0 ? [0, Number(s)] : [Number(s.slice(0, cut)), Number(s.slice(cut))];
}

function isoFromMs(ms: number, field: string): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!Number.isFinite(ms) || y < 2000 || y > 2200) throw new RowError(`${field} is out of range: ${ms} ms`);
  return d.toISOString();
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

interface Ctx {
  file: string;
}

/** Streams OTLP/JSON documents span by span: a record per GenAI span with usage, an ignored item per other span. */
async function* parseOtel(input: InputSource): AsyncIterable<ParseItem[]> {
  const ctx: Ctx = { file: input.name };
  for await (const batch of jsonValues(input.chunks())) {
    const out: ParseItem[] = [];
    for (const item of batch) readDocument(item, ctx, out);
    if (out.length > 0) yield out;
  }
}

function readDocument(item: JsonValueItem, ctx: Ctx, out: ParseItem[]): void {
  if (item.error !== undefined) {
    out.push(problem(ctx.file, item.line, item.error));
    return;
  }
  const v = item.value;
  let resources: unknown[];
  let prefix: string[];
  if (isObject(v) && Array.isArray(v.resourceSpans)) {
    resources = v.resourceSpans;
    prefix = ['resourceSpans', '*'];
  } else if (isObject(v) && (Array.isArray(v.scopeSpans) || Array.isArray(v.instrumentationLibrarySpans))) {
    // One ResourceSpans on its own: an element of a saved `resourceSpans` array.
    resources = [v];
    prefix = [];
  } else {
    out.push(
      problem(
        ctx.file,
        item.line,
        'not an OTLP/JSON traces document: expected an object with a "resourceSpans" array',
      ),
    );
    return;
  }

  // Scope lists are `scopeSpans` (OTLP ≥ 0.15) or `instrumentationLibrarySpans` (older): one key per document.
  let scopeKey = 'scopeSpans';
  let expected = 0;
  let mixed = false;
  for (const r of resources) {
    if (!isObject(r)) continue;
    const key = Array.isArray(r.scopeSpans) ? 'scopeSpans' : 'instrumentationLibrarySpans';
    if (expected === 0 && key !== scopeKey) scopeKey = key;
    else if (key !== scopeKey) mixed = true;
    const scopes = r[key];
    if (!Array.isArray(scopes)) continue;
    for (const s of scopes) if (isObject(s) && Array.isArray(s.spans)) expected += s.spans.length;
  }
  // A pretty-printed document: each span gets the line it starts on, when the scan agrees with the parse.
  let spanLines: number[] | undefined;
  if (item.text.includes('\n') && !mixed) {
    spanLines = elementLines(item.text, item.line, [...prefix, scopeKey, '*', 'spans', '*']);
    if (spanLines.length !== expected) spanLines = undefined;
  }

  let k = 0;
  for (const r of resources) {
    if (!isObject(r)) {
      out.push(problem(ctx.file, item.line, 'a resourceSpans entry is not an object'));
      continue;
    }
    const resAttrs: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    if (isObject(r.resource)) readAttributes(r.resource.attributes, resAttrs);
    const scopes = Array.isArray(r.scopeSpans) ? r.scopeSpans : r.instrumentationLibrarySpans;
    if (!Array.isArray(scopes)) continue;
    for (const s of scopes) {
      if (!isObject(s) || !Array.isArray(s.spans)) continue;
      const scope = isObject(s.scope)
        ? s.scope
        : isObject(s.instrumentationLibrary)
          ? s.instrumentationLibrary
          : {};
      for (const span of s.spans) {
        const line = spanLines?.[k] ?? item.line;
        k++;
        if (!isObject(span)) {
          out.push(problem(ctx.file, line, 'span is not an object'));
          continue;
        }
        try {
          readSpan(span, resAttrs, scope, line, ctx, out);
        } catch (e) {
          const name = typeof span.name === 'string' ? ` "${span.name}"` : '';
          out.push(problem(ctx.file, line, `span${name}: ${rowFailure(e)}`));
        }
      }
    }
  }
}

function readSpan(
  span: Record<string, unknown>,
  resAttrs: Record<string, unknown>,
  scope: Record<string, unknown>,
  line: number,
  ctx: Ctx,
  out: ParseItem[],
): void {
  const attrs: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  readAttributes(span.attributes, attrs);
  if (first(attrs, USAGE_KEYS) === undefined) {
    out.push(ignored(ctx.file, line, SPAN_WITHOUT_USAGE));
    return;
  }
  const modelHit = first(attrs, ['gen_ai.response.model', 'gen_ai.request.model']);
  if (modelHit === undefined) throw new RowError('no gen_ai.response.model or gen_ai.request.model');
  const model = String(modelHit[1]);
  const providerRaw = optString(attrs['gen_ai.provider.name']) ?? optString(attrs['gen_ai.system']);
  // The attribute is required by the conventions; a span without it is priced by its model alone.
  const provider =
    providerRaw !== undefined ? genaiProviderId(providerRaw) : (providerFromModel(model) ?? 'unknown');
  const tokens = spanTokens(attrs);

  const [startMs, startNs] = nanos(span.startTimeUnixNano, 'startTimeUnixNano');
  const start = isoFromMs(startMs, 'startTimeUnixNano');

  const dims: Dims = {};
  const app = optString(resAttrs['service.name']);
  // The SDKs' default when no name was configured (`unknown_service:node`) names no app.
  if (app !== undefined && !app.startsWith('unknown_service')) dims.app = app;
  const env =
    optString(resAttrs['deployment.environment.name']) ?? optString(resAttrs['deployment.environment']);
  if (env !== undefined) dims.environment = env;
  const user = optString(attrs['enduser.id']) ?? optString(attrs['user.id']);
  if (user !== undefined) dims.user = user;

  const tags = stringMap();
  for (const key of Object.keys(resAttrs)) {
    const t = tagValue(resAttrs[key]);
    if (t !== undefined) tags[key] = t;
  }
  for (const key of Object.keys(attrs)) {
    if (MAPPED.has(key) || isContent(key)) continue;
    const t = tagValue(attrs[key]);
    if (t !== undefined) tags[key] = t;
  }
  const spanName = optString(span.name);
  if (spanName !== undefined) tags['span.name'] = spanName;
  const spanId = optString(span.spanId);
  if (spanId !== undefined) tags['span.id'] = spanId;
  const scopeName = optString(scope.name);
  if (scopeName !== undefined) tags['otel.scope.name'] = scopeName;

  const r: UsageRecord = {
    start,
    provider,
    model,
    modelRaw: model,
    requests: 1,
    tokens,
    dims,
    tags,
    source: { file: ctx.file, line, format: FORMAT },
  };
  const operation = optString(attrs['gen_ai.operation.name']);
  if (operation !== undefined) r.operation = operation;
  const tier =
    optString(attrs['openai.response.service_tier']) ??
    optString(attrs['gen_ai.openai.response.service_tier']);
  if (tier !== undefined) r.serviceTier = serviceTierOf(tier);
  const responseId = optString(attrs['gen_ai.response.id']);
  if (responseId !== undefined) {
    r.requestId = responseId;
    // The provider's own id: the same call seen by a gateway log is counted once.
    r.dedupKey = requestKey(provider, responseId);
  }
  const traceId = optString(span.traceId);
  if (traceId !== undefined) {
    r.traceId = traceId;
    r.taskId = traceId;
  }
  if (span.endTimeUnixNano !== undefined && span.endTimeUnixNano !== null && span.endTimeUnixNano !== '') {
    const [endMs, endNs] = nanos(span.endTimeUnixNano, 'endTimeUnixNano');
    const latency = endMs - startMs + (endNs - startNs) / 1e6;
    if (latency < 0) throw new RowError('endTimeUnixNano is before startTimeUnixNano');
    r.latencyMs = latency;
  }
  const status = spanStatus(span.status);
  if (status !== undefined) r.status = status;
  out.push(rec(r));
}

/**
 * A service tier as finops names it: OpenAI's `default` is the `standard` tier; other names (`flex`, `priority`,
 * `scale`, `batch`) lower-cased as they are.
 */
export function serviceTierOf(raw: string): string {
  const t = raw.trim().toLowerCase();
  return t === 'default' ? 'standard' : t;
}

/** `ok` / `error` from an OTLP status (code as number or enum name); undefined when unset. */
function spanStatus(s: unknown): string | undefined {
  if (!isObject(s)) return undefined;
  const c = s.code;
  if (c === 1 || c === 'STATUS_CODE_OK') return 'ok';
  if (c === 2 || c === 'STATUS_CODE_ERROR') return 'error';
  return undefined;
}
