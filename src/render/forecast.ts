import Table from 'cli-table3';
import type { ForecastReport, ScopeForecast } from '../analysis/forecast-report.ts';
import { csvCell, csvText } from './csv.ts';
import { fmtInt, fmtUsd } from './format.ts';
import { colors, fitColumns, fold, leftOutLines, wrapOptions, type RenderContext } from './table.ts';

function scopeText(s: ScopeForecast): string {
  const parts = Object.values(s.scope);
  return parts.length > 0 ? parts.join(' / ') : 'all';
}

function fmt(r: ForecastReport, n: number): string {
  return r.metric === 'cost' ? fmtUsd(n) : fmtInt(Math.round(n));
}

function backtest(s: ScopeForecast): string {
  const b = s.forecast.backtest;
  return b.value === null ? 'n/a' : `${(b.value * 100).toFixed(1)}%`;
}

function cells(r: ForecastReport, s: ScopeForecast): string[] {
  const t = s.forecast.total;
  const cols = [
    scopeText(s),
    `${s.historyDays} d`,
    s.forecast.method,
    backtest(s),
    fmt(r, t.mean),
    `${fmt(r, t.lo80)} – ${fmt(r, t.hi80)}`,
    `${fmt(r, t.lo95)} – ${fmt(r, t.hi95)}`,
  ];
  if (r.horizon.periodEnd !== null) cols.push(fmt(r, (s.history.periodToDate ?? 0) + t.mean));
  return cols;
}

function head(r: ForecastReport): string[] {
  const h = [
    'Scope',
    'History',
    'Method',
    'Backtest sMAPE',
    `Next ${r.horizon.days} d`,
    '80 % interval',
    '95 % interval',
  ];
  if (r.horizon.periodEnd !== null) h.push(`Period total by ${r.horizon.periodEnd}`);
  return h;
}

function title(r: ForecastReport): string {
  return r.lastDay === null
    ? 'Forecast: no data'
    : `Forecast of daily ${r.metric} after ${r.lastDay}, ${r.horizon.days} day(s)${r.horizon.periodEnd ? ` to ${r.horizon.periodEnd}` : ''} · by ${r.by.join(', ') || 'all'}`;
}

/** Forecasts as a terminal table, warnings underneath; fits `ctx.width` (Scope, the forecast and its 80 % stay). */
export function renderForecastTable(r: ForecastReport, ctx: RenderContext): string {
  const c = colors(ctx);
  const h = head(r);
  const drop = ['History', 'Backtest sMAPE', 'Method', '95 % interval', h[7] ?? ''];
  const fit = fitColumns(
    h,
    r.scopes.map((s) => cells(r, s)),
    ctx.width,
    { drop, wrap: [0] },
  );
  const aligns = ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right'] as const;
  const t = new Table({
    head: fit.head.map((x) => c.bold(x)),
    style: { head: [], border: [] },
    colAligns: fit.cols.map((i) => aligns[i]!),
    ...wrapOptions(fit),
  });
  t.push(...fit.rows);
  const warnings = r.scopes.flatMap((s) => s.forecast.warnings.map((w) => `  ${scopeText(s)}: ${w}`));
  return (
    [
      ...fold(title(r), ctx.width, '  ').map((l) => c.bold(l)),
      t.toString(),
      ...(warnings.length
        ? [c.yellow('Warnings:'), ...warnings.flatMap((w) => fold(w, ctx.width, '    '))]
        : []),
      ...fold(
        'sMAPE: mean absolute error of rolling-origin backtests relative to the level; see docs/forecasting.md',
        ctx.width,
      ).map((l) => c.dim(l)),
      ...leftOutLines(ctx.width, fit.dropped).map((l) => c.dim(l)),
    ].join('\n') + '\n'
  );
}

/** Forecasts as markdown. */
export function renderForecastMarkdown(r: ForecastReport): string {
  const h = head(r);
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  return (
    [
      `## ${title(r)}`,
      '',
      `| ${h.join(' | ')} |`,
      `| ${h.map((_, i) => (i === 0 || i === 2 ? ':--' : '--:')).join(' | ')} |`,
      ...r.scopes.map((s) => `| ${cells(r, s).map(esc).join(' | ')} |`),
    ].join('\n') + '\n'
  );
}

/** Forecasts as CSV: one row per scope and forecast day. */
export function renderForecastCsv(r: ForecastReport): string {
  const lines = [
    [...r.by, 'day', 'mean', 'lo80', 'hi80', 'lo95', 'hi95', 'method', 'backtest_smape'].join(','),
  ];
  for (const s of r.scopes) {
    for (const p of s.forecast.points) {
      const day = new Date(Date.parse(`${r.lastDay}T00:00:00Z`) + p.index * 86_400_000)
        .toISOString()
        .slice(0, 10);
      lines.push(
        [
          ...r.by.map((d) => csvText(s.scope[d] ?? '')),
          day,
          p.mean,
          p.lo80,
          p.hi80,
          p.lo95,
          p.hi95,
          s.forecast.method,
          s.forecast.backtest.value ?? '',
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}
