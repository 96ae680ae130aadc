import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/report.ts';
import type { KpiReport } from '../../src/kpi/engine.ts';
import { DEMO_KPIS_YAML, outcomesCsv } from '../../fixtures/gen-outcomes.ts';

// Spawns the built CLI (`npm test` builds first) on the demo month, with the demo's finops.yaml (its kpis: block
// comes from fixtures/gen-outcomes.ts) and the outcomes file the generator writes beside the demo.
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'finops.js');
const DEMO = 'fixtures/demo';
const tmp = mkdtempSync(join(tmpdir(), 'finops-kpi-'));
const CONFIG = join(ROOT, DEMO, 'finops.yaml');
const OUTCOMES = join(ROOT, 'fixtures', 'outcomes-2026-10.csv');

it('the committed demo config and outcomes file are what the generator writes', () => {
  expect(readFileSync(CONFIG, 'utf8').endsWith(DEMO_KPIS_YAML)).toBe(true);
  expect(readFileSync(OUTCOMES, 'utf8')).toBe(outcomesCsv());
});

function finops(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      TZ: 'UTC',
      COLUMNS: '160',
      FINOPS_HOME: join(tmp, 'home'),
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** Sum of an outcomes-CSV metric for some apps (the demo file has columns date,app,team,workflow,metric,value). */
function csvSum(apps: string[], metric: string): number {
  let s = 0;
  for (const line of outcomesCsv().trim().split('\n').slice(1)) {
    const [, app, , , m, v] = line.split(',');
    if (apps.includes(app!) && m === metric) s += Number(v);
  }
  return s;
}

describe('finops kpi on the demo month', () => {
  const run = finops(['kpi', DEMO, '--config', CONFIG, '--outcomes', OUTCOMES, '--format', 'json']);
  const r = JSON.parse(run.stdout) as KpiReport;
  const value = (name: string) => r.kpis.find((k) => k.name === name)!.values[0]!;
  // The cost of each scope, independently, from `finops report`.
  const report = JSON.parse(
    finops(['report', DEMO, '--config', CONFIG, '--by', 'app', '--format', 'json']).stdout,
  ) as Report;
  const cost = (...apps: string[]) =>
    report.groups.filter((g) => apps.includes(g.key.app!)).reduce((s, g) => s + g.cost, 0);
  // The helpdesk tickets, independently, from the gateway log: one `answer` call per ticket, with its outcome.
  const tickets = { resolved: 0, escalated: 0 };
  for (const line of readFileSync(join(ROOT, DEMO, 'gateway', 'requests-2026-10.jsonl'), 'utf8')
    .trim()
    .split('\n')) {
    const o = JSON.parse(line) as { app?: string; outcome?: keyof typeof tickets };
    if (o.app === 'helpdesk-bot' && o.outcome) tickets[o.outcome]++;
  }

  it('exits 0 with the JSON contract', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(r).toMatchObject({
      schemaVersion: 1,
      command: 'kpi',
      currency: 'USD',
      by: 'month',
      timezone: 'UTC',
    });
    expect(r.periods).toEqual([
      { label: '2026-10', start: '2026-10-01', end: '2026-10-31', days: 31, partial: false },
    ]);
    expect(r.outcomes).toMatchObject({ rows: 172, skipped: 0, unused: 0, outside: 0 });
    expect(r.notes).toEqual([]);
  });

  it('shows a real number for every KPI', () => {
    for (const k of r.kpis) expect(k.values[0]!.value, `${k.name}: ${k.values[0]!.missing}`).not.toBeNull();
  });

  it('cost per resolved ticket and escalation rate, against the log and the report', () => {
    // 1,668 resolved and 485 escalated tickets (2,153 in all); the bot's triage + answer cost ≈ $90.42.
    expect(tickets).toEqual({ resolved: 1668, escalated: 485 });
    const c = value('cost-per-resolved-ticket');
    expect(c.denominator).toBe(1668);
    expect(c.numerator!).toBeCloseTo(cost('helpdesk-bot'), 5);
    expect(c.value!).toBeCloseTo(cost('helpdesk-bot') / 1668, 8); // ≈ $0.0542, above the $0.05 target
    expect(c.onTarget).toBe(false);
    const e = value('escalation-rate');
    expect([e.numerator, e.denominator]).toEqual([485, 2153]);
    expect(e.value!).toBeCloseTo(485 / 2153, 9); // 22.5 %, above the 20 % target
  });

  it('human equivalent: 1,668 tickets × 10 min = 278 h of agent work at $42', () => {
    const h = value('helpdesk-human-equivalent');
    expect(h.human!.hours).toBe(278);
    expect(h.value!).toBeCloseTo(cost('helpdesk-bot') / 278, 8); // ≈ $0.33 an hour
    expect(h.human!.humanCostUsd).toBe(11676); // 278 × 42
    expect(h.human!.savingUsd).toBeCloseTo(11676 - cost('helpdesk-bot'), 5);
  });

  it('outcomes-file KPIs join by app', () => {
    const summaries = csvSum(['ticket-summary'], 'documents_processed');
    expect(value('cost-per-summary').denominator).toBe(summaries);
    expect(value('cost-per-summary').value!).toBeCloseTo(cost('ticket-summary') / summaries, 9);
    const revenue = csvSum(['sales-copilot', 'account-research'], 'revenue');
    const rev = value('revenue-per-ai-dollar');
    expect(rev.numerator).toBe(revenue);
    // The report rounds each app's cost to a millionth of a dollar: compare to a thousandth of the ratio.
    expect(rev.value!).toBeCloseTo(revenue / cost('sales-copilot', 'account-research'), 3);
    const minutes = csvSum(['account-research'], 'human_minutes_saved');
    expect(value('research-human-equivalent').value!).toBeCloseTo(
      cost('account-research') / (minutes / 60),
      6,
    );
  });

  it('spend matches the report total', () => {
    expect(r.spend[0]!.cost).toBeCloseTo(report.totals.cost, 5);
  });
});

