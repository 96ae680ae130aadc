import { readFile } from 'node:fs/promises';
import { Aggregator, groupCost, type GroupDim } from '../analysis/aggregate.ts';
import { BudgetTracker } from '../analysis/budget.ts';
import type { Report } from '../analysis/report.ts';
import { SpikeFinder } from '../analysis/spikes.ts';
import { TaskTracker } from '../analysis/tasks.ts';
import { anyGlob } from '../attribution/glob.ts';
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { money, SCHEMA_VERSION } from '../core/output.ts';
import { formatProblem, totalTokens } from '../core/record.ts';
import { ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import { scanUsage, type ScanOptions, type ScanResult } from '../pipeline/scan.ts';
import type { RoutingOpportunity } from './routing.ts';
import { fmtInt, fmtUsd } from '../render/format.ts';
import type { AuditConfig, Severity } from './config.ts';

/** Every policy finops audits, in report order. */
export const POLICIES = [
  {
    id: 'budget',
    title: 'Budgets',
    help: 'A budget in finops.yaml reached warn, forecast-exceeded or exceeded.',
  },
  {
    id: 'unpriced-usage',
    title: 'Unpriced usage',
    help: 'Usage whose model has no price in force: its cost is missing from every figure.',
  },
  {
    id: 'pricing-coverage',
    title: 'Pricing coverage',
    help: 'The share of tokens that could be priced is below the minimum.',
  },
  {
    id: 'unattributed-spend',
    title: 'Unattributed spend',
    help: 'Cost with no team or app is above the allowed share.',
  },
  {
    id: 'token-ceiling',
    title: 'Per-request token ceilings',
    help: 'Requests above a workflow’s input or output token ceiling (counted, never truncated).',
  },
  {
    id: 'routing-opportunity',
    title: 'Frontier model on simple work',
    help: 'A workflow the routing policy marks simple runs on a frontier model, with savings at stake.',
  },
  {
    id: 'rag-utilization',
    title: 'RAG retrieval-to-utilization',
    help: 'Retrieved context chunks that the answer used, as a share of those retrieved, is below the threshold.',
  },
  {
    id: 'runaway-task',
    title: 'Runaway agent tasks',
    help: 'Agent tasks far above their workflow’s norm or above a ceiling.',
  },
  {
    id: 'spend-anomaly',
    title: 'Daily spend anomalies',
    help: 'A day whose spend is far above its team’s norm.',
  },
  {
    id: 'cost-growth',
    title: 'Month-over-month growth',
    help: 'A scope’s monthly cost grew beyond the limit.',
  },
  {
    id: 'baseline-growth',
    title: 'Cost diff against a baseline',
    help: 'A group grew beyond both limits against the baseline report.',
  },
] as const;
export type PolicyId = (typeof POLICIES)[number]['id'];

/** One thing the audit found, with what to do about it. */
export interface Finding {
  /** The policy (`budget`, `unpriced-usage`, …). */
  policy: PolicyId;
  /** Stable id of this finding: policy + scope (for dedup in CI dashboards). */
  id: string;
  severity: 'error' | 'warn';
  scope: Record<string, string>;
  /** The measured figure and the limit it broke, in `unit`. */
  figure: number;
  threshold: number;
  unit: 'usd' | 'share' | 'tokens' | 'count' | 'ratio';
  message: string;
  action: string;
}

/** `finops audit` result. */
export interface AuditReport {
  schemaVersion: typeof SCHEMA_VERSION;
  command: 'audit';
  period: { from: string | null; to: string | null };
  /** Which policies ran and at what severity (`off` ones are listed as skipped). */
  policies: { id: PolicyId; title: string; severity: Severity; ran: boolean; why?: string }[];
  findings: Finding[];
  summary: { errors: number; warnings: number };
  problems: { skipped: number; duplicates: number; first: string | null };
}

export interface AuditOptions {
  scan: ScanOptions;
  config: Config;
  audit: AuditConfig;
  /** A previous `finops report --format json`. */
  baselineFile?: string;
  /** Evaluate budgets as of this day. */
  asOf?: string;
  /** The routing simulation of finops.yaml (src/audit/routing.ts), when a routing policy exists. */
  routing?: { add(p: PricedRecord): void; result(scan: ScanResult): RoutingOpportunity[] };
}

interface CeilingCount {
  workflow: string;
  kind: 'input' | 'output';
  limit: number;
  count: number;
  max: number;
  severity: 'error' | 'warn';
}

/** Runs every policy over one scan of the inputs. */
export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  const a = opts.audit;
  const tz = opts.scan.tz;
  const fallback = opts.config.attribution.default;
  const baseline = opts.baselineFile ? await loadBaseline(opts.baselineFile) : undefined;

  const total = new Aggregator(['team', 'app'], new ZonedCalendar(tz));
  const budgets = opts.config.budgets.length > 0 ? new BudgetTracker(opts.config.budgets, tz) : undefined;
  const tasks = new TaskTracker();
  const spikes = new SpikeFinder(['team'], tz);
  const monthly = new Aggregator([a.growth.by, 'month'], new ZonedCalendar(tz));
  const base = baseline ? new Aggregator(baseline.by, new ZonedCalendar(tz)) : undefined;
  const rag = new Map<string, { retrieved: number; used: number; requests: number }>();
  const ceilings: CeilingCount[] = [];

  const sink = (p: PricedRecord) => {
    const r = p.record;
    total.add(p);
    budgets?.add(p);
    tasks.add(p);
    spikes.add(p);
    monthly.add(p);
    base?.add(p);
    opts.routing?.add(p);
    const wf = r.dims.workflow ?? fallback;
    if (r.rag && r.rag.chunks.length > 0) {
      let s = rag.get(wf);
      if (!s) rag.set(wf, (s = { retrieved: 0, used: 0, requests: 0 }));
      s.requests++;
      s.retrieved += r.rag.chunks.length;
      for (const c of r.rag.chunks) if (c.used === true) s.used++;
    }
    // Ceilings are per request: buckets of several requests cannot be judged.
    if (r.requests === 1) {
      for (const c of a.token_ceilings) {
        if (c.severity === 'off' || (c.workflow !== undefined && !anyGlob(c.workflow, wf))) continue;
        const prompt = r.tokens.input + r.tokens.cacheRead + r.tokens.cacheWrite;
        if (c.max_input_tokens !== undefined && prompt > c.max_input_tokens)
          bump(ceilings, wf, 'input', c.max_input_tokens, prompt, c.severity);
        if (c.max_output_tokens !== undefined && r.tokens.output > c.max_output_tokens)
          bump(ceilings, wf, 'output', c.max_output_tokens, r.tokens.output, c.severity);
      }
    }
  };
  const scan = await scanUsage(opts.scan, sink);

  const findings: Finding[] = [];
  const ran = new Map<PolicyId, { severity: Severity; ran: boolean; why?: string }>();
  const policy = (id: PolicyId, severity: Severity, why?: string) => {
    ran.set(id, { severity, ran: severity !== 'off' && why === undefined, why });
    return severity !== 'off' && why === undefined;
  };
  const add = (f: Omit<Finding, 'id'> & { key: string }) => {
    const { key, ...rest } = f;
    findings.push({ ...rest, id: `${f.policy}:${key}` });
  };

  // Budgets.
  if (budgets) {
    const statuses = a.budgets;
    const sev = ([statuses.exceeded, statuses['forecast-exceeded'], statuses.warn] as Severity[]).some(
      (s) => s !== 'off',
    )
      ? 'warn'
      : 'off';
    policy('budget', sev);
    const br = budgets.result(scan, opts.asOf);
    for (const b of br.budgets) {
      if (b.status === 'ok') continue;
      const s = statuses[b.status];
      if (s === 'off') continue;
      const amount = b.unit === 'usd' ? fmtUsd(b.amount) : `${fmtInt(b.amount)} tokens`;
      const forecast = b.status === 'forecast-exceeded' && b.forecast;
      add({
        policy: 'budget',
        key: b.name,
        severity: s,
        scope: { budget: b.name, ...flatScope(b.scope) },
        figure: forecast ? b.forecast!.share : b.share,
        threshold: b.status === 'warn' ? b.alertAt : b.hardStopAt,
        unit: 'share',
        message: forecast
          ? `${b.name} is at ${pct(b.share)} of ${amount} and forecast to reach ${pct(b.forecast!.share)} by ${b.period.end}${b.hardStop && !b.hardStop.actual ? ` (hard stop ~${b.hardStop.date})` : ''}`
          : `${b.name} is at ${pct(b.share)} of ${amount} for ${b.period.label} (${b.status === 'warn' ? `alert at ${pct(b.alertAt)}` : `hard stop at ${pct(b.hardStopAt)}`})`,
        action: `See what drives it: finops report --by workflow,model ${scopeFlags(b.scope)}; cut the drivers or raise the budget in finops.yaml.`,
      });
    }
  } else policy('budget', 'off', 'no budgets in finops.yaml');

  // Unpriced usage and pricing coverage (by tokens: the cost of unpriced usage is unknown by definition).
  const t = total.result().total;
  const allTokens = totalTokens(t.tokens);
  const unpricedTokens = totalTokens(t.unpricedTokens);
  const unpricedShare = allTokens > 0 ? unpricedTokens / allTokens : 0;
  const unpricedModels = total.result().unpriced.map((u) => u.model);
  if (
    policy('unpriced-usage', a.unpriced.severity) &&
    unpricedTokens > 0 &&
    unpricedShare > a.unpriced.max_share
  ) {
    add({
      policy: 'unpriced-usage',
      key: unpricedModels.join(','),
      severity: a.unpriced.severity as 'error' | 'warn',
      scope: { models: unpricedModels.join(', ') },
      figure: round(unpricedShare),
      threshold: a.unpriced.max_share,
      unit: 'share',
      message: `${fmtInt(t.unpricedRequests)} request(s), ${pct(unpricedShare)} of tokens, have no price: ${unpricedModels.join(', ')}`,
      action:
        'Add their prices under pricing.overrides in finops.yaml, or import a current price list with `finops pricing import`.',
    });
  }
  if (
    policy('pricing-coverage', a.pricing_coverage.severity) &&
    allTokens > 0 &&
    1 - unpricedShare < a.pricing_coverage.min
  ) {
    add({
      policy: 'pricing-coverage',
      key: 'all',
      severity: a.pricing_coverage.severity as 'error' | 'warn',
      scope: {},
      figure: round(1 - unpricedShare),
      threshold: a.pricing_coverage.min,
      unit: 'share',
      message: `only ${pct(1 - unpricedShare)} of tokens are priced (minimum ${pct(a.pricing_coverage.min)}): every cost figure misses the rest`,
      action: 'Price the unpriced models (pricing.overrides) before trusting totals.',
    });
  }

  // Unattributed spend: cost with no team or no app.
  if (policy('unattributed-spend', a.unattributed.severity)) {
    const groups = total.result().groups;
    const all = groups.reduce((s, g) => s + groupCost(g), 0);
    const un = groups
      .filter((g) => g.key.team === fallback || g.key.app === fallback)
      .reduce((s, g) => s + groupCost(g), 0);
    if (all > 0 && un / all > a.unattributed.max_share) {
      add({
        policy: 'unattributed-spend',
        key: 'all',
        severity: a.unattributed.severity as 'error' | 'warn',
        scope: {},
        figure: round(un / all),
        threshold: a.unattributed.max_share,
        unit: 'share',
        message: `${fmtUsd(un)} (${pct(un / all)}) of ${fmtUsd(all)} has no team or app`,
        action: `Find it with finops report --filter team=${fallback} --by project,apiKey,model, then add attribution rules in finops.yaml (or tag the calls).`,
      });
    }
  }

  // Token ceilings.
  if (a.token_ceilings.length === 0) policy('token-ceiling', 'off', 'no audit.token_ceilings in finops.yaml');
  else {
    policy('token-ceiling', a.token_ceilings.some((c) => c.severity === 'error') ? 'error' : 'warn');
    for (const c of ceilings) {
      add({
        policy: 'token-ceiling',
        key: `${c.workflow}:${c.kind}`,
        severity: c.severity,
        scope: { workflow: c.workflow },
        figure: c.count,
        threshold: c.limit,
        unit: 'count',
        message: `${fmtInt(c.count)} request(s) of workflow ${c.workflow} had more than ${fmtInt(c.limit)} ${c.kind} tokens (largest ${fmtInt(c.max)})`,
        action:
          c.kind === 'input'
            ? 'Trim the prompt or retrieved context for this workflow (see `finops simulate rag`), or raise the ceiling.'
            : 'Cap max_tokens for this workflow, or raise the ceiling.',
      });
    }
  }

  // Routing opportunities (needs a routing policy).
  if (!opts.routing) policy('routing-opportunity', 'off', 'no routing: policy in finops.yaml');
  else if (policy('routing-opportunity', a.routing.severity)) {
    for (const w of opts.routing.result(scan)) {
      if (w.monthlySavingUsd < a.routing.min_monthly_saving_usd) continue;
      add({
        policy: 'routing-opportunity',
        key: w.workflow,
        severity: a.routing.severity as 'error' | 'warn',
        scope: { workflow: w.workflow },
        figure: money(w.monthlySavingUsd),
        threshold: a.routing.min_monthly_saving_usd,
        unit: 'usd',
        message: `workflow ${w.workflow}: the routing policy would move ${fmtInt(w.routed)} of ${fmtInt(w.requests)} request(s) off the top tier (${w.frontierModels.join(', ') || 'frontier'}), ${fmtUsd(w.monthlySavingUsd)} a month at stake`,
        action: `Route it as the policy says: finops simulate routing --filter workflow=${w.workflow} shows the saving, its sensitivity and the quality signals.`,
      });
    }
  }

  // RAG retrieval-to-utilization.
  if (policy('rag-utilization', a.rag.severity)) {
    for (const [wf, s] of [...rag].sort()) {
      const ratio = s.retrieved > 0 ? s.used / s.retrieved : 1;
      if (ratio >= a.rag.min_utilization) continue;
      add({
        policy: 'rag-utilization',
        key: wf,
        severity: a.rag.severity as 'error' | 'warn',
        scope: { workflow: wf },
        figure: round(ratio),
        threshold: a.rag.min_utilization,
        unit: 'ratio',
        message: `workflow ${wf} used ${fmtInt(s.used)} of ${fmtInt(s.retrieved)} retrieved chunks (${pct(ratio)}) over ${fmtInt(s.requests)} request(s)`,
        action: `Retrieve fewer, better chunks (top-k, a relevance threshold): finops simulate rag --filter workflow=${wf} prices the options.`,
      });
    }
  }

  // Runaway agent tasks, one finding per workflow.
  if (policy('runaway-task', a.runaway_tasks.severity)) {
    const tr = tasks.result(scan, {
      ceilings: opts.config.tasks.ceilings,
      factor: opts.config.tasks.runaway_factor,
      top: 0,
    });
    const byWf = new Map<string, typeof tr.runaways>();
    for (const x of tr.runaways) byWf.set(x.workflow, [...(byWf.get(x.workflow) ?? []), x]);
    for (const [wf, list] of byWf) {
      const worst = list[0]!;
      add({
        policy: 'runaway-task',
        key: wf,
        severity: a.runaway_tasks.severity as 'error' | 'warn',
        scope: { workflow: wf },
        figure: list.length,
        threshold: 0,
        unit: 'count',
        message: `${list.length} runaway task(s) in ${wf}; worst ${worst.task}: ${worst.steps} steps, ${fmtUsd(worst.cost)} (${worst.runaway})`,
        action: `Cap steps per task in the agent loop and alert on it; inspect with finops tasks --filter workflow=${wf}.`,
      });
    }
  }

  // Daily spend anomalies per team.
  if (policy('spend-anomaly', a.anomalies.severity)) {
    for (const s of spikes.result()) {
      add({
        policy: 'spend-anomaly',
        key: `${s.date}:${s.scope.team}`,
        severity: a.anomalies.severity as 'error' | 'warn',
        scope: { team: s.scope.team!, date: s.date },
        figure: s.actual,
        threshold: s.expected,
        unit: 'usd',
        message: `team ${s.scope.team} spent ${fmtUsd(s.actual)} on ${s.date}, ${(s.actual / Math.max(s.expected, 1e-9)).toFixed(1)}× its usual ${fmtUsd(s.expected)} (score ${s.score})`,
        action: `See what ran that day: finops report --filter team=${s.scope.team} --from ${s.date} --to ${s.date} --by workflow,model.`,
      });
    }
  }

  // Month-over-month growth.
  if (policy('cost-growth', a.growth.severity)) {
    const byScope = new Map<string, Map<string, number>>();
    const months = new Set<string>();
    for (const g of monthly.result().groups) {
      const scope = g.key[a.growth.by]!;
      const m = g.key.month!;
      months.add(m);
      if (!byScope.has(scope)) byScope.set(scope, new Map());
      byScope.get(scope)!.set(m, groupCost(g));
    }
    const sorted = [...months].sort();
    if (sorted.length >= 2) {
      const [prev, last] = sorted.slice(-2) as [string, string];
      for (const [scope, m] of [...byScope].sort()) {
        const before = m.get(prev) ?? 0;
        const now = m.get(last) ?? 0;
        if (before <= 0 || now - before < a.growth.min_increase_usd) continue;
        const growth = (now - before) / before;
        if (growth <= a.growth.max_growth) continue;
        add({
          policy: 'cost-growth',
          key: `${a.growth.by}=${scope}:${last}`,
          severity: a.growth.severity as 'error' | 'warn',
          scope: { [a.growth.by]: scope, month: last },
          figure: round(growth),
          threshold: a.growth.max_growth,
          unit: 'share',
          message: `${a.growth.by} ${scope} cost ${fmtUsd(now)} in ${last}, +${pct(growth)} on ${prev} (${fmtUsd(before)})`,
          action: `Compare the two months: finops report --filter ${a.growth.by}=${scope} --by month,workflow,model.`,
        });
      }
    }
  }

  // Cost diff against a baseline report.
  if (!baseline || !base) policy('baseline-growth', 'off', 'no --baseline given');
  else if (policy('baseline-growth', a.baseline.severity)) {
    for (const g of base.result().groups) {
      const key = JSON.stringify(baseline.by.map((d) => g.key[d]));
      const before = baseline.costs.get(key) ?? 0;
      const now = groupCost(g);
      const increase = now - before;
      const growth = before > 0 ? increase / before : Infinity;
      if (increase <= a.baseline.max_increase_usd || growth <= a.baseline.max_growth) continue;
      const label = baseline.by.map((d) => `${d}=${g.key[d]}`).join(', ');
      add({
        policy: 'baseline-growth',
        key: label,
        severity: a.baseline.severity as 'error' | 'warn',
        scope: Object.fromEntries(baseline.by.map((d) => [d, g.key[d]!])),
        figure: money(increase),
        threshold: a.baseline.max_increase_usd,
        unit: 'usd',
        message: `${label}: ${fmtUsd(now)} against ${fmtUsd(before)} in the baseline (${before > 0 ? `+${pct(growth)}` : 'new'}, +${fmtUsd(increase)})`,
        action: 'Check the change that caused it; update the baseline if the growth is intended.',
      });
    }
  }

  findings.sort(
    (x, y) =>
      (x.severity === y.severity ? 0 : x.severity === 'error' ? -1 : 1) ||
      POLICIES.findIndex((p) => p.id === x.policy) - POLICIES.findIndex((p) => p.id === y.policy) ||
      x.id.localeCompare(y.id),
  );
  return {
    schemaVersion: SCHEMA_VERSION,
    command: 'audit',
    period: { from: scan.from ?? t.firstStart ?? null, to: scan.to ?? t.lastEnd ?? null },
    policies: POLICIES.map((p) => ({
      id: p.id,
      title: p.title,
      ...(ran.get(p.id) ?? { severity: 'off' as Severity, ran: false }),
    })),
    findings,
    summary: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warn').length,
    },
    problems: {
      skipped: scan.stats.skipped,
      duplicates: scan.stats.duplicates,
      first: scan.stats.problems[0] ? formatProblem(scan.stats.problems[0]) : null,
    },
  };
}

