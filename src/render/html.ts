import type { BudgetResult } from '../analysis/budget.ts';
import type { Report, ReportSeries } from '../analysis/report.ts';
import { addDays } from '../core/time.ts';
import { DIM_TITLES, fmtInt, fmtShare, fmtUsd, periodLabel, sumTokens } from './format.ts';
import {
  burnChart,
  esc,
  hBars,
  OTHER_COLOR,
  PALETTE,
  shortDay,
  sparkSvg,
  stackedBars,
  type StackSeries,
} from './html/svg.ts';
import { HTML_STYLE } from './html/style.ts';

/** Series beyond this many are summed into one grey "Other" series (a legend of 8 colours stays readable). */
export const MAX_SERIES = 7;
/** Bars in the "top models / apps" charts. */
export const MAX_BARS = 10;

const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** `$12` or `$2.50` for an axis tick. */
function usdTick(v: number): string {
  return v !== 0 && Math.abs(v) < 10 && !Number.isInteger(v) ? `$${v.toFixed(2)}` : `$${fmtInt(v)}`;
}

/**
 * The report as one self-contained HTML page: inline CSS and server-drawn SVG, no script and no network (a CSP
 * forbids both), printable. The Report JSON is embedded as `<script type="application/json" id="finops-report">`,
 * so the page carries the very data it was drawn from. Sections whose data is absent are left out.
 */
