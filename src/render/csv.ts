import type { Report } from '../analysis/report.ts';

/** CSV column names for the report's groups, after the key columns. */
export const REPORT_CSV_COLUMNS = [
  'requests',
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_usd',
  'reported_cost_usd',
  'share',
  'unpriced_requests',
  'estimated',
] as const;

/** One header row and one row per group; no totals, no colour. Input-derived text is formula-safe. */
export function renderReportCsv(report: Report): string {
  const lines = [[...report.by, ...REPORT_CSV_COLUMNS].map(csvCell).join(',')];
  for (const g of report.groups) {
    const row = [
      ...report.by.map((d) => csvText(g.key[d] ?? '')),
      g.requests,
      g.tokens.input,
      g.tokens.cacheRead,
      g.tokens.cacheWrite,
      g.tokens.cacheWrite1h,
      g.tokens.output,
      g.tokens.reasoning,
      g.cost,
      g.reportedCost ?? '',
      g.share ?? '',
      g.unpricedRequests,
      g.estimated,
    ];
    lines.push(row.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

/** A marker type: text that came from input and must be neutralised before a spreadsheet sees it. */
export interface Text {
  text: string;
}

/** Marks input-derived text, so csvCell neutralises formulas in it. */
export function csvText(s: string): Text {
  return { text: s };
}

// OWASP CSV injection: a cell starting with = + - @ TAB or CR can run as a formula. Numbers we print are
// numbers (never marked Text), so they stay numeric; input-derived text gets a leading apostrophe.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: RFC 4180 quoting; input-derived text (csvText) gets a leading ' before a formula character. */
export function csvCell(v: Text | string | number | boolean): string {
  let s: string;
  if (typeof v === 'object') s = FORMULA_START.test(v.text) ? `'${v.text}` : v.text;
  else s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
