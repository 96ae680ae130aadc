import Table from 'cli-table3';
import type { GroupDim } from '../analysis/aggregate.ts';
import type { AllResult } from '../simulate/all.ts';
import type { BatchResult } from '../simulate/batch.ts';
import type { CacheResult } from '../simulate/cache.ts';
import type { RagResult } from '../simulate/rag.ts';
import type { SimulationHeader } from '../simulate/result.ts';
import type { Quality, RoutingResult } from '../simulate/routing.ts';
import { csvCell, csvText } from './csv.ts';
import { DIM_TITLES, fmtInt, fmtUsd } from './format.ts';
import { colors, fitColumns, fold, leftOutLines, wrapOptions, type RenderContext } from './table.ts';

/** Renders a result to text (the same shape as render/index.ts `Renderer`). */
type Render<T> = (result: T, ctx: RenderContext) => string;

type Kind = 'text' | 'int' | 'usd' | 'pct' | 'ms' | 'num';
type Value = string | number | boolean | null;

/** One column: its title for people, its CSV name, how to format it, and how to read it from a row. */
interface Col<R> {
  title: string;
  csv: string;
  kind: Kind;
  get: (r: R) => Value;
  /** Text that came from input (neutralised in CSV against formulas). */
  input?: boolean;
  /** Only in the table and markdown, or only in CSV (which wants one number a cell). */
  only?: 'human' | 'csv';
}

interface Section<R> {
  title: string;
  cols: Col<R>[];
  rows: R[];
  total?: R;
  /** Titles of the columns left out first on a narrow terminal, least important first. */
  drop?: string[];
}

/** A result as sections of rows, rendered the same way in table and markdown; CSV takes the first section. */
interface Doc {
  title: string;
  subtitle: string;
  sections: Section<unknown>[];
  assumptions: string[];
  notes: string[];
}

