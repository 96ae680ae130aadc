// Server-side SVG charts for the HTML report: no script, no network, print-ready. Every input-derived string goes
// through `esc`; every mark carries its number in a data- attribute and a <title> (tooltip and screen reader).

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies; grey is reserved for "Other". */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442'];
export const OTHER_COLOR = '#9a9a9a';

/** Escapes text for HTML and SVG, in element content and in quoted attributes. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A number for an SVG attribute: at most 2 decimals, no exponent. */
function n(x: number): string {
  return (Math.round(x * 100) / 100).toString();
}

/** Round axis steps: 1, 2, 2.5 or 5 × 10^k, about `count` of them up to `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** `Oct 7` from `2026-10-07` (fixed English month names: the date format of the whole report). */
export function shortDay(ymd: string): string {
  const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    +ymd.slice(5, 7) - 1
  ];
  return `${m} ${+ymd.slice(8, 10)}`;
}

export interface StackSeries {
  name: string;
  color: string;
  values: number[];
}

export interface StackedBarsOptions {
  id: string;
  title: string;
  /** The dimension the series are (`team`), for the DOM and the test. */
  dim: string;
  days: string[];
  series: StackSeries[];
  /** Axis number format (`$12`), and the full format for tooltips (`$12.34`). */
  tick: (v: number) => string;
  value: (v: number) => string;
  yLabel: string;
  xLabel: string;
  /** Days to mark (spikes), with a note each. */
  marks?: { day: string; note: string }[];
}

const W = 960;

