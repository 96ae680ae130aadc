import { z } from 'zod';

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
  }),
);
export type Config = z.output<typeof ConfigSchema>;