function fmt(kind: Kind, v: Value): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : '';
  if (typeof v === 'string') return v;
  switch (kind) {
    case 'int':
      return fmtInt(v);
    case 'usd':
      return v < 0 && fmtUsd(-v) !== '$0.00' ? `−${fmtUsd(-v)}` : fmtUsd(Math.abs(v) < 0.005 ? 0 : v);
    case 'pct':
      return `${(v * 100).toFixed(1)}%`;
    case 'ms':
      return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`;
    case 'num':
      return String(Math.round(v * 1000) / 1000);
    default:
      return String(v);
  }
}

function keyCols<R extends { key: Record<string, string> }>(by: readonly GroupDim[]): Col<R>[] {
  return by.map((d) => ({
    title: DIM_TITLES[d] ?? d,
    csv: d,
    kind: 'text' as const,
    get: (r: R) => r.key[d] ?? '',
    input: true,
  }));
}

function savingsCols<
  R extends { baselineCost: number; simulatedCost: number; savings: number; savingsShare: number | null },
>(): Col<R>[] {
  return [
    { title: 'Baseline', csv: 'baseline_cost_usd', kind: 'usd', get: (r) => r.baselineCost },
    { title: 'Simulated', csv: 'simulated_cost_usd', kind: 'usd', get: (r) => r.simulatedCost },
    { title: 'Savings', csv: 'savings_usd', kind: 'usd', get: (r) => r.savings },
    { title: 'Savings %', csv: 'savings_share', kind: 'pct', get: (r) => r.savingsShare },
  ];
}

function periodText(h: SimulationHeader): string {
  const { from, to, days } = h.period;
  if (!from || !to) return '(no data)';
  const last = new Date(Date.parse(to) - 1).toISOString().slice(0, 10);
  const f = from.slice(0, 10);
  return `${f === last ? f : `${f} → ${last}`} (${days} day${days === 1 ? '' : 's'})`;
}

/** `92.1% of 1,717 · 0.89`: success rate of the requests with an outcome, then the mean eval score. */
function quality(q: Quality | null): string {
  if (q === null) return '–';
  const parts: string[] = [];
  if (q.successRate !== null) parts.push(`${(q.successRate * 100).toFixed(1)}% of ${fmtInt(q.withOutcome)}`);
  if (q.meanScore !== null) parts.push(`score ${q.meanScore.toFixed(2)}`);
  return parts.join(' · ') || '–';
}

function range(low: number, high: number): string {
  return `${fmt('usd', low)} – ${fmt('usd', high)}`;
}

/** `$48.00 of $257.31 in scope (18.7%)`. */
function ofSpend(h: SimulationHeader, saved: number): string {
  const b = h.spend.baselineCost;
  return `${fmt('usd', saved)} of ${fmtUsd(b)} in scope${b > 0 ? ` (${((saved / b) * 100).toFixed(1)}%)` : ''}`;
}

/** Rows differ per section and each section's columns read its own rows: erase the row type for the list. */
function erase<R>(s: Section<R>): Section<unknown> {
  return s as unknown as Section<unknown>;
}

// ---- the documents ------------------------------------------------------------------------------------

type RoutingRow = RoutingResult['groups'][number];

function routingDoc(r: RoutingResult): Doc {
  const total = {
    key: { [r.by[0] ?? 'workflow']: 'Total' },
    quality: { routed: null, onTarget: null },
    ...r.totals,
  };
  const groups: Section<RoutingRow> = {
    title: 'By ' + r.by.map((d) => DIM_TITLES[d] ?? d).join(', '),
    cols: [
      ...keyCols<RoutingRow>(r.by),
      { title: 'Requests', csv: 'requests', kind: 'int', get: (x) => x.requests },
      { title: 'Routed', csv: 'routed_requests', kind: 'int', get: (x) => x.routed },
      { title: 'Routed %', csv: 'routed_share', kind: 'pct', get: (x) => x.routedShare },
      ...savingsCols<RoutingRow>(),
      {
        title: 'Range',
        csv: '',
        kind: 'text',
        get: (x) => range(x.savingsRange.low, x.savingsRange.high),
        only: 'human',
      },
      { title: '', csv: 'savings_low_usd', kind: 'usd', get: (x) => x.savingsRange.low, only: 'csv' },
      { title: '', csv: 'savings_high_usd', kind: 'usd', get: (x) => x.savingsRange.high, only: 'csv' },
      {
        title: 'Routed: success · score',
        csv: '',
        kind: 'text',
        get: (x) => quality(x.quality.routed),
        only: 'human',
      },
      {
        title: 'On target tier',
        csv: '',
        kind: 'text',
        get: (x) => quality(x.quality.onTarget),
        only: 'human',
      },
      {
        title: '',
        csv: 'routed_success_rate',
        kind: 'pct',
        get: (x) => x.quality.routed?.successRate ?? null,
        only: 'csv',
      },
      {
        title: '',
        csv: 'routed_mean_score',
        kind: 'num',
        get: (x) => x.quality.routed?.meanScore ?? null,
        only: 'csv',
      },
      {
        title: '',
        csv: 'on_target_success_rate',
        kind: 'pct',
        get: (x) => x.quality.onTarget?.successRate ?? null,
        only: 'csv',
      },
      {
        title: '',
        csv: 'on_target_mean_score',
        kind: 'num',
        get: (x) => x.quality.onTarget?.meanScore ?? null,
        only: 'csv',
      },
    ],
    rows: r.groups,
    total,
    drop: [
      'On target tier',
      'Routed: success · score',
      'Range',
      'Simulated',
      'Routed',
      'Requests',
      'Baseline',
    ],
  };
  type Route = RoutingResult['routes'][number];
  const routes: Section<Route> = {
    title: 'Routes',
    cols: [
      { title: 'From', csv: 'from', kind: 'text', get: (x) => x.from, input: true },
      { title: 'To', csv: 'to', kind: 'text', get: (x) => x.to, input: true },
      { title: 'Rule', csv: 'rule', kind: 'text', get: (x) => x.rule, input: true },
      { title: 'Requests', csv: 'requests', kind: 'int', get: (x) => x.requests },
      { title: 'Baseline', csv: 'baseline_cost_usd', kind: 'usd', get: (x) => x.baselineCost },
      { title: 'Simulated', csv: 'simulated_cost_usd', kind: 'usd', get: (x) => x.simulatedCost },
      { title: 'Savings', csv: 'savings_usd', kind: 'usd', get: (x) => x.savings },
    ],
    rows: r.routes,
    drop: ['Simulated', 'Baseline', 'Requests'],
  };
  const c = r.complexity;
  return {
    title: `Routing what-if ${periodText(r)}`,
    subtitle: `policy: ${r.policy.source} · savings range: output ±${(r.sensitivity.outputChange * 100).toFixed(0)}%, ${(r.sensitivity.retryShare * 100).toFixed(0)}% retried · complexity: ${fmtInt(c.simple)} simple, ${fmtInt(c.medium)} medium, ${fmtInt(c.complex)} complex, ${fmtInt(c.unknown)} unknown`,
    sections: [erase(groups), erase(routes)],
    assumptions: r.assumptions,
    notes: r.notes,
  };
}

type RagRow = RagResult['groups'][number];

function ragDoc(r: RagResult): Doc {
  const p = r.policy;
  const policy = [
    p.topK !== null ? `top-k ${p.topK}` : '',
    p.minScore !== null ? `min-score ${p.minScore}` : '',
    p.maxContextTokens !== null ? `max ${fmtInt(p.maxContextTokens)} context tokens` : '',
  ].filter(Boolean);
  const groups: Section<RagRow> = {
    title: 'By ' + r.by.map((d) => DIM_TITLES[d] ?? d).join(', '),
    cols: [
      ...keyCols<RagRow>(r.by),
      { title: 'RAG requests', csv: 'rag_requests', kind: 'int', get: (x) => x.ragRequests },
      { title: 'Chunks', csv: 'chunks_retrieved', kind: 'int', get: (x) => x.chunksRetrieved },
      { title: 'Used', csv: 'chunks_used', kind: 'int', get: (x) => x.chunksUsed },
      {
        title: 'Utilization',
        csv: 'utilization',
        kind: 'pct',
        get: (x) => x.utilization,
      },
      {
        title: 'Leak',
        csv: 'low_utilization',
        kind: 'text',
        get: (x) => (x.lowUtilization ? '< ' + (r.lowUtilizationBelow * 100).toFixed(0) + '%' : ''),
      },
      {
        title: 'Context before',
        csv: 'context_tokens_before',
        kind: 'int',
        get: (x) => x.contextTokensBefore,
      },
      { title: 'After', csv: 'context_tokens_after', kind: 'int', get: (x) => x.contextTokensAfter },
      { title: 'Cut %', csv: 'context_cut_share', kind: 'pct', get: (x) => x.contextCutShare },
      { title: 'Used cut (risk)', csv: 'used_chunks_cut', kind: 'int', get: (x) => x.usedChunksCut },
      { title: 'Risk %', csv: 'used_cut_share', kind: 'pct', get: (x) => x.usedCutShare },
      ...savingsCols<RagRow>(),
    ],
    rows: r.groups,
    drop: [
      'Chunks',
      'Used',
      'After',
      'Simulated',
      'Baseline',
      'Context before',
      'Used cut (risk)',
      'RAG requests',
      'Leak',
      'Risk %',
    ],
    total: { key: { [r.by[0] ?? 'workflow']: 'Total' }, ...r.totals },
  };
  return {
    title: `RAG context what-if ${periodText(r)}`,
    subtitle: `policy: ${policy.length > 0 ? policy.join(', ') : 'none (measure only)'} · saves ${ofSpend(r, r.totals.savings)}`,
    sections: [erase(groups)],
    assumptions: r.assumptions,
    notes: r.notes,
  };
}

type CacheRow = CacheResult['groups'][number];

function cacheDoc(r: CacheResult): Doc {
  const groups: Section<CacheRow> = {
    title: 'By ' + r.by.map((d) => DIM_TITLES[d] ?? d).join(', '),
    cols: [
      ...keyCols<CacheRow>(r.by),
      { title: 'With prefix', csv: 'prefixed_requests', kind: 'int', get: (x) => x.prefixedRequests },
      { title: 'Already cached', csv: 'already_cached', kind: 'int', get: (x) => x.alreadyCached },
      { title: 'Below minimum', csv: 'below_minimum', kind: 'int', get: (x) => x.belowMinimum },
      { title: 'Reads', csv: 'cache_reads', kind: 'int', get: (x) => x.reads },
      { title: 'Writes', csv: 'cache_writes', kind: 'int', get: (x) => x.writes },
      { title: 'Tokens read', csv: 'tokens_read', kind: 'int', get: (x) => x.tokensRead },
      { title: 'Not paying', csv: 'not_paying', kind: 'int', get: (x) => x.notPaying },
      ...savingsCols<CacheRow>(),
    ],
    rows: r.groups,
    total: { key: { [r.by[0] ?? 'app']: 'Total' }, ...r.totals },
    drop: [
      'Below minimum',
      'Not paying',
      'Tokens read',
      'Writes',
      'Reads',
      'Already cached',
      'Simulated',
      'Baseline',
      'With prefix',
    ],
  };
  type Prefix = CacheResult['prefixes'][number];
  const prefixes: Section<Prefix> = {
    title: 'Prefixes with the largest effect',
    cols: [
      { title: 'Model', csv: 'model', kind: 'text', get: (x) => x.model, input: true },
      { title: 'Prefix', csv: 'hash', kind: 'text', get: (x) => x.hash, input: true },
      { title: 'Tokens', csv: 'tokens', kind: 'int', get: (x) => x.tokens },
      { title: 'Min', csv: 'min_tokens', kind: 'int', get: (x) => x.minTokens },
      { title: 'Requests', csv: 'requests', kind: 'int', get: (x) => x.requests },
      { title: 'Already cached', csv: 'already_cached', kind: 'int', get: (x) => x.alreadyCached },
      { title: 'Reads', csv: 'reads', kind: 'int', get: (x) => x.reads },
      { title: 'Writes', csv: 'writes', kind: 'int', get: (x) => x.writes },
      { title: 'Savings', csv: 'savings_usd', kind: 'usd', get: (x) => x.savings },
      {
        title: 'Applied',
        csv: 'applied',
        kind: 'text',
        get: (x) => (x.applied ? 'yes' : x.reads + x.writes === 0 ? '–' : 'no: costs more'),
      },
    ],
    rows: r.prefixes,
    drop: ['Min', 'Already cached', 'Writes', 'Reads', 'Tokens', 'Requests'],
  };
  return {
    title: `Prompt-caching what-if ${periodText(r)}`,
    subtitle: `TTL ${r.ttl} · ${fmtInt(r.trackedPrefixes)} distinct prefix(es) above their model's minimum · saves ${ofSpend(r, r.totals.savings)}`,
    sections: [erase(groups), erase(prefixes)],
    assumptions: r.assumptions,
    notes: r.notes,
  };
}

