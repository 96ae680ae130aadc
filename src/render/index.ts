import type { BudgetReport } from '../analysis/budget.ts';
import type { ForecastReport } from '../analysis/forecast-report.ts';
import type { Reconciliation } from '../analysis/reconcile.ts';
import { renderForecastCsv, renderForecastMarkdown, renderForecastTable } from './forecast.ts';
import type { TasksReport } from '../analysis/tasks.ts';
import { renderAnomaliesMarkdown, renderAnomaliesTable } from './anomalies.ts';
import { renderBudgetCsv, renderBudgetMarkdown, renderBudgetTable } from './budget.ts';
import { renderTasksCsv, renderTasksMarkdown, renderTasksTable } from './tasks.ts';
import type { Report } from '../analysis/report.ts';
import { renderReconcileCsv, renderReconcileMarkdown, renderReconcileTable } from './reconcile.ts';
import { renderReportCsv } from './csv.ts';
import { renderReportHtml } from './html.ts';
import { renderReportMarkdown } from './markdown.ts';
import { renderReportTable, type RenderContext } from './table.ts';

export type { RenderContext };

/** Renders a result to the text that goes to stdout (or --output). */
export type Renderer<T> = (result: T, ctx: RenderContext) => string;

/** JSON: the result as is, pretty-printed; the schema is documented in docs/json-schema.md. */
export function renderJson(result: unknown): string {
  return JSON.stringify(result, null, 2) + '\n';
}

/** Report renderers; `--format` takes its choices from the keys. A reconciliation, when asked for, follows. */
export const REPORT_RENDERERS = {
  table: (r: Report, ctx: RenderContext) =>
    renderReportTable(r, ctx) +
    (r.anomalies ? '\n' + renderAnomaliesTable(r.anomalies, ctx) : '') +
    (r.reconciliation ? '\n' + renderReconcileTable(r.reconciliation, ctx) : ''),
  json: (r: Report) => renderJson(r),
  csv: (r: Report) => renderReportCsv(r),
  markdown: (r: Report) =>
    renderReportMarkdown(r) +
    (r.anomalies ? '\n' + renderAnomaliesMarkdown(r.anomalies) : '') +
    (r.reconciliation ? '\n' + renderReconcileMarkdown(r.reconciliation) : ''),
  /** One self-contained page with SVG charts, drawn from this same Report (docs/html.md). */
  html: (r: Report) => renderReportHtml(r),
} satisfies Record<string, Renderer<Report>>;

/** Reconciliation renderers (`finops reconcile`). */
export const RECONCILE_RENDERERS = {
  table: renderReconcileTable,
  json: (r: Reconciliation) => renderJson(r),
  csv: (r: Reconciliation) => renderReconcileCsv(r),
  markdown: (r: Reconciliation) => renderReconcileMarkdown(r),
} satisfies Record<string, Renderer<Reconciliation>>;

export type ReportFormat = keyof typeof REPORT_RENDERERS;

/** Budget renderers (`finops budget`). */
export const BUDGET_RENDERERS = {
  table: renderBudgetTable,
  json: (r: BudgetReport) => renderJson(r),
  csv: (r: BudgetReport) => renderBudgetCsv(r),
  markdown: (r: BudgetReport) => renderBudgetMarkdown(r),
} satisfies Record<string, Renderer<BudgetReport>>;

/** Agent-task renderers (`finops tasks`). */
export const TASKS_RENDERERS = {
  table: renderTasksTable,
  json: (r: TasksReport) => renderJson(r),
  csv: (r: TasksReport) => renderTasksCsv(r),
  markdown: (r: TasksReport) => renderTasksMarkdown(r),
} satisfies Record<string, Renderer<TasksReport>>;

/** Forecast renderers (`finops forecast`). */
export const FORECAST_RENDERERS = {
  table: renderForecastTable,
  json: (r: ForecastReport) => renderJson(r),
  csv: (r: ForecastReport) => renderForecastCsv(r),
  markdown: (r: ForecastReport) => renderForecastMarkdown(r),
} satisfies Record<string, Renderer<ForecastReport>>;
