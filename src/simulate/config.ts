import { z } from 'zod';

/**
 * The finops.yaml sections of `finops simulate` (docs/simulate.md): `routing`, `rag`, `cache`, `batch`. Each is
 * its own schema, so `ConfigSchema` adds them as `routing: RoutingConfigSchema` and so on, and a `--policy FILE`
 * is checked with the same schema. Errors name the key path (`routing.rules.0.tier: …`).
 */

/** A YAML key with nothing under it (only comments) is null: read it as empty, not as an error. */
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => v ?? [], z.array(item));
const section = <T extends z.ZodType>(obj: T) => z.preprocess((v) => v ?? {}, obj);

/** A glob (`*`, `?`; case-insensitive) or a list of globs, any of which may match. */
const GlobSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const globList = z.preprocess((v) => (typeof v === 'string' ? [v] : (v ?? [])), z.array(z.string().min(1)));
const tokens = z.number().int().nonnegative();
const fraction = z.number().min(0).max(1);

/** What the built-in complexity estimate says about a request (see `estimateComplexity`). */
export const COMPLEXITY_CLASSES = ['simple', 'medium', 'complex'] as const;
export type ComplexityClass = (typeof COMPLEXITY_CLASSES)[number];

/** Tier names are words: a name like `1` would be re-ordered by JavaScript objects and change the tier order. */
const TierName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'expected a tier name: a letter, then letters, digits, - or _');

/** When a routing rule applies: every key given must match (AND); an empty match matches every request. */
export const RoutingMatchSchema = z
  .strictObject({
    workflow: GlobSchema,
    app: GlobSchema,
    team: GlobSchema,
    project: GlobSchema,
    environment: GlobSchema,
    provider: GlobSchema,
    /** The request's canonical model id. */
    model: GlobSchema,
    /** `chat` when the source names none. */
    operation: GlobSchema,
    tags: z.record(z.string().min(1), GlobSchema),
    complexity: z.union([z.enum(COMPLEXITY_CLASSES), z.array(z.enum(COMPLEXITY_CLASSES)).min(1)]),
    /** Prompt size per request (input + cache read + cache write). */
    min_input_tokens: tokens,
    max_input_tokens: tokens,
    min_output_tokens: tokens,
    max_output_tokens: tokens,
  })
  .partial();
export type RoutingMatch = z.infer<typeof RoutingMatchSchema>;

export const RoutingRuleSchema = z
  .strictObject({
    /** Shown in the output; default `rule N`. */
    name: z.string().min(1).optional(),
    match: section(RoutingMatchSchema),
    /** Send matching requests down to this tier (a model of the same provider when the tier has one). */
    tier: TierName.optional(),
    /** Or to this model. */
    model: z.string().min(1).optional(),
  })
  .refine((r) => (r.tier === undefined) !== (r.model === undefined), {
    message: 'give exactly one of tier or model',
  });
export type RoutingRule = z.output<typeof RoutingRuleSchema>;

/** Thresholds of the complexity estimate, per request. */
export const ComplexityConfigSchema = z.strictObject({
  long_prompt: tokens.default(2000),
  very_long_prompt: tokens.default(8000),
  long_output: tokens.default(500),
  very_long_output: tokens.default(1500),
});
export type ComplexityConfig = z.output<typeof ComplexityConfigSchema>;