type BatchRow = BatchResult['groups'][number];

function batchDoc(r: BatchResult): Doc {
  const groups: Section<BatchRow> = {
    title: 'By ' + r.by.map((d) => DIM_TITLES[d] ?? d).join(', '),
    cols: [
      ...keyCols<BatchRow>(r.by),
      { title: 'Candidates', csv: 'candidates', kind: 'int', get: (x) => x.candidates },
      { title: 'Already batch', csv: 'already_batch', kind: 'int', get: (x) => x.alreadyBatch },
      { title: 'Moved', csv: 'moved', kind: 'int', get: (x) => x.moved },
      { title: 'Latency today', csv: 'mean_latency_ms', kind: 'ms', get: (x) => x.meanLatencyMs },
      ...savingsCols<BatchRow>(),
    ],
    rows: r.groups,
    total: { key: { [r.by[0] ?? 'workflow']: 'Total' }, ...r.totals },
    drop: ['Already batch', 'Simulated', 'Latency today', 'Candidates', 'Baseline'],
  };
  return {
    title: `Batch what-if ${periodText(r)}`,
    subtitle: `latency trade-off: results within ${r.turnaround} instead of the latency today · saves ${ofSpend(r, r.totals.savings)}`,
    sections: [erase(groups)],
    assumptions: r.assumptions,
    notes: r.notes,
  };
}

