import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { KpiUnit } from '../kpi/config.ts';
import type { KpiCell, KpiReport, KpiResult } from '../kpi/engine.ts';
import type { KpiMover, KpiSummary } from '../kpi/summary.ts';
import { csvCell, csvText } from './csv.ts';
import { fmtInt, fmtUsd } from './format.ts';
import { colors, fitColumns, fold, leftOutLines, wrapOptions, type RenderContext } from './table.ts';

/** How many periods the table and markdown show (the latest); JSON and CSV carry every one. */
export const KPI_TABLE_PERIODS = 6;
/** Up to how many shown periods the table also shows the last value's numerator and denominator. */
const INPUTS_UP_TO = 3;

const NUM = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const NUM_SMALL = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** Under a dollar: 3 significant digits, at least 2 decimals (`$0.50`, `$0.0542`, `$0.0000443`). */
function smallUsd(v: number): string {
  const a = Math.abs(v);
  let t = a.toFixed(Math.min(20, Math.max(2, 2 - Math.floor(Math.log10(a)))));
  while (/\.\d{3,}$/.test(t) && t.endsWith('0')) t = t.slice(0, -1);
  return `${v < 0 ? '-' : ''}$${t}`;
}

/** A KPI value in its unit: `$0.0542`, `$1,234.56`, `22.5%`, `1,234.5`. Unit costs keep 3 significant digits. */
export function fmtKpi(v: number, unit: KpiUnit): string {
  if (unit === 'percent') return `${(v * 100).toFixed(1)}%`;
  if (unit === 'usd') return Math.abs(v) >= 1 || v === 0 ? fmtUsd(v) : smallUsd(v);
  return Math.abs(v) >= 1 || v === 0 ? NUM.format(v) : NUM_SMALL.format(v);
}

/** A change against the previous period: relative (`+12.3%`), in points for a percent KPI (`+2.1 pp`). */
export function fmtChange(c: { change: number | null; changePct: number | null }, unit: KpiUnit): string {
  if (c.change === null) return '–';
  const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '±');
  if (unit === 'percent') return `${sign(c.change)}${Math.abs(c.change * 100).toFixed(1)} pp`;
  if (c.changePct === null) return `${sign(c.change)}${fmtKpi(Math.abs(c.change), unit)}`;
  return `${sign(c.changePct)}${Math.abs(c.changePct * 100).toFixed(1)}%`;
}

function valueText(k: KpiResult, cell: KpiCell): string {
  if (cell.value === null) return 'missing';
  return fmtKpi(cell.value, k.unit) + (cell.estimated ? ' ~' : '') + (cell.unpricedRequests > 0 ? ' +?' : '');
}

function quantityText(k: KpiResult, v: number | null, side: 'numerator' | 'denominator'): string {
  if (v === null) return 'missing';
  const what = side === 'numerator' ? k.numerator : k.denominator;
  if (what === 'AI cost') return fmtUsd(v);
  return `${NUM.format(v)} ${what}`;
}

function statusText(cell: KpiCell | undefined): string {
  if (!cell || cell.onTarget === null) return '–';
  return cell.onTarget ? 'on target' : 'off target';
}

/** The main grid as plain strings, shared by the table and markdown renderers. */
interface KpiGrid {
  head: string[];
  /** Indexes of the periods shown (into report.periods). */
  shown: number[];
  /** Index of the first left-aligned column after the values (Status). */
  status: number;
  rows: { kpi: KpiResult; cells: string[]; last: KpiCell | undefined }[];
}

function kpiGrid(r: KpiReport, text: (s: string) => string): KpiGrid {
  const n = r.periods.length;
  const shown = Array.from(
    { length: Math.min(n, KPI_TABLE_PERIODS) },
    (_, i) => n - Math.min(n, KPI_TABLE_PERIODS) + i,
  );
  // The inputs of the last value (numerator ÷ denominator), when the table is narrow enough to hold them.
  const inputs = shown.length <= INPUTS_UP_TO;
  const head = [
    'KPI',
    ...shown.map((i) => r.periods[i]!.label + (r.periods[i]!.partial ? '*' : '')),
    'Change',
    'Target',
    'Status',
    ...(inputs ? [`${n > 0 ? r.periods[n - 1]!.label : 'Last'}: numerator ÷ denominator`] : []),
  ];
  const rows = r.kpis.map((k) => {
    const last = n > 0 ? k.values[n - 1] : undefined;
    return {
      kpi: k,
      last,
      cells: [
        text(k.title),
        ...shown.map((i) => valueText(k, k.values[i]!)),
        last ? fmtChange(last, k.unit) : '–',
        k.target === null ? '–' : fmtKpi(k.target, k.unit),
        statusText(last),
        ...(inputs
          ? [
              last
                ? `${quantityText(k, last.numerator, 'numerator')} ÷ ${quantityText(k, last.denominator, 'denominator')}`
                : '–',
            ]
          : []),
      ],
    };
  });
  return { head, shown, status: shown.length + 3, rows };
}

