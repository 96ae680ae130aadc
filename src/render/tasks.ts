import Table from 'cli-table3';
import type { TaskSummary, TasksReport } from '../analysis/tasks.ts';
import { csvCell, csvText } from './csv.ts';
import { fmtInt, fmtUsd } from './format.ts';
import { colors, fitColumns, fold, leftOutLines, wrapOptions, type RenderContext } from './table.ts';

const TASK_HEAD = ['Task', 'Workflow', 'Steps', 'Tokens', 'Cost', 'Duration', 'Models', 'Runaway'];

function taskCells(t: TaskSummary): string[] {
  return [
    t.task,
    t.workflow,
    fmtInt(t.steps),
    fmtInt(t.tokens),
    fmtUsd(t.cost),
    duration(t.durationSec),
    t.models.join(', '),
    t.runaway ?? '',
  ];
}

function duration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const WORKFLOW_HEAD = [
  'Workflow',
  'Tasks',
  'Total',
  'p50 cost',
  'p90 cost',
  'p99 cost',
  'Max cost',
  'p50 steps',
  'p90 steps',
  'Max steps',
  'Runaways',
];
/** Columns left out first on a narrow terminal: Workflow, Tasks, p90 cost, Max steps and Runaways stay. */
const WORKFLOW_DROP = ['p50 steps', 'p90 steps', 'p99 cost', 'Max cost', 'p50 cost', 'Total'];
const TASK_DROP = ['Duration', 'Models', 'Workflow', 'Tokens'];
const TASK_ALIGNS = ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'] as const;

/** Agent tasks: cost distribution per workflow, runaways, costliest tasks; fits `ctx.width`. */
export function renderTasksTable(r: TasksReport, ctx: RenderContext): string {
  const c = colors(ctx);
  const rows = r.workflows.map((x) => [
    x.workflow,
    fmtInt(x.tasks),
    fmtUsd(x.cost.total),
    fmtUsd(x.cost.p50),
    fmtUsd(x.cost.p90),
    fmtUsd(x.cost.p99),
    fmtUsd(x.cost.max),
    fmtInt(x.steps.p50),
    fmtInt(x.steps.p90),
    fmtInt(x.steps.max),
    String(x.runaways),
  ]);
  const fit = fitColumns(WORKFLOW_HEAD, rows, ctx.width, { drop: WORKFLOW_DROP, wrap: [0] });
  const dropped = new Set(fit.dropped);
  const w = new Table({
    head: fit.head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: fit.cols.map((i) => (i === 0 ? 'left' : 'right')),
    ...wrapOptions(fit),
  });
  const runaways = fit.cols.indexOf(10);
  r.workflows.forEach((x, k) => {
    const row = fit.rows[k]!;
    if (runaways >= 0 && x.runaways > 0) row[runaways] = c.red(row[runaways]!);
    w.push(row);
  });
  const out = [c.bold('Agent tasks by workflow'), w.toString()];
  const list = (title: string, tasks: TaskSummary[]) => {
    if (tasks.length === 0) return;
    const f = fitColumns(TASK_HEAD, tasks.map(taskCells), ctx.width, { drop: TASK_DROP, wrap: [0, 7] });
    for (const d of f.dropped) dropped.add(d);
    const t = new Table({
      head: f.head.map((h) => c.bold(h)),
      style: { head: [], border: [] },
      colAligns: f.cols.map((i) => TASK_ALIGNS[i]!),
      ...wrapOptions(f),
    });
    t.push(...f.rows);
    out.push(c.bold(title), t.toString());
  };
  list(`Runaway tasks (${r.runaways.length})`, r.runaways);
  list('Costliest tasks', r.tasks);
  if (r.untracked.requests > 0)
    out.push(
      ...fold(
        `${fmtInt(r.untracked.requests)} requests (${fmtUsd(r.untracked.cost)}) carry no task or trace id and belong to no task.`,
        ctx.width,
      ).map((l) => c.dim(l)),
    );
  out.push(...leftOutLines(ctx.width, [...dropped]).map((l) => c.dim(l)));
  return out.join('\n') + '\n';
}

/** Agent tasks as markdown. */
export function renderTasksMarkdown(r: TasksReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  const out = [
    '## Agent tasks by workflow',
    '',
    '| Workflow | Tasks | Total | p50 cost | p90 cost | p99 cost | Max steps | Runaways |',
    '| :-- | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const x of r.workflows)
    out.push(
      `| ${esc(x.workflow)} | ${x.tasks} | ${fmtUsd(x.cost.total)} | ${fmtUsd(x.cost.p50)} | ${fmtUsd(x.cost.p90)} | ${fmtUsd(x.cost.p99)} | ${x.steps.max} | ${x.runaways} |`,
    );
  if (r.runaways.length > 0) {
    out.push(
      '',
      `### Runaway tasks (${r.runaways.length})`,
      '',
      `| ${TASK_HEAD.join(' | ')} |`,
      '| :-- | :-- | --: | --: | --: | --: | :-- | :-- |',
    );
    for (const t of r.runaways) out.push(`| ${taskCells(t).map(esc).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}

/** Tasks as CSV: one row per task listed. */
export function renderTasksCsv(r: TasksReport): string {
  const head = 'task,team,app,workflow,steps,tokens,cost_usd,start,end,duration_sec,models,runaway';
  const rows = r.tasks.map((t) =>
    [
      csvText(t.task),
      csvText(t.team),
      csvText(t.app),
      csvText(t.workflow),
      t.steps,
      t.tokens,
      t.cost,
      t.start,
      t.end,
      t.durationSec,
      csvText(t.models.join(' ')),
      csvText(t.runaway ?? ''),
    ]
      .map(csvCell)
      .join(','),
  );
  return [head, ...rows].join('\n') + '\n';
}