const LEVER_TITLES: Record<string, string> = {
  routing: 'Routing',
  rag: 'RAG trim',
  cache: 'Caching',
  batch: 'Batch',
};

function allDoc(r: AllResult): Doc {
  type Opp = AllResult['opportunities'][number];
  type Step = AllResult['steps'][number];
  type Group = AllResult['groups'][number];
  const opportunities: Section<Opp> = {
    title: 'Opportunities, ranked',
    cols: [
      { title: '#', csv: 'rank', kind: 'int', get: (x) => x.rank },
      { title: 'Lever', csv: '', kind: 'text', get: (x) => LEVER_TITLES[x.lever] ?? x.lever, only: 'human' },
      { title: '', csv: 'lever', kind: 'text', get: (x) => x.lever, only: 'csv' },
      ...keyCols<Opp>(r.by),
      { title: 'Action', csv: 'action', kind: 'text', get: (x) => x.action, input: true },
      { title: 'Savings', csv: 'savings_usd', kind: 'usd', get: (x) => x.savings },
      { title: 'Per month', csv: 'savings_per_month_usd', kind: 'usd', get: (x) => x.savingsPerMonth },
      { title: 'Of spend', csv: 'share_of_baseline', kind: 'pct', get: (x) => x.share },
    ],
    rows: r.opportunities,
    drop: ['Per month', 'Of spend'],
  };
  const steps: Section<Step> = {
    title: `Levers in order (${r.order.map((l) => LEVER_TITLES[l]).join(' → ')})`,
    cols: [
      {
        title: 'Lever',
        csv: 'lever',
        kind: 'text',
        get: (x) => LEVER_TITLES[x.lever] + (x.applied ? '' : ' (not applied)'),
      },
      { title: 'Cost before', csv: 'cost_before_usd', kind: 'usd', get: (x) => x.costBefore },
      { title: 'Cost after', csv: 'cost_after_usd', kind: 'usd', get: (x) => x.costAfter },
      { title: 'Savings', csv: 'savings_usd', kind: 'usd', get: (x) => x.savings },
      { title: 'Per month', csv: 'savings_per_month_usd', kind: 'usd', get: (x) => x.savingsPerMonth },
      { title: 'Of spend', csv: 'savings_share', kind: 'pct', get: (x) => x.savingsShare },
    ],
    rows: r.steps,
    drop: ['Per month', 'Cost after', 'Cost before'],
    total: {
      lever: 'total' as Step['lever'],
      applied: true,
      costBefore: r.totals.baselineCost,
      costAfter: r.totals.simulatedCost,
      savings: r.totals.savings,
      savingsShare: r.totals.savingsShare,
      savingsPerMonth: r.totals.savingsPerMonth,
    },
  };
  steps.cols[0]!.get = (x) =>
    x.lever === ('total' as Step['lever'])
      ? 'Total'
      : LEVER_TITLES[x.lever] + (x.applied ? '' : ' (not applied)');
  const groups: Section<Group> = {
    title: 'By ' + r.by.map((d) => DIM_TITLES[d] ?? d).join(', '),
    cols: [
      ...keyCols<Group>(r.by),
      { title: 'Requests', csv: 'requests', kind: 'int', get: (x) => x.requests },
      { title: 'Baseline', csv: 'baseline_cost_usd', kind: 'usd', get: (x) => x.baselineCost },
      { title: 'Routing', csv: 'routing_usd', kind: 'usd', get: (x) => x.byLever.routing },
      { title: 'RAG', csv: 'rag_usd', kind: 'usd', get: (x) => x.byLever.rag },
      { title: 'Caching', csv: 'cache_usd', kind: 'usd', get: (x) => x.byLever.cache },
      { title: 'Batch', csv: 'batch_usd', kind: 'usd', get: (x) => x.byLever.batch },
      { title: 'Simulated', csv: 'simulated_cost_usd', kind: 'usd', get: (x) => x.simulatedCost },
      { title: 'Savings %', csv: 'savings_share', kind: 'pct', get: (x) => x.savingsShare },
    ],
    rows: r.groups,
    drop: ['Requests', 'Simulated', 'Batch', 'Caching', 'RAG', 'Routing'],
  };
  const t = r.totals;
  return {
    title: `Savings opportunities ${periodText(r)}`,
    subtitle: `${fmtUsd(t.baselineCost)} → ${fmtUsd(t.simulatedCost)}: ${fmtUsd(t.savings)} saved (${t.savingsShare === null ? '–' : (t.savingsShare * 100).toFixed(1) + '%'}), ${fmtUsd(t.savingsPerMonth)} per month`,
    sections: [erase(opportunities), erase(steps), erase(groups)],
    assumptions: r.assumptions,
    notes: r.notes,
  };
}

