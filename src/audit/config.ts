import { z } from 'zod';

/** `error` fails the run (exit 1), `warn` reports, `off` disables the policy. */
export const SeveritySchema = z.enum(['error', 'warn', 'off']);
export type Severity = z.infer<typeof SeveritySchema>;

const share = z.number().min(0).max(1);
const glob = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const section = <T extends z.ZodType>(obj: T) => z.preprocess((v) => v ?? {}, obj);
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => v ?? [], z.array(item));

/** `audit:` in finops.yaml. Every policy is on with the defaults below unless set to `severity: off`. */
export const AuditConfigSchema = section(
  z.strictObject({
    /** Severity per budget status (from `budgets:`). */
    budgets: section(
      z.strictObject({
        exceeded: SeveritySchema.default('error'),
        'forecast-exceeded': SeveritySchema.default('warn'),
        warn: SeveritySchema.default('warn'),
      }),
    ),
    /** Usage whose model has no price: any at all (max_share 0) warns by default. */
    unpriced: section(
      z.strictObject({ severity: SeveritySchema.default('warn'), max_share: share.default(0) }),
    ),
    /** Share of tokens that are priced; below `min` is a finding. */
    pricing_coverage: section(
      z.strictObject({ severity: SeveritySchema.default('error'), min: share.default(0.9) }),
    ),
    /** Cost with no team or no app (the attribution default) above a share of all cost. */
    unattributed: section(
      z.strictObject({ severity: SeveritySchema.default('warn'), max_share: share.default(0.05) }),
    ),
    /** Per-request token ceilings, per workflow: violations are counted (requests are never truncated). */
    token_ceilings: list(
      z
        .strictObject({
          workflow: glob.optional(),
          max_input_tokens: z.number().int().positive().optional(),
          max_output_tokens: z.number().int().positive().optional(),
          severity: SeveritySchema.default('warn'),
        })
        .refine((c) => c.max_input_tokens !== undefined || c.max_output_tokens !== undefined, {
          message: 'give max_input_tokens or max_output_tokens',
        }),
    ),
    /** A frontier model on a workflow the routing policy marks simple, with this much monthly saving at stake. */
    routing: section(
      z.strictObject({
        severity: SeveritySchema.default('warn'),
        min_monthly_saving_usd: z.number().nonnegative().default(10),
      }),
    ),
    /** RAG retrieval-to-utilization ratio (used ÷ retrieved chunks) below this, per workflow. */
    rag: section(
      z.strictObject({ severity: SeveritySchema.default('warn'), min_utilization: share.default(0.3) }),
    ),
    /** Runaway agent tasks (see `tasks:`). */
    runaway_tasks: section(z.strictObject({ severity: SeveritySchema.default('warn') })),
    /** Daily spend spikes per team. */
    anomalies: section(z.strictObject({ severity: SeveritySchema.default('warn') })),
    /** Month-over-month growth of a scope's cost (last full month of data against the one before). */
    growth: section(
      z.strictObject({
        severity: SeveritySchema.default('warn'),
        by: z.enum(['team', 'app', 'workflow', 'model', 'provider']).default('team'),
        max_growth: z.number().nonnegative().default(0.5),
        /** Ignore scopes whose cost rose by less than this (small scopes double easily). */
        min_increase_usd: z.number().nonnegative().default(10),
      }),
    ),
    /** With --baseline REPORT.json: a group growing beyond both limits. */
    baseline: section(
      z.strictObject({
        severity: SeveritySchema.default('error'),
        max_growth: z.number().nonnegative().default(0.2),
        max_increase_usd: z.number().nonnegative().default(50),
      }),
    ),
  }),
);
export type AuditConfig = z.output<typeof AuditConfigSchema>;
