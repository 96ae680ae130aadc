import { z } from 'zod';

/**
 * `kpis:` in finops.yaml: business metrics that put AI spend next to outcomes (docs/kpi.md). Each KPI is a
 * numerator over a denominator, per period, for one scope. Kept in its own module with no import from
 * src/config/schema.ts (which imports this one), so there is no import cycle; KpiScopeSchema mirrors ScopeSchema
 * (test/kpi/config.test.ts checks that the two accept the same keys).
 */

const GlobSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** The usage a KPI covers: dimension globs that must all match, as in budgets and `--filter`. */
export const KpiScopeSchema = z
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
export type KpiScope = z.infer<typeof KpiScopeSchema>;

/** Shorthand quantities written as a bare word. */
export const USAGE_QUANTITIES = ['cost', 'requests'] as const;

const QUANTITY_HELP =
  'expected cost, requests, { outcome: <name or list>, count: tasks|requests } or { metric: <outcomes-file metric> }';

const outcomeName = z
  .string()
  .min(1)
  .transform((s) => s.toLowerCase());

const QuantityObjectSchema = z
  .strictObject(
    {
      /** `cost` (USD of the scope's usage) or `requests`; written as the bare word. */
      of: z.enum(USAGE_QUANTITIES, { error: QUANTITY_HELP }).optional(),
      /** Log outcomes to count (case-insensitive); `"*"` counts every outcome. */
      outcome: z.union([outcomeName, z.array(outcomeName).min(1)]).optional(),
      /** Count tasks (default: a task's final outcome, escalated if any step was) or single requests. */
      count: z.enum(['tasks', 'requests']).optional(),
      /** Outcomes that mark a task as escalated to a human, whatever its last step says (default [escalated]). */
      escalation: z.array(outcomeName).min(1).optional(),
      /** An outcomes-file metric (case-insensitive), summed over the rows that match the scope and period. */
      metric: z
        .string()
        .min(1)
        .transform((s) => s.toLowerCase())
        .optional(),
      /** Where this quantity is counted, when not the KPI's scope (outcomes and metrics only). */
      scope: z.preprocess((v) => v ?? {}, KpiScopeSchema).optional(),
    },
    { error: (iss) => (iss.code === 'invalid_type' ? QUANTITY_HELP : undefined) },
  )
  .superRefine((q, ctx) => {
    const kinds = [q.of, q.outcome, q.metric].filter((x) => x !== undefined).length;
    if (kinds !== 1) {
      ctx.addIssue({ code: 'custom', message: `give exactly one of outcome or metric (${QUANTITY_HELP})` });
      return;
    }
    if (q.outcome === undefined && (q.count !== undefined || q.escalation !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'count and escalation apply to { outcome: … } only',
        path: [q.count !== undefined ? 'count' : 'escalation'],
      });
    }
    if (q.of !== undefined && q.scope !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${q.of} is always counted over the KPI's scope; move scope to the KPI`,
        path: ['scope'],
      });
    }
  });

/** A numerator or denominator: a bare `cost`/`requests`, or an `{ outcome }` / `{ metric }` object. */
export const QuantitySchema = z
  .preprocess(
    (v) => (typeof v === 'string' && (USAGE_QUANTITIES as readonly string[]).includes(v) ? { of: v } : v),
    QuantityObjectSchema,
  )
  .transform((q): Quantity => {
    if (q.of !== undefined) return { kind: q.of };
    if (q.metric !== undefined) return { kind: 'metric', metric: q.metric, scope: q.scope };
    const list = typeof q.outcome === 'string' ? [q.outcome] : q.outcome!;
    return {
      kind: 'outcome',
      outcomes: list.includes('*') ? '*' : [...new Set(list)].sort(),
      count: q.count ?? 'tasks',
      escalation: [...new Set(q.escalation ?? ['escalated'])].sort(),
      scope: q.scope,
    };
  });

/** A quantity after validation. */
export type Quantity =
  | { kind: 'cost' }
  | { kind: 'requests' }
  | {
      kind: 'outcome';
      /** Lower-cased outcome names, sorted; `'*'` = any outcome. */
      outcomes: string[] | '*';
      count: 'tasks' | 'requests';
      /** Lower-cased, sorted. */
      escalation: string[];
      scope: KpiScope | undefined;
    }
  | { kind: 'metric'; metric: string; scope: KpiScope | undefined };

