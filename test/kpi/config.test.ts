import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ScopeSchema } from '../../src/config/schema.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { KpiScopeSchema, kpiBetter, kpiUnit, KpisConfigSchema } from '../../src/kpi/config.ts';
import { isoWeekLabel, kpiPeriod, periodsBetween } from '../../src/kpi/periods.ts';

const parse = (yaml: string) => parseConfig(yaml, 'finops.yaml');

function errorOf(yaml: string): string {
  try {
    parse(yaml);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('kpis: config', () => {
  it('reads a KPI with defaults: numerator cost, count tasks, escalation [escalated], kind ratio', () => {
    const c = parse(`
kpis:
  - name: cost-per-resolved-ticket
    scope: { app: helpdesk-bot }
    denominator: { outcome: [Resolved, resolved] }
`);
    expect(c.kpis).toEqual([
      {
        name: 'cost-per-resolved-ticket',
        kind: 'ratio',
        scope: { app: 'helpdesk-bot' },
        numerator: { kind: 'cost' },
        denominator: {
          kind: 'outcome',
          outcomes: ['resolved'],
          count: 'tasks',
          escalation: ['escalated'],
          scope: undefined,
        },
      },
    ]);
    expect(kpiUnit(c.kpis[0]!)).toBe('usd');
    expect(kpiBetter(c.kpis[0]!)).toBe('lower');
  });

  it('derives unit and direction: outcome ÷ outcome is a percent, higher is better unless told', () => {
    const c = parse(`
kpis:
  - name: rate
    numerator: { outcome: escalated }
    denominator: { outcome: "*" }
  - name: rev
    numerator: { metric: Revenue }
    denominator: cost
`);
    expect(c.kpis[0]!.denominator).toMatchObject({ kind: 'outcome', outcomes: '*' });
    expect([kpiUnit(c.kpis[0]!), kpiBetter(c.kpis[0]!)]).toEqual(['percent', 'higher']);
    expect(c.kpis[1]!.numerator).toEqual({ kind: 'metric', metric: 'revenue', scope: undefined });
    expect([kpiUnit(c.kpis[1]!), kpiBetter(c.kpis[1]!)]).toEqual(['number', 'higher']);
  });

  it('an empty kpis: key is an empty list', () => {
    expect(parse('kpis:\n').kpis).toEqual([]);
    expect(parse('').kpis).toEqual([]);
  });

  it.each([
    ['a missing denominator', `kpis:\n  - name: a\n`, 'finops.yaml: kpis.0.denominator: '],
    [
      'an unknown quantity word',
      `kpis:\n  - name: a\n    denominator: costs\n`,
      'finops.yaml: kpis.0.denominator: expected cost, requests, { outcome: <name or list>, count: tasks|requests } or { metric: <outcomes-file metric> }',
    ],
    [
      'a typo inside a quantity',
      `kpis:\n  - name: a\n    denominator: { outcomes: resolved }\n`,
      'finops.yaml: kpis.0.denominator: Unrecognized key: "outcomes"',
    ],
    [
      'a bad count',
      `kpis:\n  - name: a\n    denominator: { outcome: resolved, count: ticket }\n`,
      'finops.yaml: kpis.0.denominator.count: ',
    ],
    [
      'outcome and metric together',
      `kpis:\n  - name: a\n    denominator: { outcome: resolved, metric: x }\n`,
      'finops.yaml: kpis.0.denominator: give exactly one of outcome or metric',
    ],
    [
      'count on a metric',
      `kpis:\n  - name: a\n    denominator: { metric: x, count: tasks }\n`,
      'finops.yaml: kpis.0.denominator.count: count and escalation apply to { outcome: … } only',
    ],
    [
      'a human_equivalent without a baseline',
      `kpis:\n  - name: a\n    kind: human_equivalent\n    denominator: { outcome: resolved }\n`,
      'finops.yaml: kpis.0.human: kind human_equivalent needs human',
    ],
    [
      'a human baseline on a ratio',
      `kpis:\n  - name: a\n    denominator: { outcome: resolved }\n    human: { minutes_per_outcome: 5, hourly_rate_usd: 40 }\n`,
      'finops.yaml: kpis.0.human: human is used only with kind: human_equivalent',
    ],
    [
      'a negative hourly rate',
      `kpis:\n  - name: a\n    kind: human_equivalent\n    denominator: { outcome: resolved }\n    human: { minutes_per_outcome: 5, hourly_rate_usd: -40 }\n`,
      'finops.yaml: kpis.0.human.hourly_rate_usd: ',
    ],
    [
      'a human_equivalent over something other than cost',
      `kpis:\n  - name: a\n    kind: human_equivalent\n    numerator: requests\n    denominator: { outcome: resolved }\n    human: { minutes_per_outcome: 5, hourly_rate_usd: 40 }\n`,
      'finops.yaml: kpis.0.numerator: kind human_equivalent divides AI cost: numerator must be cost',
    ],
    [
      'a name that is not kebab-case',
      `kpis:\n  - name: Cost Per Ticket\n    denominator: { outcome: resolved }\n`,
      'finops.yaml: kpis.0.name: expected a kebab-case name',
    ],
    [
      'a duplicate name',
      `kpis:\n  - name: a\n    denominator: requests\n  - name: a\n    denominator: requests\n`,
      'finops.yaml: kpis.1.name: duplicate name "a" (also entry 0)',
    ],
    [
      'an unknown scope key',
      `kpis:\n  - name: a\n    scope: { ap: x }\n    denominator: requests\n`,
      'finops.yaml: kpis.0.scope: Unrecognized key: "ap"',
    ],
    [
      'a scope on cost',
      `kpis:\n  - name: a\n    denominator: { metric: docs }\n    numerator: { of: cost, scope: { app: x } }\n`,
      'finops.yaml: kpis.0.numerator.scope: cost is always counted over the KPI',
    ],
    [
      'a text target',
      `kpis:\n  - name: a\n    denominator: requests\n    target: low\n`,
      'finops.yaml: kpis.0.target: ',
    ],
  ])('%s → ConfigError naming the key path', (_name, yaml, message) => {
    expect(errorOf(yaml)).toContain(message);
  });

  it('KpiScopeSchema accepts exactly the keys of the budgets ScopeSchema', () => {
    expect(Object.keys(KpiScopeSchema.shape).sort()).toEqual(Object.keys(ScopeSchema.shape).sort());
  });

  it('KpisConfigSchema parses on its own (for the lead: ConfigSchema embeds it as `kpis`)', () => {
    expect(KpisConfigSchema.parse(null)).toEqual([]);
  });
});

describe('kpi periods', () => {
  it.each([
    ['2026-09-28', '2026-W40'], // Oct 1 2026 is in week 40
    ['2026-12-28', '2026-W53'], // 2026 starts on a Thursday: it has 53 ISO weeks
    ['2027-01-04', '2027-W01'],
    ['2024-12-30', '2025-W01'], // the week of Jan 2 2025 belongs to 2025
  ])('the week of Monday %s is %s', (monday, label) => {
    expect(isoWeekLabel(monday)).toBe(label);
  });

  it('weeks run Monday to Sunday; months and quarters as periodContaining', () => {
    expect(kpiPeriod('2026-10-01', 'week')).toEqual({
      start: '2026-09-28',
      end: '2026-10-04',
      days: 7,
      label: '2026-W40',
    });
    expect(kpiPeriod('2026-10-01', 'month')).toMatchObject({
      start: '2026-10-01',
      end: '2026-10-31',
      label: '2026-10',
    });
    expect(kpiPeriod('2026-11-15', 'quarter')).toMatchObject({
      start: '2026-10-01',
      end: '2026-12-31',
      label: '2026-Q4',
    });
  });

  it('enumerates every period between two days, gaps included', () => {
    expect(periodsBetween('2026-10-01', '2026-10-31', 'week').map((p) => p.label)).toEqual([
      '2026-W40',
      '2026-W41',
      '2026-W42',
      '2026-W43',
      '2026-W44',
    ]);
    expect(periodsBetween('2026-11-20', '2027-02-01', 'month').map((p) => p.label)).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
  });
});