// ---- table, markdown, csv ----------------------------------------------------------------------------------

/** The section with its human columns only. */
function human<R>(s: Section<R>): Section<R> {
  return { ...s, cols: s.cols.filter((c) => c.only !== 'csv') };
}

function renderDocTable(doc: Doc, ctx: RenderContext): string {
  const c = colors(ctx);
  const out = [c.bold(doc.title), ...fold(doc.subtitle, ctx.width, '  ').map((l) => c.dim(l))];
  const dropped: string[] = [];
  for (const sec of doc.sections) {
    if (sec.rows.length === 0) continue;
    const s = human(sec);
    const rows = [...s.rows, ...(s.total !== undefined ? [s.total] : [])];
    const fit = fitColumns(
      s.cols.map((col) => col.title),
      rows.map((row) => s.cols.map((col) => fmt(col.kind, col.get(row)))),
      ctx.width,
      { drop: s.drop ?? [], wrap: s.cols.flatMap((col, i) => (col.input ? [i] : [])) },
    );
    const t = new Table({
      head: fit.head.map((h) => c.bold(h)),
      style: { head: [], border: [] },
      colAligns: fit.cols.map((i) => (s.cols[i]!.kind === 'text' ? 'left' : 'right')),
      ...wrapOptions(fit),
    });
    t.push(...fit.rows.slice(0, s.rows.length));
    if (s.total !== undefined) t.push(fit.rows[s.rows.length]!.map((x) => c.bold(x)));
    out.push('', c.bold(s.title), t.toString());
    dropped.push(...fit.dropped.filter((x) => !dropped.includes(x)));
  }
  if (doc.assumptions.length > 0)
    out.push(
      '',
      c.bold('Assumptions'),
      ...doc.assumptions.flatMap((a) => fold(`  - ${a}`, ctx.width, '    ')),
    );
  if (doc.notes.length > 0)
    out.push('', ...doc.notes.flatMap((n) => fold(`Note: ${n}`, ctx.width, '  ').map((x) => c.yellow(x))));
  out.push(...leftOutLines(ctx.width, dropped).map((l) => c.dim(l)));
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

function renderDocMarkdown(doc: Doc): string {
  const out = [`## ${md(doc.title)}`, '', md(doc.subtitle)];
  for (const sec of doc.sections) {
    if (sec.rows.length === 0) continue;
    const s = human(sec);
    out.push('', `### ${md(s.title)}`, '');
    out.push(`| ${s.cols.map((col) => md(col.title)).join(' | ')} |`);
    out.push(`| ${s.cols.map((col) => (col.kind === 'text' ? ':--' : '--:')).join(' | ')} |`);
    for (const row of s.rows)
      out.push(`| ${s.cols.map((col) => md(fmt(col.kind, col.get(row)))).join(' | ')} |`);
    if (s.total !== undefined) {
      out.push(
        `| ${s.cols
          .map((col) => {
            const v = md(fmt(col.kind, col.get(s.total)));
            return v && v !== '–' ? `**${v}**` : v;
          })
          .join(' | ')} |`,
      );
    }
  }
  if (doc.assumptions.length > 0)
    out.push('', '### Assumptions', '', ...doc.assumptions.map((a) => `- ${md(a)}`));
  if (doc.notes.length > 0) out.push('', ...doc.notes.map((n) => `> ${md(n)}`));
  return out.join('\n') + '\n';
}

/** The first section as CSV: one header row, one row per group, no totals, raw numbers. */
function renderDocCsv(doc: Doc): string {
  const first = doc.sections[0]!;
  const s = { ...first, cols: first.cols.filter((c) => c.only !== 'human') };
  const lines = [s.cols.map((col) => csvCell(col.csv)).join(',')];
  for (const row of s.rows) {
    lines.push(
      s.cols
        .map((col) => {
          const v = col.get(row);
          if (v === null || v === undefined) return '';
          if (typeof v === 'string') return csvCell(col.input ? csvText(v) : v);
          return csvCell(v);
        })
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

function renderers<T>(doc: (r: T) => Doc) {
  return {
    table: ((r: T, ctx: RenderContext) => renderDocTable(doc(r), ctx)) as Render<T>,
    json: ((r: T) => JSON.stringify(r, null, 2) + '\n') as Render<T>,
    csv: ((r: T) => renderDocCsv(doc(r))) as Render<T>,
    markdown: ((r: T) => renderDocMarkdown(doc(r))) as Render<T>,
  };
}

/** Renderers per simulation; `--format` takes its choices from the keys. */
export const SIMULATE_RENDERERS = {
  routing: renderers(routingDoc),
  rag: renderers(ragDoc),
  cache: renderers(cacheDoc),
  batch: renderers(batchDoc),
  all: renderers(allDoc),
};

/** The output formats of every simulation. */
export const SIMULATE_FORMATS = ['table', 'json', 'csv', 'markdown'] as const;
export type SimulateFormat = (typeof SIMULATE_FORMATS)[number];
