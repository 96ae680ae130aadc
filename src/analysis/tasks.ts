import { anyGlob } from '../attribution/glob.ts';
import type { TaskCeiling } from '../config/schema.ts';
import { SCHEMA_VERSION, money } from '../core/output.ts';
import { formatProblem } from '../core/record.ts';
import { ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import type { ScanResult } from '../pipeline/scan.ts';
import { Aggregator, groupCost, NONE, type GroupSums } from './aggregate.ts';

/** One agent task: every call that shares a taskId (or, without one, a traceId). */
export interface TaskSummary {
  task: string;
  team: string;
  app: string;
  workflow: string;
  /** Calls (requests) in the task. */
  steps: number;
  tokens: number;
  cost: number;
  start: string;
  end: string;
  durationSec: number;
  models: string[];
  /** Why the task is a runaway; null when it is not. */
  runaway: string | null;
}

/** Distribution of task cost and steps in one workflow. */
export interface WorkflowTasks {
  workflow: string;
  tasks: number;
  cost: { total: number; p50: number; p90: number; p99: number; max: number };
  steps: { p50: number; p90: number; p99: number; max: number };
  runaways: number;
}

/** `finops tasks` result. */
export interface TasksReport {
  schemaVersion: typeof SCHEMA_VERSION;
  command: 'tasks';
  currency: 'USD';
  workflows: WorkflowTasks[];
  /** Runaway tasks, costliest first. */
  runaways: TaskSummary[];
  /** The costliest tasks (--top), or all of them. */
  tasks: TaskSummary[];
  /** Records without a task or trace id: not part of any task. */
  untracked: { requests: number; cost: number };
  problems: { skipped: number; duplicates: number; first: string | null };
}

/** Modified z-score above which a task is a statistical outlier (Iglewicz & Hoaglin 1993). */
export const OUTLIER_Z = 3.5;

/**
 * Percentile with linear interpolation between closest ranks (NumPy's default, Hyndman–Fan type 7);
 * `sorted` ascending and non-empty.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Groups records into tasks during a scan; `result` summarises them and flags runaways. */
export class TaskTracker {
  private readonly agg = new Aggregator(['team', 'app', 'workflow', 'task'], new ZonedCalendar('UTC'));
  private readonly loose = new Aggregator([], new ZonedCalendar('UTC'));

  /** Adds one record to its task (or to the untracked sums when it has none). */
  add(p: PricedRecord): void {
    if (p.record.taskId === undefined && p.record.traceId === undefined) this.loose.add(p);
    else this.agg.add(p);
  }

  /** Task summaries, workflow distributions and runaways. */
  result(
    scan: ScanResult,
    opts: { ceilings: readonly TaskCeiling[]; factor: number; top?: number },
  ): TasksReport {
    const tasks = this.agg.result().groups.map(summarise);
    const byWorkflow = new Map<string, TaskSummary[]>();
    for (const t of tasks) byWorkflow.set(t.workflow, [...(byWorkflow.get(t.workflow) ?? []), t]);
    const workflows: WorkflowTasks[] = [];
    for (const [workflow, list] of byWorkflow) {
      flagRunaways(list, opts.ceilings, opts.factor);
      const costs = list.map((t) => t.cost).sort((a, b) => a - b);
      const steps = list.map((t) => t.steps).sort((a, b) => a - b);
      workflows.push({
        workflow,
        tasks: list.length,
        cost: {
          total: money(costs.reduce((s, c) => s + c, 0)),
          p50: money(percentile(costs, 0.5)),
          p90: money(percentile(costs, 0.9)),
          p99: money(percentile(costs, 0.99)),
          max: money(costs[costs.length - 1]!),
        },
        steps: {
          p50: percentile(steps, 0.5),
          p90: percentile(steps, 0.9),
          p99: percentile(steps, 0.99),
          max: steps[steps.length - 1]!,
        },
        runaways: list.filter((t) => t.runaway !== null).length,
      });
    }
    workflows.sort((a, b) => b.cost.total - a.cost.total || a.workflow.localeCompare(b.workflow));
    const byCost = [...tasks].sort((a, b) => b.cost - a.cost || a.task.localeCompare(b.task));
    const loose = this.loose.result().total;
    return {
      schemaVersion: SCHEMA_VERSION,
      command: 'tasks',
      currency: 'USD',
      workflows,
      runaways: byCost.filter((t) => t.runaway !== null),
      tasks: opts.top === undefined ? byCost : byCost.slice(0, opts.top),
      untracked: { requests: loose.requests, cost: money(groupCost(loose)) },
      problems: {
        skipped: scan.stats.skipped,
        duplicates: scan.stats.duplicates,
        first: scan.stats.problems[0] ? formatProblem(scan.stats.problems[0]) : null,
      },
    };
  }
}

function summarise(g: GroupSums): TaskSummary {
  const start = g.firstStart ?? '';
  const end = g.lastEnd ?? start;
  return {
    task: g.key.task ?? NONE,
    team: g.key.team ?? NONE,
    app: g.key.app ?? NONE,
    workflow: g.key.workflow ?? NONE,
    steps: g.requests,
    tokens: g.tokens.input + g.tokens.cacheRead + g.tokens.cacheWrite + g.tokens.output,
    cost: money(groupCost(g)),
    start,
    end,
    durationSec: Math.round((Date.parse(end) - Date.parse(start)) / 1000),
    models: [...g.models].sort(),
    runaway: null,
  };
}

/**
 * A task is a runaway when it breaks a configured ceiling for its workflow, or when — among at least 5 tasks
 * of its workflow — its cost (or step count) is both ≥ `factor` × the workflow median and a robust outlier
 * (modified z-score of the log > 3.5). Logs, because task costs are right-skewed: a loop is a multiplicative
 * outlier, not an additive one.
 */
function flagRunaways(list: TaskSummary[], ceilings: readonly TaskCeiling[], factor: number): void {
  for (const t of list) {
    for (const c of ceilings) {
      if (c.workflow !== undefined && !anyGlob(c.workflow, t.workflow)) continue;
      if (c.max_steps !== undefined && t.steps > c.max_steps)
        t.runaway = `${t.steps} steps > ceiling ${c.max_steps}`;
      else if (c.max_cost_usd !== undefined && t.cost > c.max_cost_usd)
        t.runaway = `$${t.cost} > ceiling $${c.max_cost_usd}`;
      else if (c.max_tokens !== undefined && t.tokens > c.max_tokens)
        t.runaway = `${t.tokens} tokens > ceiling ${c.max_tokens}`;
      if (t.runaway) break;
    }
  }
  if (list.length < 5) return;
  const check = (get: (t: TaskSummary) => number, what: string) => {
    const logs = list.map((t) => Math.log(Math.max(get(t), 1e-9)));
    const med = median(logs);
    const mad = median(logs.map((x) => Math.abs(x - med)));
    const medValue = Math.exp(med);
    for (const t of list) {
      if (t.runaway) continue;
      const v = get(t);
      const z = mad > 0 ? (0.6745 * (Math.log(Math.max(v, 1e-9)) - med)) / mad : Infinity;
      if (v >= factor * medValue && z > OUTLIER_Z) {
        t.runaway = `${what} ${(v / medValue).toFixed(1)}× the workflow median`;
      }
    }
  };
  check((t) => t.cost, 'cost');
  check((t) => t.steps, 'steps');
}

function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}
