import { z } from 'zod';
import { AuditConfigSchema } from '../audit/config.ts';
import { CsvFormatsSchema } from './csv-mapping.ts';
import { KpisConfigSchema } from '../kpi/config.ts';
import {
  BatchConfigSchema,
  CacheConfigSchema,
  RagConfigSchema,
  RoutingConfigSchema,
} from '../simulate/config.ts';

/** A glob (`*` any run, `?` one character; case-insensitive) or a list of globs, any of which may match. */
const GlobSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export type Glob = z.infer<typeof GlobSchema>;

const DimValues = {
  app: z.string().min(1),
  team: z.string().min(1),
  workflow: z.string().min(1),
  project: z.string().min(1),
  apiKey: z.string().min(1),
  user: z.string().min(1),
  environment: z.string().min(1),
};

export const MatchSchema = z
  .strictObject({
    provider: GlobSchema,
    model: GlobSchema,
    project: GlobSchema,
    apiKey: GlobSchema,
    user: GlobSchema,
    app: GlobSchema,
    team: GlobSchema,
    workflow: GlobSchema,
    environment: GlobSchema,
    format: GlobSchema,
    tags: z.record(z.string().min(1), GlobSchema),
  })
  .partial();
export type Match = z.infer<typeof MatchSchema>;

export const RuleSchema = z.strictObject({
  /** Every key given must match (AND); an empty match matches everything. */
  match: MatchSchema.default({}),
  /** Dimensions to fill. A value the source already set, or an earlier rule set, is kept. */
  set: z
    .strictObject(DimValues)
    .partial()
    .refine((s) => Object.keys(s).length > 0, 'set needs at least one dimension'),
});
export type Rule = z.infer<typeof RuleSchema>;

/** A YAML key with nothing under it (only comments) is null: read it as empty, not as an error. */
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => v ?? [], z.array(item));
const section = <T extends z.ZodType>(obj: T) => z.preprocess((v) => v ?? {}, obj);

const price = z.number().nonnegative().finite();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const PriceOverrideSchema = z
  .strictObject({
    model: z.string().min(1),
    provider: z.string().min(1).optional(),
    /** Fraction off list price, 0..1 (0.15 = 15 % off). */
    discount: z.number().min(0).max(1).optional(),
    input: price.optional(),
    output: price.optional(),
    cache_read: price.optional(),
    cache_write_5m: price.optional(),
    cache_write_1h: price.optional(),
    batch_input: price.optional(),
    batch_output: price.optional(),
    effective_from: isoDate.optional(),
    mode: z.enum(['chat', 'embedding', 'completion', 'responses']).optional(),
  })
  .refine((o) => o.discount !== undefined || (o.input !== undefined && o.output !== undefined), {
    message: 'give either discount, or input and output prices (USD per 1M tokens)',
  })
  .refine((o) => !(o.discount !== undefined && o.input !== undefined), {
    message: 'give either discount or prices, not both',
  });
export type PriceOverrideConfig = z.infer<typeof PriceOverrideSchema>;

/** A scope: dimension globs that must all match (as `--filter`), plus tags. An empty scope is everything. */
export const ScopeSchema = z
  .strictObject({
    provider: GlobSchema,
    model: GlobSchema,
    app: GlobSchema,
    team: GlobSchema,
    workflow: GlobSchema,
    project: GlobSchema,
    apiKey: GlobSchema,
    user: GlobSchema,
    environment: GlobSchema,
    tags: z.record(z.string().min(1), GlobSchema),
  })
  .partial();
export type Scope = z.infer<typeof ScopeSchema>;

const fraction = z.number().positive().max(10);

export const BudgetSchema = z
  .strictObject({
    name: z.string().min(1),
    scope: section(ScopeSchema),
    /** `month` (calendar), `quarter` (calendar), or `fiscal-month` starting on `start_day`. */
    period: z.enum(['month', 'quarter', 'fiscal-month']).default('month'),
    start_day: z.number().int().min(1).max(28).optional(),
    amount_usd: z.number().positive().finite().optional(),
    amount_tokens: z.number().int().positive().optional(),
    /** Share of the amount at which the budget warns (default 0.8). */
    alert_at: fraction.default(0.8),
    /** Share of the amount at which it is exceeded (default 1.0). */
    hard_stop_at: fraction.default(1),
  })
  .refine((b) => (b.amount_usd === undefined) !== (b.amount_tokens === undefined), {
    message: 'give exactly one of amount_usd or amount_tokens',
  })
  .refine((b) => b.alert_at <= b.hard_stop_at, {
    message: 'alert_at must not be above hard_stop_at',
    path: ['alert_at'],
  })
  .refine((b) => (b.period === 'fiscal-month') === (b.start_day !== undefined), {
    message: 'start_day is required for period fiscal-month, and only for it',
    path: ['start_day'],
  });
export type Budget = z.output<typeof BudgetSchema>;

/** Agent-task ceilings: a task above any of them is a runaway, whatever the workflow's norm. */
export const TaskCeilingSchema = z
  .strictObject({
    workflow: GlobSchema.optional(),
    max_steps: z.number().int().positive().optional(),
    max_cost_usd: z.number().positive().finite().optional(),
    max_tokens: z.number().int().positive().optional(),
  })
  .refine((c) => c.max_steps !== undefined || c.max_cost_usd !== undefined || c.max_tokens !== undefined, {
    message: 'give at least one of max_steps, max_cost_usd, max_tokens',
  });
export type TaskCeiling = z.output<typeof TaskCeilingSchema>;

/** finops.yaml as written by the user. */
export const ConfigSchema = section(
  z.strictObject({
    /** IANA zone for day/week/month boundaries; `--tz` wins. */
    timezone: z.string().min(1).optional(),
    attribution: section(
      z.strictObject({
        rules: list(RuleSchema),
        /** Value shown for app/team/workflow/environment that no source or rule filled. */
        default: z.string().min(1).default('unattributed'),
      }),
    ),
    pricing: section(
      z.strictObject({
        /** An imported price list (`finops pricing import … --into FILE`), relative to this file. */
        catalog: z.string().min(1).optional(),
        overrides: list(PriceOverrideSchema),
      }),
    ),
    budgets: list(BudgetSchema).superRefine((bs, ctx) => {
      const seen = new Set<string>();
      bs.forEach((b, i) => {
        if (seen.has(b.name)) {
          ctx.addIssue({ code: 'custom', message: `duplicate budget name "${b.name}"`, path: [i, 'name'] });
        }
        seen.add(b.name);
      });
    }),
    /** User-mapped CSV formats (docs/formats.md "Any CSV"). */
    csv_formats: z.preprocess((v) => v ?? [], CsvFormatsSchema),
    tasks: section(
      z.strictObject({
        /** Runaway when a task costs this many times its workflow's median (and is a robust outlier). */
        runaway_factor: z.number().min(1).default(5),
        ceilings: list(TaskCeilingSchema),
      }),
    ),
    /** Business KPIs (docs/kpi.md). */
    kpis: KpisConfigSchema,
    /** `finops simulate` policies (docs/simulate.md). */
    routing: RoutingConfigSchema,
    rag: RagConfigSchema,
    cache: CacheConfigSchema,
    batch: BatchConfigSchema,
    /** `finops audit` policies (docs/ci.md). */
    audit: AuditConfigSchema,
  }),
);
export type Config = z.output<typeof ConfigSchema>;