/** Missing values grouped per KPI and reason: `Title: reason (2026-W40, 2026-W41)`. */
function missingLines(r: KpiReport, shown: readonly number[]): string[] {
  const out: string[] = [];
  for (const k of r.kpis) {
    const byReason = new Map<string, string[]>();
    for (const i of shown) {
      const c = k.values[i]!;
      if (c.missing !== null) byReason.set(c.missing, [...(byReason.get(c.missing) ?? []), c.period]);
    }
    for (const [reason, periods] of byReason) out.push(`${k.title}: ${reason} (${periods.join(', ')})`);
  }
  return out;
}

function humanRows(r: KpiReport): { title: string; period: string; cells: string[] }[] {
  const n = r.periods.length;
  if (n === 0) return [];
  return r.kpis
    .filter((k) => k.kind === 'human_equivalent')
    .map((k) => {
      const c = k.values[n - 1]!;
      const h = c.human;
      return {
        title: k.title,
        period: c.period,
        cells: h
          ? [
              fmtUsd(h.aiCostUsd),
              NUM.format(h.hours),
              fmtKpi(c.value!, 'usd'),
              fmtUsd(h.humanRateUsd),
              fmtUsd(h.humanCostUsd),
              `${fmtUsd(h.savingUsd)} (${(h.savingShare * 100).toFixed(1)}%)`,
            ]
          : ['missing', 'missing', 'missing', fmtUsd(k.human!.hourlyRateUsd), 'missing', 'missing'],
      };
    });
}

const HUMAN_HEAD = [
  'AI cost',
  'Hours of human work',
  'AI cost per hour',
  'Human rate',
  'Human cost',
  'Saving',
];

/** Human-equivalent columns left out first on a narrow terminal: KPI, AI cost and Saving stay. */
const HUMAN_DROP = ['AI cost per hour', 'Human rate', 'Hours of human work', 'Human cost'];

function footer(r: KpiReport, shown: readonly number[]): string[] {
  const out: string[] = [];
  if (r.periods.some((p) => p.partial)) {
    out.push(`* partial period: the data covers ${r.coverage.from} → ${r.coverage.to} only`);
  }
  if (r.kpis.some((k) => k.values.some((c) => c.estimated)))
    out.push('~ cost partly from tokens counted locally');
  if (r.kpis.some((k) => k.values.some((c) => c.unpricedRequests > 0)))
    out.push('+? the scope has unpriced usage, not in the cost');
  if (r.periods.length > shown.length) {
    out.push(`${r.periods.length - shown.length} earlier period(s) not shown: see --format json or csv`);
  }
  const o = r.outcomes;
  if (o) {
    out.push(
      `Outcomes: ${o.files.join(', ')}: ${fmtInt(o.rows)} row(s) read` +
        (o.skipped > 0 ? `, ${fmtInt(o.skipped)} skipped (first: ${o.first})` : '') +
        (o.unused > 0 ? `, ${fmtInt(o.unused)} matched no KPI` : '') +
        (o.outside > 0 ? `, ${fmtInt(o.outside)} outside the period` : ''),
    );
  }
  return out;
}

function spendLine(r: KpiReport, shown: readonly number[]): string {
  return `AI spend: ${shown.map((i) => `${r.spend[i]!.period} ${fmtUsd(r.spend[i]!.cost)}`).join(' · ')}`;
}

function title(r: KpiReport): string {
  const range = r.coverage.from ? `${r.coverage.from} → ${r.coverage.to}` : '(no data)';
  return `KPIs by ${r.by} · ${range}`;
}

