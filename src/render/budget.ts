import Table from 'cli-table3';
import type { BudgetReport, BudgetResult } from '../analysis/budget.ts';
import { csvCell, csvText } from './csv.ts';
import { fmtInt, fmtUsd } from './format.ts';
import { colors, fitColumns, fold, leftOutLines, wrapOptions, type RenderContext } from './table.ts';

const HEAD = [
  'Budget',
  'Period',
  'Spent',
  'Amount',
  'Used',
  'Forecast at end (80 %)',
  'Alert',
  'Hard stop',
  'Status',
];

function amount(b: BudgetResult, n: number): string {
  return b.unit === 'usd' ? fmtUsd(n) : `${fmtInt(n)} tok`;
}

function when(x: BudgetResult['alert']): string {
  if (!x) return '–';
  return x.actual ? `crossed ${x.date}` : `~${x.date}`;
}

function cells(b: BudgetResult): string[] {
  const f = b.forecast;
  return [
    b.name,
    `${b.period.label} (${b.period.elapsedDays}/${b.period.days} d)`,
    amount(b, b.spent),
    amount(b, b.amount),
    `${(b.share * 100).toFixed(1)}%`,
    f
      ? `${amount(b, f.total)} (${amount(b, f.lo80)}–${amount(b, f.hi80)}) ${(f.share * 100).toFixed(0)}%`
      : 'period over',
    when(b.alert),
    when(b.hardStop),
    b.status,
  ];
}

/** Budget columns left out first on a narrow terminal, least important first: Budget, Used and Status stay. */
const BUDGET_DROP = ['Period', 'Forecast at end (80 %)', 'Hard stop', 'Alert', 'Amount', 'Spent'];

/** Budgets as a terminal table, with the forecast's method and backtest error underneath; fits `ctx.width`. */
export function renderBudgetTable(r: BudgetReport, ctx: RenderContext): string {
  const c = colors(ctx);
  const fit = fitColumns(HEAD, r.budgets.map(cells), ctx.width, { drop: BUDGET_DROP, wrap: [0] });
  const aligns = ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left', 'left'] as const;
  const t = new Table({
    head: fit.head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: fit.cols.map((i) => aligns[i]!),
    ...wrapOptions(fit),
  });
  const status = fit.cols.indexOf(8);
  r.budgets.forEach((b, k) => {
    const row = fit.rows[k]!;
    const paint = b.status === 'ok' ? c.green : b.status === 'warn' ? c.yellow : c.red;
    if (status >= 0) row[status] = paint(b.status);
    t.push(row);
  });
  const notes = r.budgets
    .filter((b) => b.forecast)
    .map((b) => {
      const f = b.forecast!;
      const err =
        f.backtest.value === null
          ? 'no backtest (too little history)'
          : `backtest ${f.backtest.metric} ${(f.backtest.value * 100).toFixed(1)}%`;
      return `  ${b.name}: ${f.method}, ${err}${f.warnings.length ? `; ${f.warnings.join('; ')}` : ''}`;
    });
  return (
    [
      c.bold(`Budgets as of ${r.asOf}`) + c.dim(` · ${r.timezone} · alert and hard stop as set per budget`),
      t.toString(),
      ...(notes.length
        ? [c.dim('Forecasts:'), ...notes.flatMap((n) => fold(n, ctx.width, '    ')).map((n) => c.dim(n))]
        : []),
      ...leftOutLines(ctx.width, fit.dropped).map((l) => c.dim(l)),
    ].join('\n') + '\n'
  );
}

/** Budgets as markdown. */
export function renderBudgetMarkdown(r: BudgetReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  return (
    [
      `## Budgets as of ${r.asOf}`,
      '',
      `| ${HEAD.join(' | ')} |`,
      `| :-- | :-- | --: | --: | --: | --: | :-- | :-- | :-- |`,
      ...r.budgets.map((b) => `| ${cells(b).map(esc).join(' | ')} |`),
    ].join('\n') + '\n'
  );
}

/** Budgets as CSV: one header row, one row per budget. */
export function renderBudgetCsv(r: BudgetReport): string {
  const head =
    'budget,unit,period_start,period_end,as_of,spent,amount,share,alert_at,hard_stop_at,forecast_total,forecast_lo80,forecast_hi80,forecast_lo95,forecast_hi95,forecast_method,backtest_smape,alert_date,alert_actual,hard_stop_date,hard_stop_actual,status';
  const rows = r.budgets.map((b) => {
    const f = b.forecast;
    return [
      csvText(b.name),
      b.unit,
      b.period.start,
      b.period.end,
      r.asOf,
      b.spent,
      b.amount,
      b.share,
      b.alertAt,
      b.hardStopAt,
      f?.total ?? '',
      f?.lo80 ?? '',
      f?.hi80 ?? '',
      f?.lo95 ?? '',
      f?.hi95 ?? '',
      f?.method ?? '',
      f?.backtest.value ?? '',
      b.alert?.date ?? '',
      b.alert ? b.alert.actual : '',
      b.hardStop?.date ?? '',
      b.hardStop ? b.hardStop.actual : '',
      b.status,
    ]
      .map(csvCell)
      .join(',');
  });
  return [head, ...rows].join('\n') + '\n';
}