/** How a KPI's value is shown. */
export const KPI_UNITS = ['usd', 'percent', 'number'] as const;
export type KpiUnit = (typeof KPI_UNITS)[number];

const positive = z.number().positive().finite();

export const KpiSchema = z
  .strictObject({
    /** Identifier (kebab-case), used by `--kpi`, CSV and JSON. */
    name: z
      .string({ error: 'expected a name' })
      .regex(
        /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
        'expected a kebab-case name (a-z, 0-9 and -, e.g. "cost-per-ticket")',
      ),
    /** What people read ("Cost per resolved ticket"); default: the name. */
    title: z.string().min(1).optional(),
    /** `ratio`: numerator ÷ denominator. `human_equivalent`: AI cost per hour of equivalent human work. */
    kind: z.enum(['ratio', 'human_equivalent']).default('ratio'),
    /** The AI usage whose cost (and log outcomes) the KPI counts; outcomes-file rows join on the same keys. */
    scope: z.preprocess((v) => v ?? {}, KpiScopeSchema),
    numerator: QuantitySchema.default({ kind: 'cost' }),
    denominator: QuantitySchema,
    /** The human baseline: minutes of human work one denominator unit stands for, and the role's hourly rate. */
    human: z
      .strictObject({
        minutes_per_outcome: positive,
        hourly_rate_usd: positive,
      })
      .optional(),
    /** Default: usd when the numerator is cost (or kind is human_equivalent), percent for outcome ÷ outcome. */
    unit: z.enum(KPI_UNITS).optional(),
    /** Which way is good. Default: lower when the numerator is cost, higher otherwise. */
    better: z.enum(['lower', 'higher']).optional(),
    /** Target value, in the KPI's unit (a percent as a fraction: 0.2 = 20 %). */
    target: z.number().finite().optional(),
  })
  .superRefine((k, ctx) => {
    if (k.kind === 'human_equivalent') {
      if (k.human === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'kind human_equivalent needs human: { minutes_per_outcome, hourly_rate_usd }',
          path: ['human'],
        });
      }
      if (k.numerator.kind !== 'cost') {
        ctx.addIssue({
          code: 'custom',
          message: 'kind human_equivalent divides AI cost: numerator must be cost',
          path: ['numerator'],
        });
      }
    } else if (k.human !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'human is used only with kind: human_equivalent',
        path: ['human'],
      });
    }
  });

/** One `kpis` entry as written (before defaults). */
export type KpiInput = z.input<typeof KpiSchema>;
/** One `kpis` entry, validated, defaults applied. */
export type KpiConfig = z.output<typeof KpiSchema>;

/** The whole `kpis:` list; names are unique. A key with nothing under it reads as an empty list. */
export const KpisConfigSchema = z.preprocess(
  (v) => v ?? [],
  z.array(KpiSchema).superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((k, i) => {
      const first = seen.get(k.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate name "${k.name}" (also entry ${first})`,
          path: [i, 'name'],
        });
      } else seen.set(k.name, i);
    });
  }),
);
export type KpisConfig = z.output<typeof KpisConfigSchema>;

/** The unit a KPI is shown in: the configured one, else derived from its kind and quantities. */
export function kpiUnit(k: KpiConfig): KpiUnit {
  if (k.unit) return k.unit;
  if (k.kind === 'human_equivalent' || k.numerator.kind === 'cost') return 'usd';
  if (k.numerator.kind === 'outcome' && k.denominator.kind === 'outcome') return 'percent';
  return 'number';
}

/** Which way is good for a KPI: the configured one, else lower for a cost numerator, higher otherwise. */
export function kpiBetter(k: KpiConfig): 'lower' | 'higher' {
  return k.better ?? (k.numerator.kind === 'cost' ? 'lower' : 'higher');
}

/** A quantity in words, for tables and docs: `cost`, `tasks resolved`, `metric revenue`. */
export function describeQuantity(q: Quantity): string {
  switch (q.kind) {
    case 'cost':
      return 'AI cost';
    case 'requests':
      return 'requests';
    case 'metric':
      return q.metric;
    case 'outcome': {
      const what = q.outcomes === '*' ? 'with an outcome' : q.outcomes.join('|');
      return `${q.count} ${what}`;
    }
  }
}
