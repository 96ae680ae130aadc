import Table from 'cli-table3';
import type { Reconciliation, ReconcileRow } from '../analysis/reconcile.ts';
import { csvCell, csvText } from './csv.ts';
import { fmtUsd } from './format.ts';
import { colors, fitColumns, fold, leftOutLines, wrapOptions, type RenderContext } from './table.ts';

const HEAD = [
  'Period',
  'Provider',
  'Model',
  'Computed',
  'Billed',
  'Difference',
  'Diff %',
  'Status',
  'Likely cause',
];

function cells(r: ReconcileRow): string[] {
  return [
    r.period,
    r.provider,
    r.model,
    fmtUsd(r.computed),
    r.reported === null ? '–' : fmtUsd(r.reported),
    r.difference === null ? '–' : signed(r.difference),
    r.share === null ? '–' : `${r.share >= 0 ? '+' : ''}${(r.share * 100).toFixed(1)}%`,
    r.status,
    r.cause ?? '',
  ];
}

function signed(n: number): string {
  return n > 0 ? `+${fmtUsd(n)}` : n < 0 ? `−${fmtUsd(-n)}` : fmtUsd(0);
}

function summary(rec: Reconciliation): string {
  const t = rec.totals;
  return `Computed ${fmtUsd(t.computed)} · billed ${fmtUsd(t.reported)} · difference ${signed(t.difference)} · ${t.mismatched} of ${t.lines} line(s) outside tolerance (±max($${rec.tolerance.absolute}, ${rec.tolerance.relative * 100}%))`;
}

/** Reconcile columns left out first on a narrow terminal: Period, Model, Difference, Status and the cause stay. */
const RECONCILE_DROP = ['Provider', 'Diff %', 'Computed', 'Billed'];
const ALIGNS = ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'] as const;

/** Reconciliation as a terminal table; fits `ctx.width` (the model and the cause wrap last). */
export function renderReconcileTable(rec: Reconciliation, ctx: RenderContext): string {
  const c = colors(ctx);
  const fit = fitColumns(HEAD, rec.rows.map(cells), ctx.width, { drop: RECONCILE_DROP, wrap: [2, 8] });
  const t = new Table({
    head: fit.head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: fit.cols.map((i) => ALIGNS[i]!),
    ...wrapOptions(fit),
  });
  const status = fit.cols.indexOf(7);
  rec.rows.forEach((r, k) => {
    const row = fit.rows[k]!;
    if (status >= 0)
      row[status] =
        r.status === 'ok' ? c.green(r.status) : r.status === 'no-bill' ? c.dim(r.status) : c.yellow(r.status);
    t.push(row);
  });
  return (
    [
      c.bold(`Reconciliation by ${rec.by}`),
      t.toString(),
      ...fold(summary(rec), ctx.width, '  '),
      ...leftOutLines(ctx.width, fit.dropped).map((l) => c.dim(l)),
    ].join('\n') + '\n'
  );
}

/** Reconciliation as markdown. */
export function renderReconcileMarkdown(rec: Reconciliation): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  const out = [
    `### Reconciliation by ${rec.by}`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `| :-- | :-- | :-- | --: | --: | --: | --: | :-- | :-- |`,
    ...rec.rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
    '',
    summary(rec),
  ];
  return out.join('\n') + '\n';
}

/** Reconciliation as CSV: one header row, one row per line. */
export function renderReconcileCsv(rec: Reconciliation): string {
  const lines = [
    'period,provider,model,computed_usd,reported_usd,difference_usd,difference_share,status,cause',
  ];
  for (const r of rec.rows) {
    lines.push(
      [
        csvText(r.period),
        csvText(r.provider),
        csvText(r.model),
        r.computed,
        r.reported ?? '',
        r.difference ?? '',
        r.share ?? '',
        r.status,
        csvText(r.cause ?? ''),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
