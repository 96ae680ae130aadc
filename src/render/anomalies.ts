import Table from 'cli-table3';
import type { Anomaly } from '../analysis/spikes.ts';
import { fmtUsd } from './format.ts';
import { colors, type RenderContext } from './table.ts';

function scopeText(a: Anomaly): string {
  const parts = Object.entries(a.scope).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : 'all spend';
}

function cells(a: Anomaly): string[] {
  return [
    a.date,
    scopeText(a),
    fmtUsd(a.expected),
    fmtUsd(a.actual),
    `×${a.expected > 0 ? (a.actual / a.expected).toFixed(1) : '∞'}`,
    a.score.toFixed(1),
  ];
}

const HEAD = ['Day', 'Scope', 'Expected', 'Actual', 'Ratio', 'Score'];

/** Spend spikes as a terminal table (or a line saying there were none). */
export function renderAnomaliesTable(list: Anomaly[], ctx: RenderContext): string {
  const c = colors(ctx);
  if (list.length === 0)
    return (
      c.dim('No daily spend spikes found (robust z-score ≤ 3.5 against each day’s weekday norm).') + '\n'
    );
  const t = new Table({
    head: HEAD.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right'],
  });
  for (const a of list) t.push(cells(a));
  return `${c.bold(`Spend spikes (${list.length})`)}\n${t.toString()}\n`;
}

/** Spend spikes as markdown. */
export function renderAnomaliesMarkdown(list: Anomaly[]): string {
  if (list.length === 0) return '_No daily spend spikes found._\n';
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  return (
    [
      `### Spend spikes (${list.length})`,
      '',
      `| ${HEAD.join(' | ')} |`,
      '| :-- | :-- | --: | --: | --: | --: |',
      ...list.map((a) => `| ${cells(a).map(esc).join(' | ')} |`),
    ].join('\n') + '\n'
  );
}