/** `routing:` — model tiers, most capable first, and ordered rules (the first that matches decides). */
export const RoutingConfigSchema = section(
  z
    .strictObject({
      /** Tier name → models (canonical ids or any name the price list resolves), most capable tier first. */
      tiers: section(z.record(TierName, z.array(z.string().min(1)).min(1))),
      /** Workflow globs pinned to the model they run on (never routed). */
      keep: globList,
      rules: list(RoutingRuleSchema),
      complexity: section(ComplexityConfigSchema),
      sensitivity: section(
        z.strictObject({
          /** Output length on the smaller model may differ by ± this share (0.2 = ±20 %). */
          output_change: fraction.default(0.2),
          /** This share of routed requests fails and is retried on the original model (paying both). */
          retry_share: fraction.default(0.1),
        }),
      ),
      quality: section(
        z.strictObject({
          /** `outcome` values that count as success. */
          success_outcomes: z.array(z.string().min(1)).default(['resolved']),
          /** The tag (metadata key) holding an eval score. */
          score_tag: z.string().min(1).default('eval_score'),
        }),
      ),
    })
    .superRefine((c, ctx) => {
      const tiers = Object.keys(c.tiers);
      c.rules.forEach((r, i) => {
        if (r.tier !== undefined && !tiers.includes(r.tier)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown tier "${r.tier}" (tiers: ${tiers.join(', ') || 'none'})`,
            path: ['rules', i, 'tier'],
          });
        }
      });
      const seen = new Map<string, string>();
      for (const [tier, models] of Object.entries(c.tiers)) {
        for (const m of models) {
          const other = seen.get(m.toLowerCase());
          if (other !== undefined && other !== tier) {
            ctx.addIssue({
              code: 'custom',
              message: `model "${m}" is in two tiers (${other} and ${tier})`,
              path: ['tiers', tier],
            });
          }
          seen.set(m.toLowerCase(), tier);
        }
      }
    }),
);
export type RoutingConfig = z.output<typeof RoutingConfigSchema>;

/** `rag:` — a context-trimming policy (any combination) and how to read totals-only logs. */
export const RagConfigSchema = section(
  z.strictObject({
    /** Keep the N best-scored chunks. */
    top_k: z.number().int().positive().optional(),
    /** Drop chunks scored below this. */
    min_score: z.number().finite().optional(),
    /** Keep chunks, best first, while their tokens fit in this many. */
    max_context_tokens: z.number().int().positive().optional(),
    /** A retrieval-to-utilization ratio (used / retrieved chunks) below this is flagged. */
    low_utilization: fraction.default(0.3),
    /** Tags (metadata keys) holding per-request totals, for logs without chunk lists. */
    totals: section(
      z.strictObject({
        context_tokens: z.string().min(1).default('rag_context_tokens'),
        chunks: z.string().min(1).default('rag_chunks'),
        used: z.string().min(1).default('rag_chunks_used'),
      }),
    ),
  }),
);
export type RagConfig = z.output<typeof RagConfigSchema>;

/** `cache:` — prompt-caching what-if. */
export const CacheConfigSchema = section(
  z.strictObject({
    /** Cache lifetime after the last use: `5m` (default everywhere) or `1h` (Anthropic, at the 1-hour write price). */
    ttl: z.enum(['5m', '1h']).default('5m'),
    /** Minimum cacheable prefix per model glob; the first match wins, before the built-in table. */
    min_tokens: list(z.strictObject({ model: z.string().min(1), tokens })),
    /** How many distinct prefixes are tracked one by one (memory bound); more are summed as "(other)". */
    max_prefixes: z.number().int().positive().default(10_000),
  }),
);
export type CacheConfig = z.output<typeof CacheConfigSchema>;

/** `batch:` — work no one waits for. A request is a candidate when any of the three matches. */
export const BatchConfigSchema = section(
  z.strictObject({
    workflows: globList,
    apps: globList,
    /** Every tag given must match (e.g. `interactive: "false"`). */
    tags: section(z.record(z.string().min(1), GlobSchema)),
  }),
);
export type BatchConfig = z.output<typeof BatchConfigSchema>;

/** The four sections together, as a config (or a `--policy FILE`) holds them. */
export const SimulateConfigSchema = z.object({
  routing: RoutingConfigSchema,
  rag: RagConfigSchema,
  cache: CacheConfigSchema,
  batch: BatchConfigSchema,
});
export type SimulateConfig = z.output<typeof SimulateConfigSchema>;
