import chalk, { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Report } from '../analysis/report.ts';
import { fmtInt, periodLabel, reportGrid, sumTokens, TREND_TITLE, type ReportGrid } from './format.ts';

/** Options every human renderer takes. */
export interface RenderContext {
  /** Colour allowed (stdout is a TTY and NO_COLOR is not set). */
  color: boolean;
  /** Terminal width in columns; tables leave out their least important columns to fit (`fitColumns`). Unset: no limit. */
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
    ...wrapOptions(fitted),
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
    const fit = fitColumns(head, rows, ctx.width, { drop: [], wrap: [0, 1, 2] });
    const u = new Table({
      head: head.map((h) => c.bold(h)),
      style: { head: [], border: [] },
      colAligns: ['left', 'left', 'left', 'right', 'right'],
      ...wrapOptions(fit),
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
  const prices = `Prices: ${report.pricing.source}${legend.length > 0 ? ` · ${legend.join(' · ')}` : ''}`;
  out.push(...fold(prices, ctx.width, '  ').map((l) => c.dim(l)));
  out.push(...leftOutLines(ctx.width, dropped).map((l) => c.dim(l)));
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
  const dims = Array.from({ length: grid.dims }, (_, i) => i);
  const rows = [...grid.groups, ...(grid.other ? [grid.other] : []), grid.total];
  const fit = fitColumns(grid.head, rows, width, { drop: DROP_ORDER, keep: dims, wrap: dims });
  if (fit.dropped.length === 0 && fit.colWidths === undefined) return { grid, dropped: [] };
  const cut = (r: string[]) => fit.cols.map((i) => r[i]!);
  const fitted = {
    ...grid,
    head: fit.head,
    groups: grid.groups.map(cut),
    other: grid.other && cut(grid.other),
    total: cut(grid.total),
  };
  return { grid: fitted, dropped: fit.dropped, ...(fit.colWidths ? { colWidths: fit.colWidths } : {}) };
}

/** How a table may shrink to fit a width. */
export interface FitSpec {
  /** Titles of the columns to leave out until the table fits, least important first. */
  drop: readonly string[];
  /** Columns (indexes into the head) never left out, even when `drop` names their title. */
  keep?: readonly number[];
  /** Columns (indexes into the head) that wrap, sharing the room the others leave, when leaving out is not enough. */
  wrap?: readonly number[];
}

/** A table fitted to a width: what is left of it, and the cli-table3 widths to wrap in (when it had to). */
export interface FittedTable {
  head: string[];
  rows: string[][];
  /** Titles left out, in the order they were. */
  dropped: string[];
  /** The columns shown, as indexes into the original head. */
  cols: number[];
  /** cli-table3 `colWidths` (padding included) when columns wrap. */
  colWidths?: number[];
}

/**
 * Fits a table of plain cells (head and rows) to `width`: leaves out columns in `spec.drop` order until it fits;
 * if it is still too wide, the `spec.wrap` columns share what the others leave and wrap. Unset width: as it is.
 */
export function fitColumns(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  width: number | undefined,
  spec: FitSpec,
): FittedTable {
  let cols = head.map((_, i) => i);
  const natural = head.map((h, i) => Math.max(cellWidth(h), ...rows.map((r) => cellWidth(r[i] ?? ''))));
  const widths = () => cols.map((i) => natural[i]!);
  const dropped: string[] = [];
  if (width !== undefined) {
    for (const title of spec.drop) {
      if (tableWidth(widths()) <= width) break;
      const i = cols.find((j) => head[j] === title);
      if (i === undefined || spec.keep?.includes(i)) continue;
      cols = cols.filter((j) => j !== i);
      dropped.push(title);
    }
  }
  const fitted = {
    head: cols.map((i) => head[i]!),
    rows: rows.map((r) => cols.map((i) => r[i] ?? '')),
    dropped,
    cols,
  };
  const wrap = cols.filter((i) => spec.wrap?.includes(i));
  if (width === undefined || wrap.length === 0 || tableWidth(widths()) <= width) return fitted;
  // Still too wide: the wrapping columns share what the others leave.
  const fixed = tableWidth(cols.filter((i) => !wrap.includes(i)).map((i) => natural[i]!)) + 3 * wrap.length;
  const shared = shareWidths(
    wrap.map((i) => natural[i]!),
    width - fixed,
  );
  // cli-table3's colWidths include the padding.
  return {
    ...fitted,
    colWidths: cols.map((i) => (wrap.includes(i) ? shared[wrap.indexOf(i)]! : natural[i]!) + 2),
  };
}

/** cli-table3 options for a fitted table: fixed widths and wrapping when it needs them. */
export function wrapOptions(fit: { colWidths?: number[] }): {
  colWidths?: number[];
  wordWrap?: boolean;
  wrapOnWordBoundary?: boolean;
} {
  return fit.colWidths ? { colWidths: fit.colWidths, wordWrap: true, wrapOnWordBoundary: false } : {};
}

/** The footnote naming the columns left out to fit `width`; undefined when none were. */
export function leftOutNote(width: number | undefined, dropped: readonly string[]): string | undefined {
  if (dropped.length === 0) return undefined;
  return `${width}-column terminal: left out ${dropped.join(', ')}; widen it, or use --format csv or json for every column.`;
}

/** The footnote naming the columns left out, folded to `width`; none when none were. */
export function leftOutLines(width: number | undefined, dropped: readonly string[]): string[] {
  const note = leftOutNote(width, dropped);
  return note ? fold(note, width) : [];
}

/**
 * Folds prose to `width` at spaces; lines after the first start with `indent`. Unset width, or a word longer than
 * the line: as it is.
 */
export function fold(text: string, width: number | undefined, indent = ''): string[] {
  if (width === undefined || [...text].length <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const out: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const next = line.trim() === '' ? line + word : `${line} ${word}`;
    if ([...next].length > width && line.trim() !== '') {
      out.push(line);
      line = indent + word;
    } else line = next;
  }
  out.push(line);
  return out;
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
