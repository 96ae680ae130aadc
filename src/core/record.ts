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
export const TokensSchema = z.strictObject({
  input: count,
  cacheRead: count,
  cacheWrite: count,
  cacheWrite1h: count.optional(),
  output: count,
  reasoning: count.optional(),
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
  /** Canonical id after alias resolution (filled by the pricer when it can; parsers set it to modelRaw). */
  model: z.string().min(1),
  /** The source's own model string. */
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
        z.strictObject({ tokens: count, score: z.number().finite().optional(), used: z.boolean().optional() }),
      ),
    })
    .optional(),
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

/** What a parser yields, one item per input row (or per result inside a bucket). */
export type ParseItem = { kind: 'record'; record: UsageRecord } | { kind: 'problem'; problem: ParseProblem };

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
