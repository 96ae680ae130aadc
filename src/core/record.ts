import { z } from 'zod';

/**
 * The canonical usage record (shared/DESIGN.md "The canonical record"). Every parser yields these;
 * every consumer reads only these. Field names are the contract: extend, do not fork.
 */

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * Token buckets, disjoint: `input` is uncached input only. `cacheWrite1h` is the part of `cacheWrite`
 * written with a one-hour TTL (the rest is five-minute); `reasoning` is the part of `output` spent on
 * thinking. Both sub-parts are for pricing and insight and are never added to the totals twice.
 */
export const TokensSchema = z
  .strictObject({
    input: count,
    cacheRead: count,
    cacheWrite: count,
    cacheWrite1h: count.optional(),
    output: count,
    reasoning: count.optional(),
  })
  .refine((t) => (t.cacheWrite1h ?? 0) <= t.cacheWrite, {
    message: 'cacheWrite1h exceeds cacheWrite',
    path: ['cacheWrite1h'],
  })
  .refine((t) => (t.reasoning ?? 0) <= t.output, {
    message: 'reasoning exceeds output',
    path: ['reasoning'],
  });
export type Tokens = z.infer<typeof TokensSchema>;

export const DIM_KEYS = ['app', 'team', 'workflow', 'project', 'apiKey', 'user', 'environment'] as const;
export type DimKey = (typeof DIM_KEYS)[number];
export type Dims = Partial<Record<DimKey, string>>;

export const SourceRefSchema = z.strictObject({
  file: z.string(),
  line: z.number().int().nonnegative(),
  format: z.string(),
});
export type SourceRef = z.infer<typeof SourceRefSchema>;

const isoInstant = z.iso.datetime({ offset: false });

