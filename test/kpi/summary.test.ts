import { describe, expect, it } from 'vitest';
import type { BudgetReport } from '../../src/analysis/budget.ts';
import type { KpiCell, KpiReport, KpiResult } from '../../src/kpi/engine.ts';
import { buildKpiSummary, reportKpiValues } from '../../src/kpi/summary.ts';
import { fmtChange, fmtKpi, KPI_RENDERERS } from '../../src/render/kpi.ts';

function cell(
  period: string,
  value: number | null,
  previous: number | null,
  extra: Partial<KpiCell> = {},
): KpiCell {
  const change = value !== null && previous !== null ? value - previous : null;
  return {
    period,
    value,
    missing: value === null ? 'tasks resolved is 0' : null,
    numerator: value === null ? 1 : value * 10,
    denominator: value === null ? 0 : 10,
    previous,
    change,
    changePct: change !== null && previous ? change / Math.abs(previous) : null,
    trend: change === null ? null : change < 0 ? 'better' : change > 0 ? 'worse' : 'flat',
    vsTarget: null,
    onTarget: null,
    estimated: false,
    unpricedRequests: 0,
    human: null,
    ...extra,
  };
}

function kpi(name: string, values: KpiCell[], extra: Partial<KpiResult> = {}): KpiResult {
  return {
    name,
    title: name.toUpperCase(),
    kind: 'ratio',
    unit: 'usd',
    better: 'lower',
    scope: {},
    numerator: 'AI cost',
    denominator: 'tasks resolved',
    target: null,
    human: null,
    values,
    ...extra,
  };
}

// Two months. Changes Sep → Oct: a +10 % (1.0 → 1.1), b −50 % (2 → 1), c +300 % (0.5 → 2), d none (Sep
// missing), e missing in October, f +0 % (flat).
const report: KpiReport = {
  schemaVersion: 1,
  command: 'kpi',
  currency: 'USD',
  timezone: 'UTC',
  by: 'month',
  coverage: { from: '2026-09-01', to: '2026-10-31' },
  periods: [
    { label: '2026-09', start: '2026-09-01', end: '2026-09-30', days: 30, partial: false },
    { label: '2026-10', start: '2026-10-01', end: '2026-10-31', days: 31, partial: false },
  ],
  kpis: [
    kpi('a', [cell('2026-09', 1, null), cell('2026-10', 1.1, 1)]),
    kpi('b', [cell('2026-09', 2, null), cell('2026-10', 1, 2)]),
    kpi('c', [cell('2026-09', 0.5, null), cell('2026-10', 2, 0.5)]),
    kpi('d', [cell('2026-09', null, null), cell('2026-10', 3, null)]),
    kpi('e', [cell('2026-09', 1, null), cell('2026-10', null, 1)]),
    kpi('f', [cell('2026-09', 4, null), cell('2026-10', 4, 4)]),
  ],
  spend: [
    { period: '2026-09', cost: 80, unpricedRequests: 0, byTeam: [{ team: 'support', cost: 80 }] },
    {
      period: '2026-10',
      cost: 100,
      unpricedRequests: 3,
      byTeam: [
        { team: 'support', cost: 75 },
        { team: 'sales', cost: 25 },
      ],
    },
  ],
  outcomes: null,
  notes: [],
  problems: { skipped: 0, duplicates: 0, first: null },
};

