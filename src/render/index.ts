import type { Report } from '../analysis/report.ts';
import { renderReportCsv } from './csv.ts';
import { renderReportMarkdown } from './markdown.ts';
import { renderReportTable, type RenderContext } from './table.ts';

export type { RenderContext };

/** Renders a result to the text that goes to stdout (or --output). */
export type Renderer<T> = (result: T, ctx: RenderContext) => string;

/** JSON: the result as is, pretty-printed; the schema is documented in docs/json-schema.md. */
export function renderJson(result: unknown): string {
  return JSON.stringify(result, null, 2) + '\n';
}

/** Report renderers; `--format` takes its choices from the keys. */
export const REPORT_RENDERERS = {
  table: renderReportTable,
  json: (r: Report) => renderJson(r),
  csv: (r: Report) => renderReportCsv(r),
  markdown: (r: Report) => renderReportMarkdown(r),
} satisfies Record<string, Renderer<Report>>;

export type ReportFormat = keyof typeof REPORT_RENDERERS;
