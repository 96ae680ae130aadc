import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ZonedCalendar } from '../../src/core/time.ts';
import { KpiEngine, type KpiReport, type KpiResult } from '../../src/kpi/engine.ts';
import { readOutcomes } from '../../src/kpi/outcomes.ts';
import type { KpiPeriodKind } from '../../src/kpi/periods.ts';
import { scanUsage } from '../../src/pipeline/scan.ts';
import { loadPriceBook } from '../../src/pricing/index.ts';
import { tempFile } from '../helpers/parse.ts';

const book = await loadPriceBook({ importedPath: null });

// Every request: gpt-4.1, 250,000 input tokens at $2 per 1M = $0.50, no output.
let n = 0;
function req(at: string, o: Record<string, unknown> = {}) {
  return JSON.stringify({
    timestamp: at,
    provider: 'openai',
    model: 'gpt-4.1',
    tokens: { input: 250_000, output: 0 },
    app: 'helpdesk-bot',
    team: 'support',
    request_id: `r${++n}`,
    ...o,
  });
}

/** Runs the engine over request-log lines (and an outcomes CSV) as `finops kpi` does. */
async function kpis(
  yaml: string,
  lines: string[],
  csv?: string,
  opts: { by?: KpiPeriodKind; tz?: string } = {},
): Promise<KpiReport> {
  const tz = opts.tz ?? 'UTC';
  const config = parseConfig(yaml, 'finops.yaml');
  const engine = new KpiEngine(config.kpis, { tz, by: opts.by ?? 'month' });
  const outcomes =
    csv === undefined
      ? null
      : await readOutcomes([tempFile('outcomes.csv', csv)], { cal: new ZonedCalendar(tz) }, (r) =>
          engine.addOutcome(r),
        );
  const file = tempFile('usage.jsonl', lines.join('\n') + '\n');
  const scan = await scanUsage({ paths: [file], tz, filters: [], config, book }, (p) => engine.add(p));
  return engine.result(scan, outcomes);
}

const kpi = (r: KpiReport, name: string): KpiResult => r.kpis.find((k) => k.name === name)!;

const HELPDESK = `
kpis:
  - name: cost-per-resolved-ticket
    scope: { app: helpdesk-bot }
    denominator: { outcome: resolved }
    target: 1
  - name: escalation-rate
    scope: { app: helpdesk-bot }
    numerator: { outcome: escalated }
    denominator: { outcome: "*" }
    better: lower
    target: 0.5
  - name: cost-per-resolved-request
    scope: { app: helpdesk-bot }
    denominator: { outcome: resolved, count: requests }
  - name: helpdesk-human
    kind: human_equivalent
    scope: { app: helpdesk-bot }
    denominator: { outcome: resolved }
    human: { minutes_per_outcome: 6, hourly_rate_usd: 30 }
`;

// September: 5 requests ($2.50). T1 = a step without outcome, then resolved → resolved. T2 = escalated, then
// resolved by the human → escalated (an escalated step marks the task). T3 = resolved in one step.
// October: T4 escalated ($0.50) and a request without an outcome ($0.50): $1.00, 0 resolved, 1 escalated.
// November: T5 resolved ($0.50) and a request without an outcome ($0.50): $1.00, 1 resolved, 0 escalated.
// December: one request without an outcome ($0.50): no outcome logged at all.
const HELPDESK_LOG = [
  req('2026-09-10T10:00:00Z', { task_id: 'T1' }),
  req('2026-09-10T10:05:00Z', { task_id: 'T1', outcome: 'resolved' }),
  req('2026-09-11T09:00:00Z', { task_id: 'T2', outcome: 'escalated' }),
  req('2026-09-11T11:00:00Z', { task_id: 'T2', outcome: 'Resolved' }), // case does not matter
  req('2026-09-12T08:00:00Z', { task_id: 'T3', outcome: 'resolved' }),
  req('2026-10-05T08:00:00Z', { task_id: 'T4', outcome: 'escalated' }),
  req('2026-10-06T08:00:00Z'),
  req('2026-11-03T08:00:00Z', { task_id: 'T5', outcome: 'resolved' }),
  req('2026-11-04T08:00:00Z'),
  req('2026-12-02T08:00:00Z'),
];