export function renderReportHtml(report: Report): string {
  const title = `AI spend ${periodLabel(report)}`;
  const body = [
    header(report, title),
    headline(report),
    warnings(report),
    spendOverTime(report),
    topCharts(report),
    groupsTable(report),
    budgets(report),
    savings(report),
    kpis(report),
    anomalies(report),
    reconciliation(report),
    provenance(report),
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="finops">
<title>${esc(title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
<script type="application/json" id="finops-report">${jsonForScript(report)}</script>
</body>
</html>
`;
}

/** JSON that cannot end its <script> element or open a comment: `<`, `>`, `&` and line separators escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function header(r: Report, title: string): string {
  return `<header>
<h1>${esc(title)}</h1>
<p class="sub">By ${esc(r.by.map((d) => DIM_TITLES[d] ?? d).join(', '))} · time zone ${esc(r.timezone)} · all amounts in ${r.currency}, computed from tokens at dated list prices${r.totals.reportedCost !== null ? ' (Billed: as the sources state it)' : ''}</p>
</header>`;
}

function card(id: string, label: string, value: string, note: string, data: string): string {
  return `<div class="card" id="${id}" data-value="${esc(data)}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="note">${note}</div></div>`;
}

function headline(r: Report): string {
  const t = r.totals;
  const tokens = sumTokens(t.tokens);
  const days = r.series?.days.length ?? 0;
  const cards = [
    card(
      'headline-spend',
      'Spend',
      fmtUsd(t.cost),
      t.reportedCost !== null ? `Billed by the sources: ${esc(fmtUsd(t.reportedCost))}` : esc(periodLabel(r)),
      String(t.cost),
    ),
    changeCard(r),
    card(
      'headline-requests',
      'Requests',
      fmtInt(t.requests),
      esc(days > 0 ? `${fmtInt(t.requests / days)} a day over ${days} day(s)` : periodLabel(r)),
      String(t.requests),
    ),
    card(
      'headline-tokens',
      'Tokens',
      COMPACT.format(tokens),
      esc(
        `${COMPACT.format(t.tokens.input + t.tokens.cacheRead + t.tokens.cacheWrite)} in (${COMPACT.format(t.tokens.cacheRead)} from cache) · ${COMPACT.format(t.tokens.output)} out`,
      ),
      String(tokens),
    ),
  ];
  return `<section class="headline" aria-label="Headline figures">${cards.join('')}</section>`;
}

function changeCard(r: Report): string {
  const p = r.previous;
  if (!p) {
    return card(
      'headline-change',
      'Change vs previous period',
      'n/a',
      'run with --from and --to, on inputs that also cover the period before',
      '',
    );
  }
  const prevLabel = `${p.from.slice(0, 10)} → ${new Date(Date.parse(p.to) - 1).toISOString().slice(0, 10)}`;
  if (p.change === null) {
    return card(
      'headline-change',
      'Change vs previous period',
      'n/a',
      esc(`no spend in ${prevLabel} in these inputs`),
      '',
    );
  }
  const arrow = p.change > 0 ? '▲' : p.change < 0 ? '▼' : '';
  const pct = `${arrow} ${p.change > 0 ? '+' : ''}${(p.change * 100).toFixed(1)}%`;
  return card(
    'headline-change',
    'Change vs previous period',
    pct.trim(),
    esc(`vs ${fmtUsd(p.cost)} in ${prevLabel}`),
    String(p.change),
  );
}

function warnings(r: Report): string {
  const items: string[] = [];
  const t = r.totals;
  if (r.unpriced.length > 0) {
    const models = r.unpriced.map(
      (u) =>
        `<code>${esc(u.model)}</code> (${esc(u.provider)}, ${esc(u.reason)}, ${fmtInt(u.requests)} requests, ${fmtInt(sumTokens(u.tokens))} tokens)`,
    );
    items.push(
      `<li class="warn-unpriced"><b>Unpriced:</b> ${fmtInt(t.unpricedRequests)} request(s) have no price and are not in the spend: ${models.join(', ')}. Add prices under <code>pricing.overrides</code> in finops.yaml.</li>`,
    );
  }
  const u = r.unattributed;
  if (u && (u.cost > 0 || u.requests > 0)) {
    items.push(
      `<li class="warn-unattributed"><b>Unattributed:</b> ${esc(fmtUsd(u.cost))} (${esc(fmtShare(t.cost > 0 ? u.cost / t.cost : null))}) over ${fmtInt(u.requests)} request(s) matched no attribution rule and is on team <code>${esc(u.label)}</code>.</li>`,
    );
  }
  const p = r.problems;
  if (p.skipped > 0) {
    items.push(
      `<li class="warn-skipped"><b>Skipped:</b> ${fmtInt(p.skipped)} unreadable row(s) are not counted; first: <code>${esc(p.first ?? '')}</code>.</li>`,
    );
  }
  if (p.duplicates > 0)
    items.push(`<li><b>Duplicates:</b> ${fmtInt(p.duplicates)} row(s) seen twice were counted once.</li>`);
  for (const note of r.notes) items.push(`<li class="note">${esc(note)}</li>`);
  if (items.length === 0) return '';
  return `<section class="warnings" aria-label="Warnings"><h2>Read before you share</h2><ul>${items.join('')}</ul></section>`;
}

/** Top `MAX_SERIES` values as they are, the rest summed as one grey series. */
function stackSeries(values: ReportSeries['breakdowns'][number]['values'], days: number): StackSeries[] {
  const top = values.slice(0, values.length > MAX_SERIES + 1 ? MAX_SERIES : values.length);
  const rest = values.slice(top.length);
  const out: StackSeries[] = top.map((v, i) => ({
    name: v.key,
    color: PALETTE[i % PALETTE.length]!,
    values: v.daily,
  }));
  if (rest.length > 0) {
    const sum = Array.from({ length: days }, (_, i) => rest.reduce((s, v) => s + (v.daily[i] ?? 0), 0));
    out.push({ name: `Other (${rest.length})`, color: OTHER_COLOR, values: sum });
  }
  return out;
}

function legend(series: StackSeries[]): string {
  const items = series.map((s) => {
    const total = s.values.reduce((a, b) => a + b, 0);
    return `<li data-series="${esc(s.name)}" data-total="${total}"><span class="swatch" style="background:${s.color}"></span>${esc(s.name)} <b>${esc(fmtUsd(total))}</b></li>`;
  });
  return `<ul class="legend">${items.join('')}</ul>`;
}

function spendOverTime(r: Report): string {
  const s = r.series;
  if (!s || s.days.length === 0 || s.breakdowns.length === 0) return '';
  const zone = r.timezone;
  const marks = (r.anomalies ?? []).map((a) => ({
    day: a.date,
    note: `${a.date}: spike in ${Object.values(a.scope).join(' / ') || 'all spend'}: ${fmtUsd(a.actual)} vs ${fmtUsd(a.expected)} expected`,
  }));
  const tabs = s.breakdowns.map((b, i) => {
    const id = `spend-${i}`;
    const title = DIM_TITLES[b.dim] ?? b.dim;
    const series = stackSeries(b.values, s.days.length);
    const chart = stackedBars({
      id: `${id}-chart`,
      title: `Daily spend by ${title.toLowerCase()}, ${periodLabel(r)} (USD)`,
      dim: b.dim,
      days: s.days,
      series,
      tick: usdTick,
      value: fmtUsd,
      yLabel: 'USD per day',
      xLabel: `Day (${zone})`,
      marks,
    });
    return {
      input: `<input type="radio" name="spend-dim" id="${id}" value="${esc(b.dim)}"${i === 0 ? ' checked' : ''}>`,
      label: `<label for="${id}">by ${esc(title.toLowerCase())}</label>`,
      panel: `<div class="panel" id="${id}-panel" data-dim="${esc(b.dim)}"><h3>Daily spend by ${esc(title.toLowerCase())} (USD)</h3>${chart}${legend(series)}</div>`,
    };
  });
  // Tabs without script: a radio per breakdown; CSS shows the checked one's panel.
  const css = s.breakdowns
    .map(
      (_, i) =>
        `#spend-${i}:checked~#spend-${i}-panel{display:block}#spend-${i}:checked~.tab-labels label[for=spend-${i}]{background:#0072B2;color:#fff;border-color:#0072B2}`,
    )
    .join('');
  const peak = s.total.reduce((best, v, i) => (v > (s.total[best] ?? 0) ? i : best), 0);
  return `<section class="spend" aria-labelledby="spend-h">
<h2 id="spend-h">Spend over time</h2>
<p class="sub">${esc(fmtUsd(r.totals.cost))} over ${s.days.length} day(s), ${esc(fmtUsd(r.totals.cost / s.days.length))} a day on average; peak ${esc(shortDay(s.days[peak]!))} at ${esc(fmtUsd(s.total[peak] ?? 0))}.${marks.length > 0 ? ' ▼ marks a day whose spend spiked far above its norm.' : ''}</p>
<style>${css}</style>
<div class="tabs">${tabs.map((t) => t.input).join('')}<div class="tab-labels" role="group" aria-label="Stack by">${tabs.map((t) => t.label).join('')}</div>${tabs.map((t) => t.panel).join('')}</div>
</section>`;
}

function topCharts(r: Report): string {
  const s = r.series;
  if (!s) return '';
  const charts = (['model', 'app'] as const)
    .map((dim) => {
      const b = s.breakdowns.find((x) => x.dim === dim);
      if (!b || b.values.length === 0) return '';
      const shown = b.values.slice(0, MAX_BARS);
      const rest = b.values.slice(MAX_BARS);
      // A model without a price shows as such, never as a cheap $0 model.
      const unpriced = new Set(dim === 'model' ? r.unpriced.map((u) => u.model) : []);
      const bars = shown.map((v) => ({
        label: v.key,
        value: v.cost,
        color: '#0072B2',
        note: fmtShare(r.totals.cost > 0 ? v.cost / r.totals.cost : null),
        text: unpriced.has(v.key) && v.cost === 0 ? 'unpriced' : undefined,
      }));
      if (rest.length > 0) {
        bars.push({
          label: `${rest.length} more`,
          value: rest.reduce((a, v) => a + v.cost, 0),
          color: OTHER_COLOR,
          note: '',
          text: undefined,
        });
      }
      const title = `Top ${dim === 'model' ? 'models' : 'apps'} by spend`;
      return `<figure><figcaption>${esc(title)}</figcaption>${hBars({ id: `top-${dim}`, title, bars, value: fmtUsd, dim })}</figure>`;
    })
    .filter(Boolean);
  if (charts.length === 0) return '';
  return `<section class="top" aria-label="Top models and apps"><h2>Where it goes</h2><div class="two">${charts.join('')}</div></section>`;
}

function groupsTable(r: Report): string {
  const billed = r.totals.reportedCost !== null;
  const days = r.series?.days;
  const trend = days !== undefined && days.length >= 3 && r.groups.every((g) => g.daily);
  const head = [
    ...r.by.map((d) => `<th scope="col">${esc(DIM_TITLES[d] ?? d)}</th>`),
    '<th scope="col" class="num">Requests</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th><th scope="col" class="num">Share</th>',
    billed ? '<th scope="col" class="num">Billed</th>' : '',
    trend ? '<th scope="col">Daily trend</th>' : '',
  ].join('');
  const rows = r.groups.map((g) => {
    const name = r.by.map((d) => g.key[d] ?? '').join(' / ');
    const flags = `${g.estimated ? ' <abbr title="tokens partly estimated from text">~</abbr>' : ''}${g.unpricedRequests > 0 ? ' <abbr title="has unpriced usage, not in the cost">+?</abbr>' : ''}`;
    return `<tr>${r.by.map((d) => `<td>${esc(g.key[d] ?? '')}</td>`).join('')}<td class="num">${fmtInt(g.requests)}</td><td class="num">${fmtInt(sumTokens(g.tokens))}</td><td class="num">${esc(fmtUsd(g.cost))}${flags}</td><td class="num">${fmtShare(g.share)}</td>${billed ? `<td class="num">${g.reportedCost === null ? '–' : esc(fmtUsd(g.reportedCost))}</td>` : ''}${trend ? `<td>${sparkSvg(g.daily!, `daily cost of ${name}`)}</td>` : ''}</tr>`;
  });
  const t = r.totals;
  if (r.other) {
    const o = r.other;
    rows.push(
      `<tr class="other"><td colspan="${r.by.length}">(${o.groups} more)</td><td class="num">${fmtInt(o.requests)}</td><td class="num">${fmtInt(sumTokens(o.tokens))}</td><td class="num">${esc(fmtUsd(o.cost))}</td><td class="num">${fmtShare(t.cost > 0 ? o.cost / t.cost : null)}</td>${billed ? '<td></td>' : ''}${trend ? '<td></td>' : ''}</tr>`,
    );
  }
  rows.push(
    `<tr class="total"><th scope="row" colspan="${r.by.length}">Total</th><td class="num">${fmtInt(t.requests)}</td><td class="num">${fmtInt(sumTokens(t.tokens))}</td><td class="num">${esc(fmtUsd(t.cost))}</td><td class="num">${t.cost > 0 ? '100.0%' : '–'}</td>${billed ? `<td class="num">${t.reportedCost === null ? '–' : esc(fmtUsd(t.reportedCost))}</td>` : ''}${trend && r.series ? `<td>${sparkSvg(r.series.total, 'daily cost, all usage')}</td>` : ''}</tr>`,
  );
  return `<section class="groups" aria-labelledby="groups-h"><h2 id="groups-h">By ${esc(r.by.map((d) => (DIM_TITLES[d] ?? d).toLowerCase()).join(' and '))}</h2>
<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function budgetValue(b: BudgetResult): (v: number) => string {
  return b.unit === 'usd' ? fmtUsd : (v: number) => `${COMPACT.format(v)} tokens`;
}

function budgets(r: Report): string {
  const br = r.budgets;
  if (!br || br.budgets.length === 0) return '';
  const cards = br.budgets.map((b, i) => {
    const burn = br.burn[i];
    const value = budgetValue(b);
    const periodDays = Array.from({ length: b.period.days }, (_, k) => addDays(b.period.start, k));
    const chart = burnChart({
      id: `burn-${i}`,
      name: b.name,
      periodDays,
      cumulative: burn?.cumulative ?? [],
      amount: b.amount,
      alert: b.alertAt * b.amount,
      hardStop: b.hardStopAt * b.amount,
      forecast: b.forecast,
      tick: b.unit === 'usd' ? usdTick : (v) => COMPACT.format(v),
      value,
      unitLabel: b.unit === 'usd' ? 'USD, cumulative' : 'tokens, cumulative',
    });
    const f = b.forecast;
    const scope = Object.entries(b.scope)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
    const when = (x: BudgetResult['alert'], what: string) =>
      x ? `${what} ${x.actual ? 'crossed' : 'expected'} ${esc(x.date)}` : '';
    const facts = [
      `${esc(value(b.spent))} of ${esc(value(b.amount))} (${(b.share * 100).toFixed(1)}%)`,
      f
        ? `forecast at ${esc(b.period.end)}: ${esc(value(f.total))} (80 %: ${esc(value(f.lo80))}–${esc(value(f.hi80))})`
        : 'period over',
      when(b.alert, 'alert'),
      when(b.hardStop, 'hard stop'),
    ].filter(Boolean);
    return `<figure class="budget status-${esc(b.status)}" data-budget="${esc(b.name)}"><figcaption><b>${esc(b.name)}</b> <span class="badge">${esc(b.status)}</span><br><span class="sub">${esc(b.period.label)} · ${esc(scope)}</span></figcaption>${chart}<p class="facts">${facts.join(' · ')}</p></figure>`;
  });
  return `<section class="budgets" aria-labelledby="budgets-h"><h2 id="budgets-h">Budgets as of ${esc(br.asOf)}</h2>
<p class="sub">Line: spend so far. Dashed: alert (amber) and hard stop (red). Shaded: the forecast's 80 % and 95 % intervals of the period-end total, drawn from today to the end of the period.</p>
<div class="two">${cards.join('')}</div></section>`;
}

function savings(r: Report): string {
  const s = r.savings;
  if (!s || s.length === 0) return '';
  const total = s.reduce((a, x) => a + x.saving, 0);
  const max = Math.max(...s.map((x) => x.current), 0) || 1;
  const rows = s.map(
    (x) =>
      `<tr data-simulation="${esc(x.simulation)}"><td>${esc(x.simulation)}</td><td>${esc(x.description)}${x.caveat ? `<br><span class="sub">${esc(x.caveat)}</span>` : ''}</td><td class="num">${esc(fmtUsd(x.current))}</td><td class="num">${esc(fmtUsd(x.simulated))}</td><td class="num"><b>${esc(fmtUsd(x.saving))}</b></td><td><svg class="meter" viewBox="0 0 100 10" width="100" height="10" role="img" aria-label="${esc(`${fmtUsd(x.simulated)} of ${fmtUsd(x.current)}`)}"><rect width="${((x.current / max) * 100).toFixed(1)}" height="10" fill="#ddd"/><rect width="${((x.simulated / max) * 100).toFixed(1)}" height="10" fill="#009E73"/></svg></td></tr>`,
  );
  return `<section class="savings" aria-labelledby="savings-h"><h2 id="savings-h">Savings opportunities</h2>
<p class="sub">What-if simulations over the same usage: up to <b>${esc(fmtUsd(total))}</b> in this period if all applied (they can overlap).</p>
<table><thead><tr><th>Simulation</th><th>What changes</th><th class="num">Now</th><th class="num">Simulated</th><th class="num">Saving</th><th>Simulated / now</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function kpis(r: Report): string {
  const k = r.kpis;
  if (!k || k.length === 0) return '';
  const cards = k.map((x) => {
    const value = x.value === null ? 'n/a' : fmtUsd(x.value);
    const prev =
      x.previous !== undefined && x.previous !== null && x.value !== null && x.previous > 0
        ? ` · ${x.value >= x.previous ? '▲' : '▼'} ${(((x.value - x.previous) / x.previous) * 100).toFixed(1)}% vs ${esc(fmtUsd(x.previous))}`
        : '';
    return card(
      `kpi-${esc(x.name)}`,
      x.name,
      `${value} / ${x.unit}`,
      `${esc(fmtUsd(x.cost))} over ${fmtInt(x.outcomes)} ${esc(x.unit)}(s)${prev}`,
      String(x.value ?? ''),
    );
  });
  return `<section class="kpis" aria-labelledby="kpis-h"><h2 id="kpis-h">Cost per outcome</h2><div class="headline">${cards.join('')}</div></section>`;
}

function anomalies(r: Report): string {
  const a = r.anomalies;
  if (!a || a.length === 0) return '';
  const rows = a.slice(0, 10).map(
    (x) =>
      `<tr><td>${esc(x.date)}</td><td>${esc(
        Object.entries(x.scope)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || 'all',
      )}</td><td class="num">${esc(fmtUsd(x.actual))}</td><td class="num">${esc(fmtUsd(x.expected))}</td><td class="num">${x.score.toFixed(1)}</td></tr>`,
  );
  return `<section class="anomalies" aria-labelledby="anomalies-h"><h2 id="anomalies-h">Spend spikes</h2>
<table><thead><tr><th>Day</th><th>Where</th><th class="num">Spent</th><th class="num">Expected</th><th class="num">Score</th></tr></thead><tbody>${rows.join('')}</tbody></table>${a.length > 10 ? `<p class="sub">… and ${a.length - 10} more in the JSON.</p>` : ''}</section>`;
}

function reconciliation(r: Report): string {
  const x = r.reconciliation;
  if (!x) return '';
  const t = x.totals;
  const bad = x.rows
    .filter((row) => row.status === 'over' || row.status === 'under' || row.status === 'no-usage')
    .slice(0, 10);
  const rows = bad.map(
    (row) =>
      `<tr><td>${esc(row.period)}</td><td>${esc(row.provider)}</td><td>${esc(row.model)}</td><td class="num">${esc(fmtUsd(row.computed))}</td><td class="num">${row.reported === null ? '–' : esc(fmtUsd(row.reported))}</td><td>${esc(row.status)}</td><td>${esc(row.cause ?? '')}</td></tr>`,
  );
  return `<section class="reconciliation" aria-labelledby="rec-h"><h2 id="rec-h">Computed vs billed</h2>
<p class="sub">${esc(fmtUsd(t.computed))} computed, ${esc(fmtUsd(t.reported))} billed; ${fmtInt(t.mismatched)} of ${fmtInt(t.lines)} line(s) do not reconcile.</p>
${rows.length > 0 ? `<table><thead><tr><th>Period</th><th>Provider</th><th>Model</th><th class="num">Computed</th><th class="num">Billed</th><th>Status</th><th>Likely cause</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}</section>`;
}

function provenance(r: Report): string {
  const formats = new Map<string, number>();
  for (const i of r.inputs) formats.set(i.format, (formats.get(i.format) ?? 0) + 1);
  const summary = [...formats].map(([f, k]) => `${k} ${f}`).join(', ');
  const rows = r.inputs.map(
    (i) =>
      `<tr><td><code>${esc(i.file)}</code></td><td>${esc(i.format)}</td><td class="num">${fmtInt(i.records)}</td><td class="num">${fmtInt(i.skipped)}</td><td class="num">${fmtInt(i.duplicates)}</td></tr>`,
  );
  const inv = r.invocation;
  return `<section class="provenance" aria-labelledby="prov-h"><h2 id="prov-h">How this was made</h2>
<dl>
<dt>Prices</dt><dd id="pricing">${esc(r.pricing.source)} · snapshot <b>${esc(r.pricing.snapshot)}</b></dd>
${inv ? `<dt>Command</dt><dd><code id="invocation">${esc(inv.command)}</code></dd><dt>Generated</dt><dd>${esc(inv.generatedAt)}</dd>` : ''}
<dt>Period</dt><dd>${esc(r.period.from ?? '–')} to ${esc(r.period.to ?? '–')} (end exclusive), days in ${esc(r.timezone)}</dd>
</dl>
<details><summary>${fmtInt(r.inputs.length)} input file(s): ${esc(summary)}</summary>
<table><thead><tr><th>File</th><th>Format</th><th class="num">Records</th><th class="num">Skipped</th><th class="num">Duplicates</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>
</section>`;
}