/** Daily stacked bars with y grid, axis labels, and optional spike markers. */
export function stackedBars(o: StackedBarsOptions): string {
  const H = 320;
  const m = { top: 24, right: 16, bottom: 52, left: 72 };
  const iw = W - m.left - m.right;
  const ih = H - m.top - m.bottom;
  const totals = o.days.map((_, i) => o.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const ticks = niceTicks(Math.max(...totals, 0));
  const top = ticks[ticks.length - 1]!;
  const y = (v: number) => m.top + ih - (v / top) * ih;
  const slot = iw / Math.max(1, o.days.length);
  const bw = Math.max(1, slot * 0.78);
  const x = (i: number) => m.left + i * slot + (slot - bw) / 2;
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" data-chart="stacked-bars" data-dim="${esc(o.dim)}" data-top="${top}" data-plot-top="${m.top}" data-plot-height="${ih}">`,
    `<title id="${o.id}-t">${esc(o.title)}</title>`,
    `<desc id="${o.id}-d">${esc(`Stacked bars, one per day; series: ${o.series.map((s) => s.name).join(', ')}. ${o.yLabel}.`)}</desc>`,
  );
  // Grid and y axis.
  out.push('<g class="axis y-axis">');
  for (const t of ticks) {
    out.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${n(y(t))}" y2="${n(y(t))}" class="grid"/>`,
      `<text x="${m.left - 8}" y="${n(y(t) + 4)}" text-anchor="end" data-tick="${t}">${esc(o.tick(t))}</text>`,
    );
  }
  out.push(
    `<text class="axis-label" transform="translate(16 ${n(m.top + ih / 2)}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
    '</g>',
  );
  // X axis: a label every few days, at most ~16.
  const every = Math.max(1, Math.ceil(o.days.length / 16));
  out.push('<g class="axis x-axis">');
  out.push(
    `<line x1="${m.left}" x2="${W - m.right}" y1="${n(m.top + ih)}" y2="${n(m.top + ih)}" class="baseline"/>`,
  );
  o.days.forEach((d, i) => {
    if (i % every !== 0) return;
    out.push(
      `<text x="${n(x(i) + bw / 2)}" y="${m.top + ih + 16}" text-anchor="middle">${esc(shortDay(d))}</text>`,
    );
  });
  out.push(
    `<text class="axis-label" x="${n(m.left + iw / 2)}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    '</g>',
  );
  // Bars, one group per series, stacked from the bottom in series order.
  const base = o.days.map(() => 0);
  for (const s of o.series) {
    out.push(`<g class="series" data-series="${esc(s.name)}" fill="${s.color}">`);
    s.values.forEach((v, i) => {
      if (!(v > 0)) return;
      const y0 = y(base[i]!);
      const y1 = y(base[i]! + v);
      base[i]! += v;
      out.push(
        `<rect x="${n(x(i))}" y="${n(y1)}" width="${n(bw)}" height="${n(Math.max(0, y0 - y1))}" data-day="${o.days[i]}" data-value="${v}"><title>${esc(`${s.name} · ${o.days[i]}: ${o.value(v)}`)}</title></rect>`,
      );
    });
    out.push('</g>');
  }
  // Totals as invisible hit targets: one tooltip per day with the day's total.
  out.push('<g class="day-totals">');
  o.days.forEach((d, i) => {
    out.push(
      `<rect x="${n(m.left + i * slot)}" y="${m.top}" width="${n(slot)}" height="${ih}" fill="transparent" data-day="${d}" data-total="${totals[i]}"><title>${esc(`${d}: ${o.value(totals[i]!)} in all`)}</title></rect>`,
    );
  });
  out.push('</g>');
  for (const mk of o.marks ?? []) {
    const i = o.days.indexOf(mk.day);
    if (i < 0) continue;
    const cx = x(i) + bw / 2;
    const cy = y(totals[i]!) - 6;
    out.push(
      `<path class="mark" d="M${n(cx - 5)} ${n(cy - 8)} L${n(cx + 5)} ${n(cy - 8)} L${n(cx)} ${n(cy)} Z" data-day="${mk.day}"><title>${esc(mk.note)}</title></path>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}

export interface HBar {
  label: string;
  value: number;
  color: string;
  note?: string;
  /** Printed instead of the value (e.g. `unpriced`). */
  text?: string;
}

/** Horizontal bars, costliest first, with the value printed at the end of each bar. */
export function hBars(o: {
  id: string;
  title: string;
  bars: HBar[];
  value: (v: number) => string;
  dim: string;
}): string {
  const row = 26;
  const m = { top: 8, right: 96, left: 200 };
  const H = m.top * 2 + row * o.bars.length;
  const Wb = 560;
  const iw = Wb - m.left - m.right;
  const max = Math.max(...o.bars.map((b) => b.value), 0) || 1;
  const out = [
    `<svg class="chart hbars" viewBox="0 0 ${Wb} ${H}" role="img" aria-labelledby="${o.id}-t" data-chart="hbars" data-dim="${esc(o.dim)}">`,
    `<title id="${o.id}-t">${esc(o.title)}</title>`,
  ];
  o.bars.forEach((b, i) => {
    const yy = m.top + i * row;
    const w = Math.max(b.value > 0 ? 1 : 0, (b.value / max) * iw);
    const label = b.label.length > 28 ? `${b.label.slice(0, 27)}…` : b.label;
    out.push(
      `<g class="bar" data-label="${esc(b.label)}" data-value="${b.value}">`,
      `<text x="${m.left - 8}" y="${yy + 17}" text-anchor="end">${esc(label)}</text>`,
      `<rect x="${m.left}" y="${yy + 4}" width="${n(w)}" height="${row - 8}" fill="${b.color}"><title>${esc(`${b.label}: ${o.value(b.value)}${b.note ? ` · ${b.note}` : ''}`)}</title></rect>`,
      `<text x="${n(m.left + w + 6)}" y="${yy + 17}" class="value">${esc(b.text ?? o.value(b.value))}</text>`,
      '</g>',
    );
  });
  out.push('</svg>');
  return out.join('');
}

/** A tiny inline trend line for a table cell (no axes: the table gives the numbers). */
export function sparkSvg(values: readonly number[], label: string): string {
  const w = 120;
  const h = 24;
  const max = Math.max(...values, 0);
  if (values.length < 2 || !(max > 0)) return '';
  const step = w / (values.length - 1);
  const pts = values.map((v, i) => `${n(i * step)},${n(h - 2 - (v / max) * (h - 4))}`).join(' ');
  return `<svg class="spark" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><polyline points="${pts}" fill="none" stroke="#0072B2" stroke-width="1.5"/></svg>`;
}

export interface BurnOptions {
  id: string;
  name: string;
  /** Period days, start to end. */
  periodDays: string[];
  /** Cumulative actual spend per day from the period start to as-of. */
  cumulative: number[];
  amount: number;
  alert: number;
  hardStop: number;
  /** Period-end forecast, drawn from as-of (spent) to the end as a widening band. */
  forecast: { total: number; lo80: number; hi80: number; lo95: number; hi95: number } | null;
  tick: (v: number) => string;
  value: (v: number) => string;
  unitLabel: string;
}

/** Budget burn-down: cumulative spend against the alert and hard-stop lines, with the forecast band to the period end. */
export function burnChart(o: BurnOptions): string {
  const Wc = 480;
  const H = 240;
  const m = { top: 16, right: 16, bottom: 40, left: 64 };
  const iw = Wc - m.left - m.right;
  const ih = H - m.top - m.bottom;
  const last = o.cumulative[o.cumulative.length - 1] ?? 0;
  const f = o.forecast;
  const ticks = niceTicks(Math.max(o.hardStop * 1.08, last, f?.hi95 ?? 0), 4);
  const top = ticks[ticks.length - 1]!;
  const nd = Math.max(1, o.periodDays.length - 1);
  const x = (i: number) => m.left + (i / nd) * iw;
  const y = (v: number) => m.top + ih - (Math.min(v, top) / top) * ih;
  const out = [
    `<svg class="chart burn" viewBox="0 0 ${Wc} ${H}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" data-chart="burn" data-budget="${esc(o.name)}" data-spent="${last}">`,
    `<title id="${o.id}-t">${esc(`${o.name}: cumulative spend against the budget`)}</title>`,
    `<desc id="${o.id}-d">${esc(
      `Spent ${o.value(last)} of ${o.value(o.amount)}; alert at ${o.value(o.alert)}, hard stop at ${o.value(o.hardStop)}` +
        (f
          ? `; forecast at period end ${o.value(f.total)} (80 %: ${o.value(f.lo80)}–${o.value(f.hi80)})`
          : ''),
    )}</desc>`,
  ];
  for (const t of ticks) {
    out.push(
      `<line x1="${m.left}" x2="${Wc - m.right}" y1="${n(y(t))}" y2="${n(y(t))}" class="grid"/>`,
      `<text x="${m.left - 6}" y="${n(y(t) + 4)}" text-anchor="end">${esc(o.tick(t))}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" x2="${Wc - m.right}" y1="${m.top + ih}" y2="${m.top + ih}" class="baseline"/>`,
    `<text class="axis-label" transform="translate(14 ${n(m.top + ih / 2)}) rotate(-90)" text-anchor="middle">${esc(o.unitLabel)}</text>`,
  );
  const first = o.periodDays[0];
  const end = o.periodDays[o.periodDays.length - 1];
  if (first && end) {
    out.push(
      `<text x="${m.left}" y="${m.top + ih + 16}" text-anchor="start">${esc(shortDay(first))}</text>`,
      `<text x="${Wc - m.right}" y="${m.top + ih + 16}" text-anchor="end">${esc(shortDay(end))}</text>`,
      `<text class="axis-label" x="${n(m.left + iw / 2)}" y="${H - 6}" text-anchor="middle">day of the budget period</text>`,
    );
  }
  const asOf = o.cumulative.length - 1;
  if (f && asOf >= 0) {
    const band = (lo: number, hi: number, cls: string) =>
      `<polygon class="${cls}" points="${n(x(asOf))},${n(y(last))} ${n(x(nd))},${n(y(hi))} ${n(x(nd))},${n(y(lo))}"/>`;
    out.push(
      `<g class="forecast" data-total="${f.total}">`,
      band(f.lo95, f.hi95, 'band95'),
      band(f.lo80, f.hi80, 'band80'),
      `<line class="forecast-mean" x1="${n(x(asOf))}" y1="${n(y(last))}" x2="${n(x(nd))}" y2="${n(y(f.total))}"><title>${esc(`forecast at period end: ${o.value(f.total)}`)}</title></line>`,
      '</g>',
    );
  }
  // The hard stop's label above its line at the right, the (lower) alert's below its line at the left: close lines
  // (alert 80 %, hard stop 100 %) never print over each other.
  const line = (v: number, cls: string, label: string, right: boolean) =>
    `<g class="${cls}" data-value="${v}"><line x1="${m.left}" x2="${Wc - m.right}" y1="${n(y(v))}" y2="${n(y(v))}"/><text x="${right ? Wc - m.right - 4 : m.left + 4}" y="${n(right ? y(v) - 4 : y(v) + 12)}" text-anchor="${right ? 'end' : 'start'}">${esc(label)}</text></g>`;
  out.push(
    line(o.hardStop, 'hard-stop', `hard stop ${o.value(o.hardStop)}`, true),
    line(o.alert, 'alert', `alert ${o.value(o.alert)}`, false),
  );
  if (o.cumulative.length > 0) {
    const pts = o.cumulative.map((v, i) => `${n(x(i))},${n(y(v))}`).join(' ');
    out.push(
      `<polyline class="actual" points="${pts}"><title>${esc(`spent ${o.value(last)} by ${o.periodDays[asOf] ?? ''}`)}</title></polyline>`,
      `<circle class="actual-dot" cx="${n(x(asOf))}" cy="${n(y(last))}" r="3.5"/>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}