describe('kpi engine: outcomes from the request log', async () => {
  const r = await kpis(HELPDESK, HELPDESK_LOG);

  it('has one period per month from the first to the last day with data', () => {
    expect(r.periods.map((p) => p.label)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
    // Data covers Sep 10 → Dec 2: the first and last months are partial.
    expect(r.periods.map((p) => p.partial)).toEqual([true, false, false, true]);
    expect(r.coverage).toEqual({ from: '2026-09-10', to: '2026-12-02' });
  });

  it('cost per resolved ticket: per task, escalated steps excluded; zero and missing denominators are null', () => {
    const [sep, oct, nov, dec] = kpi(r, 'cost-per-resolved-ticket').values;
    // Sep: $2.50 ÷ 2 resolved tasks (T1, T3; T2 was escalated) = $1.25.
    expect(sep).toMatchObject({ value: 1.25, numerator: 2.5, denominator: 2, missing: null });
    expect(sep).toMatchObject({ vsTarget: 0.25, onTarget: false }); // 1.25 − target 1
    // Oct: $1.00 ÷ 0 resolved: undefined, not Infinity.
    expect(oct).toMatchObject({ value: null, numerator: 1, denominator: 0, missing: 'tasks resolved is 0' });
    expect(oct).toMatchObject({ previous: 1.25, change: null, changePct: null, trend: null, onTarget: null });
    // Nov: $1.00 ÷ 1 = $1.00, on target (≤ 1); no change: October has no value.
    expect(nov).toMatchObject({ value: 1, denominator: 1, onTarget: true, previous: null, change: null });
    // Dec: $0.50 of usage but no outcome logged at all: missing, not 0.
    expect(dec).toMatchObject({
      value: null,
      numerator: 0.5,
      denominator: null,
      missing: 'tasks resolved: no outcomes logged in scope',
    });
  });

  it('escalation rate: escalated tasks ÷ tasks with an outcome; a zero numerator is a real 0', () => {
    const [sep, oct, nov, dec] = kpi(r, 'escalation-rate').values;
    // Sep: 1 (T2) ÷ 3 (T1, T2, T3).
    expect(sep!.value).toBeCloseTo(1 / 3, 9);
    expect(sep).toMatchObject({ numerator: 1, denominator: 3, onTarget: true }); // 0.333 ≤ 0.5
    // Oct: 1 ÷ 1 = 100 %; change +0.6667 (+200 %), worse (lower is better).
    expect(oct).toMatchObject({ value: 1, trend: 'worse', onTarget: false });
    expect(oct!.change).toBeCloseTo(2 / 3, 9);
    expect(oct!.changePct).toBeCloseTo(2, 9); // (1 − 1/3) ÷ 1/3
    // Nov: 0 ÷ 1 = 0 %: change −1 (−100 %), better.
    expect(nov).toMatchObject({
      value: 0,
      numerator: 0,
      denominator: 1,
      change: -1,
      changePct: -1,
      trend: 'better',
    });
    // Dec: nothing logged: both sides missing; the change against November is null.
    expect(dec).toMatchObject({
      value: null,
      missing:
        'tasks escalated: no outcomes logged in scope; tasks with an outcome: no outcomes logged in scope',
      previous: 0,
      change: null,
    });
  });

  it('per request: every request whose own outcome matches, T2 included', () => {
    // Sep: resolved requests = T1's 2nd step, T2's 2nd step, T3 = 3; $2.50 ÷ 3.
    const sep = kpi(r, 'cost-per-resolved-request').values[0]!;
    expect(sep.denominator).toBe(3);
    expect(sep.value).toBeCloseTo(2.5 / 3, 9);
  });

  it('human equivalent: AI cost per hour of the human work it did, next to the human rate, and the saving', () => {
    const [sep, oct] = kpi(r, 'helpdesk-human').values;
    // Sep: 2 resolved × 6 min = 12 min = 0.2 h; $2.50 ÷ 0.2 h = $12.50 an hour.
    expect(sep!.value).toBeCloseTo(12.5, 9);
    // Human: 0.2 h × $30 = $6.00; saving $6.00 − $2.50 = $3.50, 3.5 ÷ 6 = 58.33 %.
    expect(sep!.human).toEqual({
      hours: 0.2,
      humanRateUsd: 30,
      humanCostUsd: 6,
      aiCostUsd: 2.5,
      savingUsd: 3.5,
      savingShare: 0.5833333333,
    });
    // Oct: 0 resolved → 0 hours: no rate, no saving.
    expect(oct).toMatchObject({ value: null, missing: 'tasks resolved is 0', human: null });
    expect(kpi(r, 'helpdesk-human')).toMatchObject({
      unit: 'usd',
      better: 'lower',
      human: { minutesPerOutcome: 6, hourlyRateUsd: 30 },
    });
  });

  it('spend per period and team, from the same priced records', () => {
    // Sep 5 × $0.50, Oct 2 ×, Nov 2 ×, Dec 1 ×.
    expect(r.spend.map((s) => s.cost)).toEqual([2.5, 1, 1, 0.5]);
    expect(r.spend[0]!.byTeam).toEqual([{ team: 'support', cost: 2.5 }]);
  });
});

describe('kpi engine: outcomes-file metrics', async () => {
  const yaml = `
kpis:
  - name: revenue-per-ai-dollar
    scope: { app: sales-copilot }
    numerator: { metric: revenue }
    denominator: cost
  - name: cost-per-recommendation
    scope: { app: sales-copilot }
    denominator: { metric: Recommendations_Served }
  - name: team-docs
    scope: { team: sales }
    denominator: { metric: documents_processed, scope: { team: sales, workflow: intake } }
`;
  // sales-copilot usage: Sep 1 request ($0.50), Oct 2 ($1.00), Nov none.
  const log = [
    req('2026-09-15T12:00:00Z', { app: 'sales-copilot', team: 'sales' }),
    req('2026-10-15T12:00:00Z', { app: 'sales-copilot', team: 'sales' }),
    req('2026-10-16T12:00:00Z', { app: 'sales-copilot', team: 'sales' }),
  ];
  const csv = [
    'date,app,team,workflow,metric,value',
    '2026-09-02,sales-copilot,sales,email-draft,revenue,100',
    '2026-10-01,sales-copilot,sales,email-draft,revenue,100',
    '2026-10-20,sales-copilot,sales,email-draft,revenue,200',
    '2026-11-05,sales-copilot,sales,email-draft,revenue,50',
    '2026-09-02,sales-copilot,sales,email-draft,recommendations_served,10',
    '2026-10-02,sales-copilot,sales,email-draft,recommendations_served,0',
    '2026-10-03,other-app,sales,email-draft,revenue,999', // no KPI's scope: unused
    '2026-10-03,,sales,intake,documents_processed,40', // joins team-docs through its own scope
    '2026-10-04,,,intake,documents_processed,7', // no team column: team sales cannot match
  ].join('\n');
  const r = await kpis(yaml, log, csv);

  it('revenue per AI dollar: revenue ÷ cost; no usage is a missing cost, not a zero one', () => {
    const [sep, oct, nov] = kpi(r, 'revenue-per-ai-dollar').values;
    expect(sep).toMatchObject({ value: 200, numerator: 100, denominator: 0.5 }); // $100 ÷ $0.50
    // Oct: ($100 + $200) ÷ $1.00 = 300; +100, +50 %, better (higher is better by default here).
    expect(oct).toMatchObject({ value: 300, change: 100, changePct: 0.5, trend: 'better' });
    expect(nov).toMatchObject({ value: null, numerator: 50, missing: 'AI cost: no usage in scope' });
    expect(kpi(r, 'revenue-per-ai-dollar')).toMatchObject({ unit: 'number', better: 'higher' });
  });

  it('cost per recommendation: a 0 row is a zero denominator, no row is missing', () => {
    const [sep, oct, nov] = kpi(r, 'cost-per-recommendation').values;
    expect(sep).toMatchObject({ value: 0.05, denominator: 10 }); // $0.50 ÷ 10
    expect(oct).toMatchObject({ value: null, denominator: 0, missing: 'recommendations_served is 0' });
    expect(nov).toMatchObject({
      value: null,
      denominator: null,
      missing:
        'AI cost: no usage in scope; recommendations_served: no outcomes-file rows for this scope and period',
    });
  });

  it('a quantity scope joins rows on its own keys', () => {
    // Oct: $1.00 of sales usage ÷ 40 intake documents of team sales (the row without a team does not join).
    expect(kpi(r, 'team-docs').values[1]).toMatchObject({ value: 0.025, denominator: 40 });
  });

  it('counts rows no KPI used', () => {
    expect(r.outcomes).toMatchObject({ rows: 9, unused: 2, skipped: 0, first: null });
    expect(r.outcomes!.metrics).toEqual({ documents_processed: 2, recommendations_served: 2, revenue: 5 });
  });
});

describe('kpi engine: edges', () => {
  it('without an outcomes file a metric is missing, with a note', async () => {
    const r = await kpis(`kpis:\n  - name: per-doc\n    denominator: { metric: documents_processed }\n`, [
      req('2026-10-01T00:00:00Z'),
    ]);
    expect(r.kpis[0]!.values[0]).toMatchObject({
      value: null,
      missing: 'documents_processed: no outcomes file (--outcomes) for documents_processed',
    });
    expect(r.notes).toEqual(['per-doc: needs an outcomes file (--outcomes FILE.csv)']);
    expect(r.outcomes).toBeNull();
  });

  it('a metric no row has gets a note naming the metrics found', async () => {
    const r = await kpis(
      `kpis:\n  - name: per-doc\n    denominator: { metric: docs }\n`,
      [req('2026-10-01T00:00:00Z')],
      'date,metric,value\n2026-10-01,documents_processed,3\n',
    );
    expect(r.notes).toEqual([
      'per-doc: no outcomes row has the metric docs (metrics found: documents_processed)',
    ]);
  });

  it('unpriced usage: all unpriced is missing; partly unpriced is flagged', async () => {
    const yaml = `kpis:\n  - name: per-ticket\n    denominator: { outcome: resolved }\n`;
    const unknown = { model: 'acme-private-9', provider: 'self-hosted' };
    const all = await kpis(yaml, [req('2026-10-01T00:00:00Z', { ...unknown, outcome: 'resolved' })]);
    expect(all.kpis[0]!.values[0]).toMatchObject({
      value: null,
      missing: 'AI cost: usage in scope has no price (1 unpriced requests)',
    });
    const part = await kpis(yaml, [
      req('2026-10-01T00:00:00Z', { outcome: 'resolved' }),
      req('2026-10-02T00:00:00Z', unknown),
    ]);
    // $0.50 (the priced request) ÷ 1; 1 unpriced request left out, and said so.
    expect(part.kpis[0]!.values[0]).toMatchObject({ value: 0.5, unpricedRequests: 1 });
    expect(part.notes[0]).toMatch(/^per-ticket: the cost leaves out 1 unpriced request\(s\)/);
  });

  it('periods are taken in the time zone: 2026-09-30T20:00Z is October 1 in Tokyo', async () => {
    const yaml = `kpis:\n  - name: per-ticket\n    denominator: { outcome: resolved }\n`;
    const log = [req('2026-09-30T20:00:00Z', { outcome: 'resolved' })];
    expect((await kpis(yaml, log)).periods.map((p) => p.label)).toEqual(['2026-09']);
    expect((await kpis(yaml, log, undefined, { tz: 'Asia/Tokyo' })).periods.map((p) => p.label)).toEqual([
      '2026-10',
    ]);
  });

  it('a task is counted once, in the period of its last outcome step', async () => {
    const yaml = `kpis:\n  - name: per-ticket\n    denominator: { outcome: resolved }\n`;
    // T9: escalated step on Sep 30 (read last), resolved on Oct 1 → escalated, counted in October.
    const r = await kpis(
      yaml,
      [
        req('2026-10-01T09:00:00Z', { task_id: 'T9', outcome: 'resolved' }),
        req('2026-09-30T09:00:00Z', { task_id: 'T9', outcome: 'escalated' }),
        req('2026-10-02T09:00:00Z', { task_id: 'T10', outcome: 'resolved' }),
      ],
      undefined,
      { by: 'quarter' },
    );
    // Q3: $0.50, no task closed in Q3 → missing. Q4: $1.00 ÷ 1 resolved (T10).
    expect(r.kpis[0]!.values.map((v) => [v.period, v.value, v.missing])).toEqual([
      ['2026-Q3', null, 'tasks resolved: no outcomes logged in scope'],
      ['2026-Q4', 1, null],
    ]);
  });

  it('a scope no usage matches: every value missing, never 0', async () => {
    const r = await kpis(
      `kpis:\n  - name: per-ticket\n    scope: { app: nothing-here }\n    denominator: { outcome: resolved }\n`,
      [req('2026-10-01T00:00:00Z', { outcome: 'resolved' })],
    );
    expect(r.kpis[0]!.values).toMatchObject([
      {
        period: '2026-10',
        value: null,
        numerator: null,
        denominator: null,
        missing: 'AI cost: no usage in scope; tasks resolved: no outcomes logged in scope',
      },
    ]);
  });
});