/** KPIs as terminal tables: one row per KPI, the latest periods as columns; human baselines; what is missing. */
export function renderKpiTable(r: KpiReport, ctx: RenderContext): string {
  const c = colors(ctx);
  const g = kpiGrid(r, (s) => s);
  // Left out first: the inputs, the change, the target, then the earlier periods, oldest first.
  const drop = [...g.head.slice(g.status + 1), 'Change', 'Target', ...g.head.slice(1, g.shown.length)];
  const fit = fitColumns(
    g.head,
    g.rows.map((row) => row.cells),
    ctx.width,
    { drop, wrap: [0] },
  );
  const t = new Table({
    head: fit.head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: fit.cols.map((i) => (i === 0 || i >= g.status ? 'left' : 'right')),
    ...wrapOptions(fit),
  });
  const ci = 1 + g.shown.length;
  g.rows.forEach((row, k) => {
    const cells = fit.rows[k]!.map((s, j) => {
      const i = fit.cols[j]!;
      if (i >= 1 && i < ci) return s === 'missing' ? c.dim(s) : s;
      if (i === ci) return paintTrend(c, row.last?.trend ?? null, s);
      if (i !== g.status) return s;
      return row.last?.onTarget === true ? c.green(s) : row.last?.onTarget === false ? c.red(s) : s;
    });
    t.push(cells);
  });
  const out = [c.bold(title(r)) + c.dim(` · ${r.timezone}`), t.toString()];
  const dropped = [...fit.dropped];
  const human = humanRows(r);
  if (human.length > 0) {
    const head = ['KPI', ...HUMAN_HEAD];
    const hfit = fitColumns(
      head,
      human.map((x) => [x.title, ...x.cells]),
      ctx.width,
      { drop: HUMAN_DROP, wrap: [0] },
    );
    const aligns = ['left', 'right', 'right', 'right', 'right', 'right', 'right'] as const;
    const h = new Table({
      head: hfit.head.map((x) => c.bold(x)),
      style: { head: [], border: [] },
      colAligns: hfit.cols.map((i) => aligns[i]!),
      ...wrapOptions(hfit),
    });
    h.push(...hfit.rows);
    out.push(c.bold(`Human equivalent, ${human[0]!.period}`), h.toString());
    dropped.push(...hfit.dropped.filter((x) => !dropped.includes(x)));
  }
  if (r.periods.length > 0) out.push(spendLine(r, g.shown));
  const missing = missingLines(r, g.shown);
  if (missing.length > 0)
    out.push(c.yellow('Missing values:'), ...missing.flatMap((m) => fold(`  ${m}`, ctx.width, '    ')));
  out.push(...footer(r, g.shown).flatMap((l) => fold(l, ctx.width, '  ').map((x) => c.dim(x))));
  if (r.notes.length > 0)
    out.push(...r.notes.flatMap((n) => fold(`Note: ${n}`, ctx.width, '  ').map((x) => c.yellow(x))));
  out.push(...leftOutLines(ctx.width, dropped).map((l) => c.dim(l)));
  return out.join('\n') + '\n';
}

