import type { Report, TokensOut } from '../analysis/report.ts';

/** Number and money formatting shared by the human-readable renderers (table, markdown). */

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const USD = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** `1,234,567`. */
export function fmtInt(n: number): string {
  return INT.format(n);
}

/** `$1,234.56`; a positive amount under a cent shows as `<$0.01` rather than `$0.00`. */
export function fmtUsd(n: number): string {
  if (n > 0 && n < 0.005) return '<$0.01';
  return USD.format(n);
}

/** `12.3%`; `–` when there is no share (total cost 0). */
export function fmtShare(s: number | null): string {
  if (s === null) return '–';
  return `${(s * 100).toFixed(1)}%`;
}

/** Column titles for the dimensions a report can group by. */
export const DIM_TITLES: Record<string, string> = {
  provider: 'Provider',
  model: 'Model',
  app: 'App',
  team: 'Team',
  workflow: 'Workflow',
  project: 'Project',
  apiKey: 'API key',
  user: 'User',
  environment: 'Env',
  day: 'Day',
  week: 'Week of',
  month: 'Month',
};

/** The report's main table as plain text cells, shared by the table and markdown renderers. */
export interface ReportGrid {
  head: string[];
  /** How many leading columns are dimensions (left-aligned); the rest are numbers. */
  dims: number;
  groups: string[][];
  /** The `--top` remainder line, when there is one. */
  other?: string[];
  total: string[];
}

/** Builds the grid; `text` escapes input-derived strings for the target format; `trend` adds a Trend column. */
export function reportGrid(
  report: Report,
  text: (s: string) => string = (s) => s,
  opts: { trend?: boolean } = {},
): ReportGrid {
  const billed = report.totals.reportedCost !== null;
  const trend = opts.trend === true && hasTrend(report);
  const blanks = report.by.slice(1).map(() => '');
  const tokens = (t: TokensOut) => [
    fmtInt(t.input),
    fmtInt(t.cacheRead),
    fmtInt(t.cacheWrite),
    fmtInt(t.output),
  ];
  const t = report.totals;
  const grid: ReportGrid = {
    head: [
      ...report.by.map((d) => DIM_TITLES[d] ?? d),
      'Requests',
      'Input',
      'Cache read',
      'Cache write',
      'Output',
      'Cost',
      'Share',
      ...(billed ? ['Billed'] : []),
      ...(trend ? [TREND_TITLE] : []),
    ],
    dims: report.by.length,
    groups: report.groups.map((g) => [
      ...report.by.map((d) => text(g.key[d] ?? '')),
      fmtInt(g.requests),
      ...tokens(g.tokens),
      fmtUsd(g.cost) + (g.estimated ? ' ~' : '') + (g.unpricedRequests > 0 ? ' +?' : ''),
      fmtShare(g.share),
      ...(billed ? [g.reportedCost === null ? '–' : fmtUsd(g.reportedCost)] : []),
      ...(trend ? [sparkline(g.daily ?? [])] : []),
    ]),
    total: [
      'Total',
      ...blanks,
      fmtInt(t.requests),
      ...tokens(t.tokens),
      fmtUsd(t.cost),
      t.cost > 0 ? '100.0%' : '–',
      ...(billed ? [t.reportedCost === null ? '–' : fmtUsd(t.reportedCost)] : []),
      ...(trend ? [sparkline(report.series!.total)] : []),
    ],
  };
  if (report.other) {
    const o = report.other;
    grid.other = [
      `(${o.groups} more)`,
      ...blanks,
      fmtInt(o.requests),
      ...tokens(o.tokens),
      fmtUsd(o.cost),
      fmtShare(t.cost > 0 ? o.cost / t.cost : null),
      ...(billed ? [''] : []),
      ...(trend ? [''] : []),
    ];
  }
  return grid;
}

/** Title of the sparkline column. */
export const TREND_TITLE = 'Trend';
/** A Trend column needs at least this many days. */
export const TREND_MIN_DAYS = 3;
/** At most this many characters: longer periods are averaged into buckets of whole days. */
export const TREND_MAX_WIDTH = 16;
const BARS = '▁▂▃▄▅▆▇█';

/** True when the report carries a daily series of at least TREND_MIN_DAYS days and per-group daily costs. */
export function hasTrend(report: Report): boolean {
  const days = report.series?.days.length ?? 0;
  return days >= TREND_MIN_DAYS && report.groups.every((g) => g.daily !== undefined);
}

/**
 * `▁▃█▅` for a daily series, scaled to its own maximum; a day (or bucket) without spend is a space. Series longer
 * than `width` are averaged over buckets of ⌈n / width⌉ days (a short last bucket is averaged over its own days).
 */
export function sparkline(values: readonly number[], width = TREND_MAX_WIDTH): string {
  if (values.length === 0) return '';
  const k = Math.ceil(values.length / Math.max(1, width));
  const buckets: number[] = [];
  for (let i = 0; i < values.length; i += k) {
    const part = values.slice(i, i + k);
    buckets.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  const max = Math.max(...buckets);
  return buckets
    .map((v) => {
      if (!(v > 0) || !(max > 0)) return ' ';
      return BARS[Math.min(BARS.length - 1, Math.floor((v / max) * BARS.length))]!;
    })
    .join('');
}

/** Sum of the disjoint token buckets. */
export function sumTokens(t: TokensOut): number {
  return t.input + t.cacheRead + t.cacheWrite + t.output;
}

/** `2026-10-01 → 2026-10-31` from the report's period (the `to` bound is exclusive, so a day is taken off). */
export function periodLabel(report: Report): string {
  const { from, to } = report.period;
  if (!from || !to) return '(no data)';
  const f = from.slice(0, 10);
  const last = new Date(Date.parse(to) - 1).toISOString().slice(0, 10);
  return f === last ? f : `${f} → ${last}`;
}