function bump(
  list: CeilingCount[],
  workflow: string,
  kind: 'input' | 'output',
  limit: number,
  value: number,
  severity: 'error' | 'warn',
): void {
  let c = list.find((x) => x.workflow === workflow && x.kind === kind && x.limit === limit);
  if (!c) list.push((c = { workflow, kind, limit, count: 0, max: 0, severity }));
  c.count++;
  if (value > c.max) c.max = value;
  if (severity === 'error') c.severity = 'error';
}

function flatScope(scope: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(scope)) {
    if (k === 'tags' && v && typeof v === 'object')
      for (const [t, g] of Object.entries(v)) out[`tags.${t}`] = String(g);
    else out[k] = Array.isArray(v) ? v.join('|') : String(v);
  }
  return out;
}

function scopeFlags(scope: Record<string, unknown>): string {
  return Object.entries(flatScope(scope))
    .map(([k, v]) => `--filter ${k}=${v}`)
    .join(' ');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** A previous report's group costs, by the same grouping. */
async function loadBaseline(file: string): Promise<{ by: GroupDim[]; costs: Map<string, number> }> {
  let json: Report;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as Report;
  } catch (e) {
    throw new ConfigError(`--baseline ${file}: cannot read a finops report JSON (${(e as Error).message})`);
  }
  if (
    json?.schemaVersion !== SCHEMA_VERSION ||
    json.command !== 'report' ||
    !Array.isArray(json.groups) ||
    !Array.isArray(json.by)
  ) {
    throw new ConfigError(
      `--baseline ${file}: not a \`finops report --format json\` document of schemaVersion ${SCHEMA_VERSION}`,
    );
  }
  if (json.other) {
    throw new ConfigError(
      `--baseline ${file}: the report was cut with --top; write the baseline without --top so every group is there`,
    );
  }
  const costs = new Map<string, number>();
  for (const g of json.groups) costs.set(JSON.stringify(json.by.map((d) => g.key[d])), g.cost);
  return { by: json.by, costs };
}