describe('executive summary', () => {
  const s = buildKpiSummary(report);

  it('spend of the last period, by team, against the period before', () => {
    expect(s.period?.label).toBe('2026-10');
    expect(s.previousPeriod).toBe('2026-09');
    // $100 vs $80: +25 %; support 75 % of $100, sales 25 % (no sales spend in September: 0, not missing).
    expect(s.spend).toEqual({
      total: 100,
      previous: 80,
      changePct: 0.25,
      unpricedRequests: 3,
      byTeam: [
        { team: 'support', cost: 75, share: 0.75, previous: 80 },
        { team: 'sales', cost: 25, share: 0.25, previous: 0 },
      ],
    });
  });

  it('the three KPIs that moved most, by |relative change|', () => {
    // |change|: c 3.0, b 0.5, a 0.1, f 0; d and e have no change.
    expect(s.movers.map((m) => [m.name, m.changePct])).toEqual([
      ['c', 3],
      ['b', -0.5],
      ['a', 0.10000000000000009],
    ]);
  });

  it('fills with KPIs that have a value when fewer than three moved', () => {
    const one: KpiReport = { ...report, kpis: [report.kpis[3]!, report.kpis[4]!, report.kpis[1]!] };
    // b moved; d has a value but no previous; e has no value at all (left out).
    expect(buildKpiSummary(one).movers.map((m) => [m.name, m.changePct])).toEqual([
      ['b', -0.5],
      ['d', null],
    ]);
  });

  it('budgets and the top saving come from the hooks; without them, null', () => {
    expect(s.budgets).toBeNull();
    expect(s).toMatchObject({ topSaving: null, simulations: false });
    const budgets = {
      asOf: '2026-10-31',
      budgets: [{ name: 'support', status: 'warn', unit: 'usd', spent: 75, amount: 90, share: 0.8333 }],
    } as unknown as BudgetReport;
    const savings = [
      { simulation: 'rag', description: 'trim context to 3 chunks', saving: 12.5 },
      { simulation: 'routing', description: 'triage on gpt-4o-mini', saving: 40 },
    ];
    const t = buildKpiSummary(report, { budgets, savings });
    expect(t.budgets).toEqual({
      asOf: '2026-10-31',
      items: [{ name: 'support', status: 'warn', unit: 'usd', spent: 75, amount: 90, share: 0.8333 }],
    });
    expect(t).toMatchObject({ topSaving: savings[1], simulations: true });
    expect(buildKpiSummary(report, { savings: [] })).toMatchObject({ topSaving: null, simulations: true });
  });

  it('renders on one screen in every format', () => {
    const r = { ...report, summary: s };
    const table = KPI_RENDERERS.table(r, { color: false });
    expect(table.split('\n').length).toBeLessThan(40);
    expect(table).toContain('AI spend   $100.00 (2026-09: $80.00, +25.0%)');
    expect(table).toContain('By team    support $75.00 (75.0%) · sales $25.00 (25.0%)');
    expect(table).toContain('Top saving – (no simulation results given)');
    expect(KPI_RENDERERS.markdown(r)).toContain('| C | $2.00 | $0.50 | +300.0% | – | – |');
    expect(KPI_RENDERERS.csv(r).split('\n')).toEqual([
      'section,item,period,value,unit,previous,change_pct,status',
      'spend,total,2026-10,100,usd,80,0.25,',
      'spend,team:support,2026-10,75,usd,80,,',
      'spend,team:sales,2026-10,25,usd,0,,',
      'kpi,c,2026-10,2,usd,0.5,3,',
      'kpi,b,2026-10,1,usd,2,-0.5,',
      'kpi,a,2026-10,1.1,usd,1,0.10000000000000009,',
      '',
    ]);
  });

  it('gives the HTML report its cost-per-outcome values, leaving out missing ones', () => {
    // All six have a cost and an outcome count in October (e's is 0: value null, which that shape allows).
    expect(reportKpiValues(report).map((v) => v.name)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    const gone: KpiReport = {
      ...report,
      kpis: [kpi('g', [cell('2026-09', 1, null), cell('2026-10', 1, 1, { denominator: null, value: null })])],
    };
    expect(reportKpiValues(gone)).toEqual([]);
    expect(reportKpiValues(report)[0]).toEqual({
      name: 'A',
      value: 1.1,
      unit: 'tasks resolved',
      cost: 11,
      outcomes: 10,
      previous: 1,
    });
  });
});

describe('KPI renderers', () => {
  it('formats values in their unit, unit costs to 3 significant digits', () => {
    expect(fmtKpi(0.0542081, 'usd')).toBe('$0.0542');
    expect(fmtKpi(0.0000443, 'usd')).toBe('$0.0000443');
    expect(fmtKpi(600.6, 'usd')).toBe('$600.60');
    expect(fmtKpi(0.5, 'usd')).toBe('$0.50');
    expect(fmtKpi(0.325249, 'usd')).toBe('$0.325');
    expect(fmtKpi(0.0011177, 'usd')).toBe('$0.00112');
    expect(fmtKpi(0.2252, 'percent')).toBe('22.5%');
    expect(fmtKpi(1234.567, 'number')).toBe('1,234.57');
    expect(fmtChange({ change: 0.008, changePct: 0.036 }, 'percent')).toBe('+0.8 pp');
    expect(fmtChange({ change: -0.1, changePct: -0.05 }, 'usd')).toBe('−5.0%');
    expect(fmtChange({ change: 2, changePct: null }, 'number')).toBe('+2');
    expect(fmtChange({ change: null, changePct: null }, 'usd')).toBe('–');
  });

  it('table and markdown show a missing value as missing, with its reason; never 0 or ∞', () => {
    const table = KPI_RENDERERS.table(report, { color: false });
    expect(table).toContain('missing');
    expect(table).toContain('E: tasks resolved is 0 (2026-10)');
    expect(table).not.toMatch(/Infinity|NaN|∞/);
    const md = KPI_RENDERERS.markdown(report);
    expect(md).toContain('- D: tasks resolved is 0 (2026-09)');
  });

  it('CSV: one header row, one row per KPI × period, empty cells for nulls', () => {
    const lines = KPI_RENDERERS.csv(report).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 6 * 2);
    expect(
      lines[0]!.startsWith(
        'kpi,title,kind,unit,better,period,period_start,period_end,partial,value,missing,',
      ),
    ).toBe(true);
    // e in October: value empty, reason given, previous 1, no change.
    expect(lines[10]).toBe(
      'e,E,ratio,usd,lower,2026-10,2026-10-01,2026-10-31,false,,tasks resolved is 0,1,0,1,,,,,,,false,0,,,,,',
    );
  });

  it('JSON carries schemaVersion 1 and command kpi', () => {
    expect(JSON.parse(KPI_RENDERERS.json(report))).toMatchObject({ schemaVersion: 1, command: 'kpi' });
  });
});