describe('finops kpi views and formats', () => {
  it('--by week: five ISO weeks, the first and last partial, with changes', () => {
    const run = finops([
      'kpi',
      DEMO,
      '--config',
      CONFIG,
      '--outcomes',
      OUTCOMES,
      '--by',
      'week',
      '--format',
      'table',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2026-W40*');
    expect(run.stdout).toContain('2026-W44*');
    expect(run.stdout).toContain('* partial period: the data covers 2026-10-01 → 2026-10-31 only');
    expect(run.stdout).toMatch(/Cost per resolved ticket .* [+−]\d+\.\d%/);
  });

  it('--summary: spend, teams, KPIs, budgets, savings hook, on one screen', () => {
    const run = finops([
      'kpi',
      DEMO,
      '--config',
      CONFIG,
      '--outcomes',
      OUTCOMES,
      '--summary',
      '--format',
      'table',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out.split('\n').length).toBeLessThan(40);
    expect(out).toContain('Executive summary · 2026-10 (2026-10-01 → 2026-10-31) · UTC');
    expect(out).toMatch(/AI spend +\$[\d,]+\.\d\d \(no previous period\)/);
    expect(out).toMatch(/By team +support \$133\.\d\d/);
    expect(out).toContain('KPIs (no previous period to compare)');
    expect(out).toMatch(/support-monthly +warn/);
    expect(out).toMatch(/engineering-monthly +exceeded/);
    expect(out).toContain('Top saving – (no simulation results given)');
    const json = JSON.parse(
      finops([
        'kpi',
        DEMO,
        '--config',
        CONFIG,
        '--outcomes',
        OUTCOMES,
        '--summary',
        '--by',
        'week',
        '--format',
        'json',
      ]).stdout,
    ) as KpiReport;
    expect(json.summary!.period!.label).toBe('2026-W44');
    expect(json.summary!.movers).toHaveLength(3);
    expect(json.summary!.movers.every((m) => m.changePct !== null)).toBe(true);
  });

  it('CSV: one header row, one row per KPI; markdown renders', () => {
    const csv = finops(['kpi', DEMO, '--config', CONFIG, '--outcomes', OUTCOMES, '--format', 'csv']);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 11); // one row per KPI: 11 KPIs × 1 month
    expect(lines.filter((l) => l.startsWith('kpi,'))).toHaveLength(1);
    const md = finops(['kpi', DEMO, '--config', CONFIG, '--outcomes', OUTCOMES, '--format', 'markdown']);
    expect(md.stdout).toContain('## KPIs by month · 2026-10-01 → 2026-10-31');
    expect(md.stdout).toContain('| Cost per resolved ticket | $0.0542 |');
  });

  it('--kpi selects KPIs; an unknown one is a usage error', () => {
    const r = JSON.parse(
      finops(['kpi', DEMO, '--config', CONFIG, '--kpi', 'escalation-rate', '--format', 'json']).stdout,
    ) as KpiReport;
    expect(r.kpis.map((k) => k.name)).toEqual(['escalation-rate']);
    const bad = finops(['kpi', DEMO, '--config', CONFIG, '--kpi', 'nope', '--format', 'json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('finops: --kpi nope: unknown (known: cost-per-resolved-ticket,');
  });

  it('without --outcomes: the metric KPIs are missing, and stderr says why', () => {
    const run = finops(['kpi', DEMO, '--config', CONFIG, '--format', 'json']);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as KpiReport;
    expect(r.kpis.find((k) => k.name === 'cost-per-summary')!.values[0]).toMatchObject({
      value: null,
      missing: 'documents_processed: no outcomes file (--outcomes) for documents_processed',
    });
    expect(r.kpis.find((k) => k.name === 'escalation-rate')!.values[0]!.value).not.toBeNull();
    expect(run.stderr).toContain('finops: cost-per-summary: needs an outcomes file (--outcomes FILE.csv)');
  });
});

describe('finops kpi: bad input', () => {
  const bad = write(
    'bad-outcomes.csv',
    'date,app,metric,value\n2026-10-01,ticket-summary,documents_processed,10\n2026-10-02,ticket-summary,documents_processed,ten\n2026-13-01,ticket-summary,documents_processed,1\n',
  );

  it('bad outcomes rows: counted and printed as file:line: reason on stderr; the run goes on', () => {
    const run = finops(['kpi', DEMO, '--config', CONFIG, '--outcomes', bad, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outcomes).toMatchObject({ rows: 1, skipped: 2 });
    expect(run.stderr).toContain('finops: 2 outcomes row(s) skipped:');
    expect(run.stderr).toContain(`${bad}:3: value "ten" is not a plain number`);
    expect(run.stderr).toContain(`${bad}:4: date "2026-13-01": expected YYYY-MM-DD or an ISO timestamp`);
  });

  it('--strict: exit 2 at the first bad outcomes row', () => {
    const run = finops(['kpi', DEMO, '--config', CONFIG, '--outcomes', bad, '--strict', '--format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}:3: value "ten"`);
    expect(run.stdout).toBe('');
  });

  it('an outcomes file without the required columns: exit 2', () => {
    const run = finops(['kpi', DEMO, '--config', CONFIG, '--outcomes', write('x.csv', 'day,count\n1,2\n')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/x\.csv: not an outcomes file: missing column\(s\) date, metric, value/);
  });

  it('a bad kpis: section: exit 2, naming the key path', () => {
    const cfg = write(
      'bad.yaml',
      'kpis:\n  - name: a\n    denominator: { outcome: resolved, count: ticket }\n',
    );
    const run = finops(['kpi', DEMO, '--config', cfg]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${cfg}: kpis.0.denominator.count: Invalid option`);
  });

  it('no kpis: section: exit 2 with a pointer to the docs', () => {
    const bare = write('no-kpis.yaml', readFileSync(CONFIG, 'utf8').replace(DEMO_KPIS_YAML, ''));
    const run = finops(['kpi', DEMO, '--config', bare]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no KPIs: add a kpis: section to');
  });
});