export const UsageRecordSchema = z.strictObject({
  /** ISO-8601 UTC instant of the request, or of the start of the bucket. */
  start: isoInstant,
  /** End of the bucket, for bucketed exports. */
  end: isoInstant.optional(),
  provider: z.string().min(1),
  /**
   * Canonical id after alias resolution (filled by the pricer when it can). Parsers set it to modelRaw, or, where
   * the source names the model inside other text (a bill's usage type, meter or SKU description, a Bedrock ARN),
   * to the model their format's table reads from that text; the pricer resolves this value.
   */
  model: z.string().min(1),
  /** The source's own model string, as written (trimmed): what a user finds in the input line. */
  modelRaw: z.string().min(1),
  operation: z.string().optional(),
  serviceTier: z.string().optional(),
  /** 1 for a request-log line, N for a bucket, 0 for a cost-only line. */
  requests: count,
  tokens: TokensSchema,
  /** Cost the source states (a bill, a gateway's price): kept beside the computed cost, never replacing it. */
  reportedCost: z.strictObject({ amount: z.number().finite(), currency: z.string() }).optional(),
  dims: z.partialRecord(z.enum(DIM_KEYS), z.string()),
  tags: z.record(z.string(), z.string()),
  requestId: z.string().optional(),
  traceId: z.string().optional(),
  taskId: z.string().optional(),
  latencyMs: z.number().nonnegative().finite().optional(),
  status: z.string().optional(),
  outcome: z.string().optional(),
  text: z.strictObject({ prompt: z.string().optional(), completion: z.string().optional() }).optional(),
  rag: z
    .strictObject({
      chunks: z.array(
        z.strictObject({
          tokens: count,
          score: z.number().finite().optional(),
          used: z.boolean().optional(),
        }),
      ),
    })
    .optional(),
  /**
   * What finops keeps of a prompt instead of its text (text is dropped once counted: memory). `prefix`: a
   * fingerprint of the prompt's stable leading part (system prompt, template) and its size in tokens, for the
   * prompt-caching simulation; `features`: signals read from the prompt text when the source had it, for the
   * routing simulation's complexity estimate.
   */
  promptInfo: z
    .strictObject({
      prefix: z.strictObject({ hash: z.string().min(1), tokens: count }).optional(),
      features: z
        .strictObject({
          /** The prompt contains code (a fence, or code-like lines). */
          code: z.boolean(),
          /** Numbered or bulleted instruction lines (multi-step instructions). */
          steps: count,
          /** The prompt defines or asks for tool / function calls. */
          tools: z.boolean(),
        })
        .optional(),
    })
    .optional(),
  /**
   * True for a row of a bill (a cost export that also states quantities: FOCUS, AWS CUR, Azure, GCP billing).
   * When a usage source (request log, usage export) covers the same provider, model and UTC day, the bill's
   * tokens are dropped and only its cost is kept, so the spend is joined rather than counted twice.
   */
  fromBill: z.boolean().optional(),
  /** True when some token counts were estimated locally rather than reported by the provider. */
  estimated: z.boolean().optional(),
  /**
   * Stable identity for de-duplication (same request or bucket read twice). Parsers set it; the pipeline
   * counts a record whose key it has already seen as a duplicate.
   */
  dedupKey: z.string().optional(),
  source: SourceRefSchema,
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

/** A row the parser could not turn into a record: reported as `file:line: reason`, never dropped in silence. */
export interface ParseProblem {
  file: string;
  line: number;
  reason: string;
}

/** A data row that is not AI usage by design (a FOCUS row for a VM, a CUR line for S3): counted, not priced. */
export interface IgnoredRow {
  file: string;
  line: number;
  /** Why, in words shared by all such rows ("not AI usage: Compute"), so they can be counted by reason. */
  reason: string;
  /** How many rows this item stands for (a parser's fast path counts skipped lines per batch); default 1. */
  count?: number;
}

/** What a parser yields, one item per input row (or per result inside a bucket). */
export type ParseItem =
  | { kind: 'record'; record: UsageRecord }
  | { kind: 'problem'; problem: ParseProblem }
  | { kind: 'ignored'; ignored: IgnoredRow };

/** Empty, disjoint token buckets. */
export function zeroTokens(): Tokens {
  return { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
}

/** Adds `b` into `a` (mutates `a`); sub-parts are carried only when either side has them. */
export function addTokens(a: Tokens, b: Tokens): Tokens {
  a.input += b.input;
  a.cacheRead += b.cacheRead;
  a.cacheWrite += b.cacheWrite;
  a.output += b.output;
  if (b.cacheWrite1h !== undefined) a.cacheWrite1h = (a.cacheWrite1h ?? 0) + b.cacheWrite1h;
  if (b.reasoning !== undefined) a.reasoning = (a.reasoning ?? 0) + b.reasoning;
  return a;
}

/** Total tokens across the disjoint buckets (sub-parts are already inside their parents). */
export function totalTokens(t: Tokens): number {
  return t.input + t.cacheRead + t.cacheWrite + t.output;
}

/** A problem as the one-line text users see. */
export function formatProblem(p: ParseProblem): string {
  return `${p.file}:${p.line}: ${p.reason}`;
}

/** A null-prototype string map, so keys like `__proto__` from input stay plain data. */
export function stringMap(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

function badCount(v: unknown): boolean {
  return typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0;
}

/**
 * `/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s)` without the regex (it ran once per record): `YYYY-MM-DDTHH:MM:SS`, optionally a
 * fraction of one or more digits, then `Z`.
 */
export function isIsoInstant(s: string): boolean {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90) return false; // Z
  for (let i = 0; i < 19; i++) {
    const c = s.charCodeAt(i);
    const want = ISO_SHAPE.charCodeAt(i);
    if (want === 100 /* d */ ? c < 48 || c > 57 : c !== want) return false;
  }
  if (n === 20) return true;
  if (s.charCodeAt(19) !== 46 || n === 21) return false; // . and at least one digit
  for (let i = 20; i < n - 1; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
const ISO_SHAPE = 'dddd-dd-ddTdd:dd:dd';

/**
 * The invariants of UsageRecordSchema that numbers depend on, checked without zod: a pipeline of millions of
 * records cannot pay a full schema parse each (measured: ~30 % of a run). Returns the first violation as
 * `path: message`, or undefined. Parser tests validate every record with the full zod schema; a property test
 * checks that this function accepts only what the schema accepts.
 */
export function checkRecord(r: UsageRecord): string | undefined {
  if (typeof r.start !== 'string' || !isIsoInstant(r.start)) return 'start: expected an ISO-8601 UTC instant';
  if (r.end !== undefined && (typeof r.end !== 'string' || !isIsoInstant(r.end)))
    return 'end: expected an ISO-8601 UTC instant';
  if (typeof r.provider !== 'string' || r.provider.length === 0)
    return 'provider: expected a non-empty string';
  if (typeof r.model !== 'string' || r.model.length === 0) return 'model: expected a non-empty string';
  if (typeof r.modelRaw !== 'string' || r.modelRaw.length === 0)
    return 'modelRaw: expected a non-empty string';
  if (badCount(r.requests)) return 'requests: expected a non-negative integer';
  const t = r.tokens;
  if (typeof t !== 'object' || t === null) return 'tokens: expected an object';
  if (badCount(t.input)) return 'tokens.input: expected a non-negative integer';
  if (badCount(t.cacheRead)) return 'tokens.cacheRead: expected a non-negative integer';
  if (badCount(t.cacheWrite)) return 'tokens.cacheWrite: expected a non-negative integer';
  if (badCount(t.output)) return 'tokens.output: expected a non-negative integer';
  if (t.cacheWrite1h !== undefined && (badCount(t.cacheWrite1h) || t.cacheWrite1h > t.cacheWrite)) {
    return 'tokens.cacheWrite1h: expected an integer between 0 and tokens.cacheWrite';
  }
  if (t.reasoning !== undefined && (badCount(t.reasoning) || t.reasoning > t.output)) {
    return 'tokens.reasoning: expected an integer between 0 and tokens.output';
  }
  if (
    r.reportedCost !== undefined &&
    (!Number.isFinite(r.reportedCost.amount) || typeof r.reportedCost.currency !== 'string')
  ) {
    return 'reportedCost: expected a finite amount and a currency';
  }
  if (typeof r.dims !== 'object' || r.dims === null || typeof r.tags !== 'object' || r.tags === null)
    return 'dims/tags: expected objects';
  if (r.promptInfo !== undefined) return checkPromptInfo(r.promptInfo);
  return undefined;
}

function checkPromptInfo(p: NonNullable<UsageRecord['promptInfo']>): string | undefined {
  if (typeof p !== 'object' || p === null) return 'promptInfo: expected an object';
  const x = p.prefix;
  if (x !== undefined && (typeof x !== 'object' || x === null || typeof x.hash !== 'string' || x.hash === ''))
    return 'promptInfo.prefix.hash: expected a non-empty string';
  if (x !== undefined && badCount(x.tokens))
    return 'promptInfo.prefix.tokens: expected a non-negative integer';
  const f = p.features;
  if (
    f !== undefined &&
    (typeof f !== 'object' || f === null || typeof f.code !== 'boolean' || typeof f.tools !== 'boolean')
  )
    return 'promptInfo.features: expected code and tools as booleans';
  if (f !== undefined && badCount(f.steps))
    return 'promptInfo.features.steps: expected a non-negative integer';
  return undefined;
}
