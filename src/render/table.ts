import chalk, { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Report } from '../analysis/report.ts';
import { fmtInt, periodLabel, reportGrid, sumTokens, TREND_TITLE, type ReportGrid } from './format.ts';

/** Options every human renderer takes. */
export interface RenderContext {
  /** Colour allowed (stdout is a TTY and NO_COLOR is not set). */
  color: boolean;
  /** Terminal width in columns; the report table drops its least important columns to fit. Unset: no limit. */
  width?: number;
}

/**
 * The width to fit tables to: `COLUMNS` when set (an explicit choice, also when piped), else the terminal's
 * width when stdout is one; undefined (no limit) for a file or a pipe.
 */
export function terminalWidth(
  toFile: boolean,
  env: NodeJS.ProcessEnv = process.env,
  stdout: { isTTY?: boolean; columns?: number } = process.stdout,
): number | undefined {
  if (toFile) return undefined;
  const cols = Number(env.COLUMNS);
  if (Number.isInteger(cols) && cols > 0) return cols;
  if (stdout.isTTY === true && stdout.columns !== undefined && stdout.columns > 0) return stdout.columns;
  return undefined;
}

/** Report columns left out first when the table is too wide, least important first. */
export const DROP_ORDER = [
  'Cache write',
  'Cache read',
  'Input',
  'Output',
  'Billed',
  'Share',
  TREND_TITLE,
  'Requests',
];

/** A chalk that colours only when the context allows it (we decide, not chalk's own stdout check). */
export function colors(ctx: RenderContext): ChalkInstance {
  return new Chalk({ level: ctx.color ? (Math.max(chalk.level, 1) as 1 | 2 | 3) : 0 });
}

/**
 * The report as terminal tables: groups with a totals row (and a Trend sparkline when the report has daily
 * series), then unpriced usage, then a pricing line. Fits `ctx.width` by leaving out columns (DROP_ORDER), then by
 * wrapping the dimension columns; a footnote names what was left out.
 */
export function renderReportTable(report: Report, ctx: RenderContext): string {
  const c = colors(ctx);
  const fitted = fitGrid(reportGrid(report, undefined, { trend: true }), ctx.width);
  const { grid, dropped } = fitted;
  const trendCol = grid.head.indexOf(TREND_TITLE);
  const table = new Table({
    head: grid.head.map((h) => c.bold(h)),
    style: { head: [], border: [] }, // cli-table3 colours by itself even when piped; chalk decides instead
    colAligns: grid.head.map((_, i) => (i < grid.dims || i === trendCol ? 'left' : 'right')),
    ...(fitted.colWidths ? { colWidths: fitted.colWidths, wordWrap: true, wrapOnWordBoundary: false } : {}),
  });
  const paint = (row: string[]) => row.map((s, i) => (i === trendCol ? c.cyan(s) : s));
  table.push(...grid.groups.map(paint));
  if (grid.other) table.push(grid.other.map((s, i) => (i === 0 ? c.dim(s) : s)));
  table.push(grid.total.map((s, i) => (i === trendCol ? c.cyan(s) : c.bold(s))));

  const t = report.totals;
  const out: string[] = [];
  out.push(
    c.bold(`AI spend ${periodLabel(report)}`) + c.dim(` · by ${report.by.join(', ')} · ${report.timezone}`),
  );
  out.push(table.toString());
  if (report.unpriced.length > 0) {
    const head = ['Provider', 'Model', 'Why unpriced', 'Requests', 'Tokens'];
    const rows = report.unpriced.map((x) => [
      x.provider,
      x.model,
      x.reason,
      fmtInt(x.requests),
      fmtInt(sumTokens(x.tokens)),
    ]);
    const natural = head.map((h, i) => Math.max(cellWidth(h), ...rows.map((r) => cellWidth(r[i]!))));
    const wrap = ctx.width !== undefined && tableWidth(natural) > ctx.width;
    const u = new Table({
      head: head.map((h) => c.bold(h)),
      style: { head: [], border: [] },
      colAligns: ['left', 'left', 'left', 'right', 'right'],
      ...(wrap
        ? {
            colWidths: [
              ...shareWidths(natural.slice(0, 3), ctx.width! - tableWidth(natural.slice(3)) - 9),
              ...natural.slice(3),
            ].map((x) => x + 2),
            wordWrap: true,
            wrapOnWordBoundary: false,
          }
        : {}),
    });
    u.push(...rows);
    out.push(
      c.yellow(
        `Unpriced usage (${fmtInt(t.unpricedRequests)} requests, not in Cost; +? marks the groups it is in):`,
      ),
    );
    out.push(u.toString());
  }
  const legend: string[] = [];
  if (report.groups.some((g) => g.estimated)) legend.push('~ tokens partly estimated from text');
  if (t.reportedCost !== null) legend.push('Billed = cost stated by the source');
  if (trendCol >= 0) legend.push(`Trend = daily cost ${periodLabel(report)}, each row to its own peak`);
  out.push(c.dim(`Prices: ${report.pricing.source}${legend.length > 0 ? ` · ${legend.join(' · ')}` : ''}`));
  if (dropped.length > 0) {
    out.push(
      c.dim(
        `${ctx.width}-column terminal: left out ${dropped.join(', ')}; widen it, or use --format csv or json for every column.`,
      ),
    );
  }
  return out.join('\n') + '\n';
}