function paintTrend(c: ChalkInstance, trend: KpiCell['trend'], s: string): string {
  if (trend === 'better') return c.green(s);
  if (trend === 'worse') return c.red(s);
  return s;
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');

/** KPIs as markdown (a wiki page, a PR comment). */
export function renderKpiMarkdown(r: KpiReport): string {
  const g = kpiGrid(r, md);
  const align = g.head.map((_, i) => (i === 0 || i >= g.status ? ':--' : '--:'));
  const out = [
    `## ${title(r)}`,
    '',
    `Time zone ${r.timezone} · ${r.kpis.length} KPI(s) · docs/kpi.md defines each metric`,
    '',
    `| ${g.head.map(md).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...g.rows.map((row) => `| ${row.cells.map((s, i) => (i === 0 ? s : md(s))).join(' | ')} |`),
  ];
  const human = humanRows(r);
  if (human.length > 0) {
    out.push('', `### Human equivalent, ${human[0]!.period}`, '');
    out.push(`| KPI | ${HUMAN_HEAD.join(' | ')} |`, '| :-- | --: | --: | --: | --: | --: | --: |');
    for (const x of human) out.push(`| ${md(x.title)} | ${x.cells.join(' | ')} |`);
  }
  if (r.periods.length > 0) out.push('', spendLine(r, g.shown));
  const missing = missingLines(r, g.shown);
  if (missing.length > 0) out.push('', '**Missing values**', '', ...missing.map((m) => `- ${md(m)}`));
  const notes = [...footer(r, g.shown), ...r.notes];
  if (notes.length > 0) out.push('', ...notes.map((n) => `> ${md(n)}`));
  return out.join('\n') + '\n';
}

const KPI_CSV_HEAD = [
  'kpi',
  'title',
  'kind',
  'unit',
  'better',
  'period',
  'period_start',
  'period_end',
  'partial',
  'value',
  'missing',
  'numerator',
  'denominator',
  'previous',
  'change',
  'change_pct',
  'trend',
  'target',
  'vs_target',
  'on_target',
  'estimated',
  'unpriced_requests',
  'human_hours',
  'human_rate_usd',
  'human_cost_usd',
  'ai_cost_usd',
  'saving_usd',
];

const blank = (v: number | boolean | string | null | undefined) => (v === null || v === undefined ? '' : v);

/** KPIs as CSV: one header row, one row per KPI × period; a missing value is an empty cell with its reason. */
export function renderKpiCsv(r: KpiReport): string {
  const lines = [KPI_CSV_HEAD.join(',')];
  for (const k of r.kpis) {
    k.values.forEach((c, i) => {
      const p = r.periods[i]!;
      lines.push(
        [
          k.name,
          csvText(k.title),
          k.kind,
          k.unit,
          k.better,
          p.label,
          p.start,
          p.end,
          p.partial,
          blank(c.value),
          c.missing === null ? '' : csvText(c.missing),
          blank(c.numerator),
          blank(c.denominator),
          blank(c.previous),
          blank(c.change),
          blank(c.changePct),
          blank(c.trend),
          blank(k.target),
          blank(c.vsTarget),
          blank(c.onTarget),
          c.estimated,
          c.unpricedRequests,
          blank(c.human?.hours),
          blank(k.human?.hourlyRateUsd),
          blank(c.human?.humanCostUsd),
          blank(c.human?.aiCostUsd),
          blank(c.human?.savingUsd),
        ]
          .map(csvCell)
          .join(','),
      );
    });
  }
  return lines.join('\n') + '\n';
}

// ---- executive summary -----------------------------------------------------------------------------------

function moverCells(m: KpiMover): string[] {
  return [
    m.title,
    m.value === null ? 'missing' : fmtKpi(m.value, m.unit),
    m.previous === null ? '–' : fmtKpi(m.previous, m.unit),
    fmtChange(m, m.unit),
    m.target === null ? '–' : fmtKpi(m.target, m.unit),
    m.onTarget === null ? '–' : m.onTarget ? 'on target' : 'off target',
  ];
}

function summaryLines(s: KpiSummary): { label: string; text: string }[] {
  const vs = s.previousPeriod
    ? s.spend.previous === null
      ? ''
      : ` (${s.previousPeriod}: ${fmtUsd(s.spend.previous)}${s.spend.changePct === null ? '' : `, ${fmtChange({ change: 1, changePct: s.spend.changePct }, 'usd')}`})`
    : ' (no previous period)';
  const lines = [
    { label: 'AI spend', text: `${fmtUsd(s.spend.total)}${vs}` },
    {
      label: 'By team',
      text:
        s.spend.byTeam
          .map(
            (t) =>
              `${t.team} ${fmtUsd(t.cost)}${t.share === null ? '' : ` (${(t.share * 100).toFixed(1)}%)`}`,
          )
          .join(' · ') || '–',
    },
  ];
  if (s.spend.unpricedRequests > 0) {
    lines.push({
      label: 'Unpriced',
      text: `${fmtInt(s.spend.unpricedRequests)} request(s) have no price and are not in the spend`,
    });
  }
  return lines;
}

function savingText(s: KpiSummary): string {
  if (s.topSaving) {
    return `${s.topSaving.simulation}: ${fmtUsd(s.topSaving.saving)} — ${s.topSaving.description}${s.topSaving.caveat ? ` (${s.topSaving.caveat})` : ''}`;
  }
  return s.simulations ? 'none of the simulations saves money' : '– (no simulation results given)';
}

const MOVER_HEAD = (s: KpiSummary) => [
  'KPI',
  s.period?.label ?? 'Value',
  s.previousPeriod ?? 'Previous',
  'Change',
  'Target',
  'Status',
];

function summaryTitle(s: KpiSummary, r: KpiReport): string {
  if (!s.period) return 'Executive summary (no data)';
  return `Executive summary · ${s.period.label} (${s.period.start} → ${s.period.end}${s.period.partial ? ', partial' : ''}) · ${r.timezone}`;
}

/** The executive summary as one terminal screen. */
export function renderKpiSummaryTable(r: KpiReport, ctx: RenderContext): string {
  const s = r.summary!;
  const c = colors(ctx);
  const out = [c.bold(summaryTitle(s, r))];
  for (const l of summaryLines(s)) out.push(`${c.bold(l.label.padEnd(10))} ${l.text}`);
  out.push(
    c.bold(
      s.movers.some((m) => m.changePct !== null)
        ? 'KPIs that moved most'
        : 'KPIs (no previous period to compare)',
    ),
  );
  if (s.movers.length > 0) {
    const t = new Table({
      head: MOVER_HEAD(s).map((h) => c.bold(h)),
      style: { head: [], border: [] },
      colAligns: ['left', 'right', 'right', 'right', 'right', 'left'],
    });
    for (const m of s.movers) {
      const cells = moverCells(m);
      cells[3] = paintTrend(c, m.trend, cells[3]!);
      cells[5] =
        m.onTarget === true ? c.green(cells[5]!) : m.onTarget === false ? c.red(cells[5]!) : cells[5]!;
      t.push(cells);
    }
    out.push(t.toString());
  } else out.push('  – (no KPI has a value in this period)');
  if (s.budgets) {
    out.push(c.bold(`Budgets as of ${s.budgets.asOf}`));
    for (const b of s.budgets.items) {
      const paint = b.status === 'ok' ? c.green : b.status === 'warn' ? c.yellow : c.red;
      const amt = (n: number) => (b.unit === 'usd' ? fmtUsd(n) : `${fmtInt(n)} tok`);
      out.push(
        `  ${b.name.padEnd(24)} ${paint(b.status.padEnd(18))} ${(b.share * 100).toFixed(1).padStart(6)}%  ${amt(b.spent)} of ${amt(b.amount)}`,
      );
    }
  } else out.push(`${c.bold('Budgets'.padEnd(10))} – (no budgets: in finops.yaml)`);
  out.push(`${c.bold('Top saving')} ${savingText(s)}`);
  return out.join('\n') + '\n';
}

/** The executive summary as markdown. */
export function renderKpiSummaryMarkdown(r: KpiReport): string {
  const s = r.summary!;
  const out = [`## ${summaryTitle(s, r)}`, ''];
  for (const l of summaryLines(s)) out.push(`- **${l.label}:** ${md(l.text)}`);
  out.push(
    '',
    `### ${s.movers.some((m) => m.changePct !== null) ? 'KPIs that moved most' : 'KPIs (no previous period to compare)'}`,
    '',
  );
  if (s.movers.length > 0) {
    out.push(`| ${MOVER_HEAD(s).join(' | ')} |`, '| :-- | --: | --: | --: | --: | :-- |');
    for (const m of s.movers) out.push(`| ${moverCells(m).map(md).join(' | ')} |`);
  } else out.push('No KPI has a value in this period.');
  out.push('', '### Budgets', '');
  if (s.budgets) {
    out.push(`As of ${s.budgets.asOf}.`, '', '| Budget | Status | Used |', '| :-- | :-- | --: |');
    for (const b of s.budgets.items)
      out.push(`| ${md(b.name)} | ${b.status} | ${(b.share * 100).toFixed(1)}% |`);
  } else out.push('No budgets in finops.yaml.');
  out.push('', `**Top savings opportunity:** ${md(savingText(s))}`);
  return out.join('\n') + '\n';
}

/** The executive summary as CSV: one header row, one row per line of the summary. */
export function renderKpiSummaryCsv(r: KpiReport): string {
  const s = r.summary!;
  const period = s.period?.label ?? '';
  const lines = ['section,item,period,value,unit,previous,change_pct,status'];
  const row = (...v: (string | number | boolean | null | { text: string })[]) =>
    lines.push(v.map((x) => csvCell(x === null ? '' : x)).join(','));
  row('spend', 'total', period, s.spend.total, 'usd', s.spend.previous, s.spend.changePct, '');
  for (const t of s.spend.byTeam)
    row('spend', csvText(`team:${t.team}`), period, t.cost, 'usd', t.previous, null, '');
  for (const m of s.movers) {
    row(
      'kpi',
      m.name,
      period,
      m.value,
      m.unit,
      m.previous,
      m.changePct,
      m.onTarget === null ? '' : m.onTarget ? 'on-target' : 'off-target',
    );
  }
  for (const b of s.budgets?.items ?? [])
    row('budget', csvText(b.name), s.budgets!.asOf, b.spent, b.unit, null, null, b.status);
  if (s.topSaving)
    row('saving', csvText(s.topSaving.simulation), period, s.topSaving.saving, 'usd', null, null, '');
  return lines.join('\n') + '\n';
}

/** KPI renderers; `--format` takes its choices from the keys. With --summary, the human formats show the summary. */
export const KPI_RENDERERS = {
  table: (r: KpiReport, ctx: RenderContext) =>
    r.summary ? renderKpiSummaryTable(r, ctx) : renderKpiTable(r, ctx),
  json: (r: KpiReport) => JSON.stringify(r, null, 2) + '\n',
  csv: (r: KpiReport) => (r.summary ? renderKpiSummaryCsv(r) : renderKpiCsv(r)),
  markdown: (r: KpiReport) => (r.summary ? renderKpiSummaryMarkdown(r) : renderKpiMarkdown(r)),
} satisfies Record<string, (r: KpiReport, ctx: RenderContext) => string>;
