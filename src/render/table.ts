import chalk, { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Report } from '../analysis/report.ts';
import { fmtInt, periodLabel, reportGrid, sumTokens } from './format.ts';

/** Options every human renderer takes. */
export interface RenderContext {
  /** Colour allowed (stdout is a TTY and NO_COLOR is not set). */
  color: boolean;
}

/** A chalk that colours only when the context allows it (we decide, not chalk's own stdout check). */
export function colors(ctx: RenderContext): ChalkInstance {
  return new Chalk({ level: ctx.color ? (Math.max(chalk.level, 1) as 1 | 2 | 3) : 0 });
}

/** The report as terminal tables: groups with a totals row, then unpriced usage, then a pricing line. */
export function renderReportTable(report: Report, ctx: RenderContext): string {
  const c = colors(ctx);
  const grid = reportGrid(report);
  const table = new Table({
    head: grid.head.map((h) => c.bold(h)),
    style: { head: [], border: [] }, // cli-table3 colours by itself even when piped; chalk decides instead
    colAligns: grid.head.map((_, i) => (i < grid.dims ? 'left' : 'right')),
  });
  table.push(...grid.groups);
  if (grid.other) table.push(grid.other.map((s, i) => (i === 0 ? c.dim(s) : s)));
  table.push(grid.total.map((s) => c.bold(s)));

  const t = report.totals;
  const out: string[] = [];
  out.push(
    c.bold(`AI spend ${periodLabel(report)}`) + c.dim(` · by ${report.by.join(', ')} · ${report.timezone}`),
  );
  out.push(table.toString());
  if (report.unpriced.length > 0) {
    const u = new Table({
      head: ['Provider', 'Model', 'Why unpriced', 'Requests', 'Tokens'].map((h) => c.bold(h)),
      style: { head: [], border: [] },
      colAligns: ['left', 'left', 'left', 'right', 'right'],
    });
    for (const x of report.unpriced)
      u.push([x.provider, x.model, x.reason, fmtInt(x.requests), fmtInt(sumTokens(x.tokens))]);
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
  out.push(c.dim(`Prices: ${report.pricing.source}${legend.length > 0 ? ` · ${legend.join(' · ')}` : ''}`));
  return out.join('\n') + '\n';
}