/** Display width of a plain cell: code points (the table's text has no wide characters but input names). */
function cellWidth(s: string): number {
  let w = 0;
  for (const line of s.split('\n')) w = Math.max(w, [...line].length);
  return w;
}

/** Width cli-table3 draws for these columns: each cell's width plus 2 padding, plus one border per column and one. */
function tableWidth(widths: readonly number[]): number {
  return widths.reduce((a, w) => a + w + 2, 0) + widths.length + 1;
}

/**
 * Fits the grid to `width`: drops columns in DROP_ORDER until it fits; if the dimension columns alone are still
 * too wide, gives them fixed widths to wrap in. Never drops a dimension or Cost.
 */
export function fitGrid(
  grid: ReportGrid,
  width: number | undefined,
): { grid: ReportGrid; dropped: string[]; colWidths?: number[] } {
  if (width === undefined) return { grid, dropped: [] };
  const rows = () => [grid.head, ...grid.groups, ...(grid.other ? [grid.other] : []), grid.total];
  const widths = () => grid.head.map((_, i) => Math.max(...rows().map((r) => cellWidth(r[i] ?? ''))));
  const dropped: string[] = [];
  for (const title of DROP_ORDER) {
    if (tableWidth(widths()) <= width) break;
    const i = grid.head.indexOf(title);
    if (i < grid.dims) continue;
    const cut = (r: string[] | undefined) => r && r.filter((_, j) => j !== i);
    grid = {
      ...grid,
      head: cut(grid.head)!,
      groups: grid.groups.map((r) => cut(r)!),
      other: cut(grid.other),
      total: cut(grid.total)!,
    };
    dropped.push(title);
  }
  const w = widths();
  if (tableWidth(w) <= width) return { grid, dropped };
  // Still too wide: the dimension columns share what the number columns leave, and wrap.
  const fixed = tableWidth(w.slice(grid.dims)) + 3 * grid.dims;
  const dimWidths = shareWidths(w.slice(0, grid.dims), width - fixed);
  // cli-table3's colWidths include the padding.
  return { grid, dropped, colWidths: [...dimWidths, ...w.slice(grid.dims)].map((x) => x + 2) };
}

/**
 * Splits `room` among columns of these natural widths, narrowest first: a column that fits its fair share keeps
 * its width, and what it leaves goes to the wider ones (each at least `min`).
 */
export function shareWidths(natural: readonly number[], room: number, min = 6): number[] {
  const out = natural.map(() => min);
  let left = room;
  const order = natural.map((w, i) => [w, i] as const).sort((a, b) => a[0] - b[0]);
  order.forEach(([w, i], k) => {
    const fair = Math.floor(left / (order.length - k));
    out[i] = Math.max(min, Math.min(w, fair));
    left -= out[i]!;
  });
  return out;
}
