import type { Report } from '../analysis/report.ts';
import { fmtInt, periodLabel, reportGrid, sumTokens } from './format.ts';

/** The report as GitHub-flavoured markdown (a PR comment, a wiki page). */
export function renderReportMarkdown(report: Report): string {
  const grid = reportGrid(report, md);
  const align = grid.head.map((_, i) => (i < grid.dims ? ':--' : '--:'));
  const rows = [
    ...grid.groups,
    ...(grid.other ? [grid.other] : []),
    grid.total.map((s) => (s && !s.endsWith('%') ? `**${s}**` : s)),
  ];
  const t = report.totals;
  const out = [
    `## AI spend ${periodLabel(report)}`,
    '',
    `By ${report.by.join(', ')} · time zone ${report.timezone} · prices: ${md(report.pricing.source)}`,
    '',
    `| ${grid.head.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (report.unpriced.length > 0) {
    out.push('', `### Unpriced usage (${fmtInt(t.unpricedRequests)} requests, not in Cost)`, '');
    out.push('| Provider | Model | Why | Requests | Tokens |', '| :-- | :-- | :-- | --: | --: |');
    for (const u of report.unpriced) {
      out.push(
        `| ${md(u.provider)} | ${md(u.model)} | ${md(u.reason)} | ${fmtInt(u.requests)} | ${fmtInt(sumTokens(u.tokens))} |`,
      );
    }
  }
  const notes = [...report.notes];
  if (report.problems.skipped > 0)
    notes.push(`${report.problems.skipped} row(s) skipped; first: \`${report.problems.first}\``);
  if (report.problems.duplicates > 0)
    notes.push(`${report.problems.duplicates} duplicate row(s) counted once.`);
  if (notes.length > 0) out.push('', ...notes.map((n) => `> ${md(n)}`));
  return out.join('\n') + '\n';
}

/** Escapes text for a markdown table cell. */
function md(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;');
}
