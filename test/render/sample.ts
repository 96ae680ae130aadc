import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/analysis/report.ts';
import { addDays } from '../../src/core/time.ts';

/** The golden demo report (the JSON contract), plus a daily series made up for the renderers (shape, not figures). */
export function sampleReport(days = 31): Report {
  const r = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'golden', 'demo-report.json'), 'utf8'),
  ) as Report;
  const axis = Array.from({ length: days }, (_, i) => addDays('2026-10-01', i));
  const shape = axis.map((_, i) => (i % 7 === 5 || i % 7 === 6 ? 0.2 : 1 + (i % 3) / 2));
  const sum = shape.reduce((a, b) => a + b, 0);
  for (const g of r.groups) g.daily = shape.map((s) => (g.cost * s) / sum);
  const teams = new Map<string, number[]>();
  for (const g of r.groups) {
    const t = teams.get(g.key.team!) ?? axis.map(() => 0);
    g.daily!.forEach((v, i) => (t[i]! += v));
    teams.set(g.key.team!, t);
  }
  r.series = {
    days: axis,
    total: shape.map((s) => (r.totals.cost * s) / sum),
    breakdowns: [
      {
        dim: 'team',
        values: [...teams]
          .map(([key, daily]) => ({ key, daily, cost: daily.reduce((a, b) => a + b, 0) }))
          .sort((a, b) => b.cost - a.cost),
      },
    ],
  };
  return r;
}
