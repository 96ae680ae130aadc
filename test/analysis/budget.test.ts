import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetTracker, statusRank } from '../../src/analysis/budget.ts';
import { periodContaining } from '../../src/analysis/periods.ts';
import { TaskTracker } from '../../src/analysis/tasks.ts';
import { parseConfig } from '../../src/config/load.ts';
import { scanUsage } from '../../src/pipeline/scan.ts';
import { loadPriceBook } from '../../src/pricing/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'finops-budget-'));
const book = await loadPriceBook({ importedPath: null });

// gpt-4.1 input is $2 per 1M tokens: 250,000 input tokens a day = $0.50 a day, every day of October 2026.
const lines: string[] = [];
for (let d = 1; d <= 31; d++) {
  const day = `2026-10-${String(d).padStart(2, '0')}`;
  lines.push(
    JSON.stringify({
      timestamp: `${day}T10:00:00Z`,
      provider: 'openai',
      model: 'gpt-4.1',
      tokens: { input: 250_000, output: 0 },
      team: 'a',
      request_id: `r${d}`,
    }),
  );
}
const file = join(dir, 'oct.jsonl');
writeFileSync(file, lines.join('\n'));

async function budgets(yaml: string, asOf?: string) {
  const config = parseConfig(yaml, 'f.yaml');
  const t = new BudgetTracker(config.budgets, 'UTC');
  const scan = await scanUsage({ paths: [file], tz: 'UTC', filters: [], config, book }, (p) => t.add(p));
  return t.result(scan, asOf);
}

describe('periods', () => {
  it.each([
    ['2026-10-10', 'month', 1, '2026-10-01', '2026-10-31', 31],
    ['2024-02-29', 'month', 1, '2024-02-01', '2024-02-29', 29],
    ['2026-11-30', 'quarter', 1, '2026-10-01', '2026-12-31', 92],
    ['2026-01-01', 'quarter', 1, '2026-01-01', '2026-03-31', 90],
    ['2026-10-10', 'fiscal-month', 15, '2026-09-15', '2026-10-14', 30],
    ['2026-10-15', 'fiscal-month', 15, '2026-10-15', '2026-11-14', 31],
    ['2026-12-20', 'fiscal-month', 15, '2026-12-15', '2027-01-14', 31],
  ] as const)('%s in a %s (start day %d) → %s..%s', (day, kind, startDay, start, end, days) => {
    expect(periodContaining(day, kind, startDay)).toMatchObject({ start, end, days });
  });
});

describe('budgets', () => {
  const yaml = `budgets:
  - name: a-monthly
    scope: { team: a }
    amount_usd: 10
  - name: b-monthly
    scope: { team: b }
    amount_usd: 10
  - name: a-tokens
    scope: { team: a }
    amount_tokens: 5000000
`;

  it('as of Oct 10: half spent, projected to pass the hard stop on Oct 20', async () => {
    const r = await budgets(yaml, '2026-10-10');
    const a = r.budgets[0]!;
    expect(a).toMatchObject({
      name: 'a-monthly',
      unit: 'usd',
      amount: 10,
      spent: 5,
      share: 0.5,
      status: 'forecast-exceeded',
    });
    expect(a.period).toMatchObject({
      start: '2026-10-01',
      end: '2026-10-31',
      elapsedDays: 10,
      remainingDays: 21,
    });
    // Constant $0.50/day: 5 + 21 × 0.5 = 15.5 by Oct 31; alert (8.00) after 6 more days, hard stop (10) after 10.
    expect(a.forecast!.total).toBeCloseTo(15.5, 6);
    expect(a.alert).toEqual({ date: '2026-10-16', actual: false });
    expect(a.hardStop).toEqual({ date: '2026-10-20', actual: false });
    // A scope with no usage at all.
    expect(r.budgets[1]).toMatchObject({
      name: 'b-monthly',
      spent: 0,
      share: 0,
      status: 'ok',
      alert: null,
      hardStop: null,
    });
  });

  it('as of Oct 31: exceeded, with the actual crossing days', async () => {
    const r = await budgets(yaml);
    expect(r.asOf).toBe('2026-10-31');
    const a = r.budgets[0]!;
    expect(a).toMatchObject({ spent: 15.5, share: 1.55, status: 'exceeded', forecast: null });
    expect(a.alert).toEqual({ date: '2026-10-16', actual: true });
    expect(a.hardStop).toEqual({ date: '2026-10-20', actual: true });
    // Tokens: 250,000 a day reach 4,000,000 (80 %) on day 16 and 5,000,000 on day 20.
    expect(r.budgets[2]).toMatchObject({
      unit: 'tokens',
      spent: 7_750_000,
      status: 'exceeded',
      alert: { date: '2026-10-16', actual: true },
      hardStop: { date: '2026-10-20', actual: true },
    });
  });

  it('warns at alert_at and ranks statuses for --fail-on', async () => {
    const r = await budgets(
      `budgets:\n  - name: w\n    scope: { team: a }\n    amount_usd: 16\n    alert_at: 0.9\n`,
      '2026-10-31',
    );
    // 15.5 / 16 = 96.9 % ≥ 90 %.
    expect(r.budgets[0]).toMatchObject({ share: 0.9688, status: 'warn' });
    expect(statusRank('warn')).toBeLessThan(statusRank('forecast-exceeded'));
    expect(statusRank('forecast-exceeded')).toBeLessThan(statusRank('exceeded'));
  });

  it('rejects budgets that make no sense, naming the key', () => {
    expect(() =>
      parseConfig('budgets:\n  - name: x\n    amount_usd: 5\n    amount_tokens: 5\n', 'f.yaml'),
    ).toThrow('budgets.0: give exactly one of amount_usd or amount_tokens');
    expect(() =>
      parseConfig('budgets:\n  - name: x\n    amount_usd: 5\n    period: fiscal-month\n', 'f.yaml'),
    ).toThrow('budgets.0.start_day');
    expect(() =>
      parseConfig('budgets:\n  - name: x\n    amount_usd: 5\n  - name: x\n    amount_usd: 6\n', 'f.yaml'),
    ).toThrow('duplicate budget name "x"');
  });
});

describe('agent tasks', () => {
  it('summarises tasks and flags a loop by the workflow norm and by a ceiling', async () => {
    // Workflow "w": six tasks of 3 steps at $0.50 a step ($1.50 a task) and one of 30 steps ($15): 10× the median.
    const rows: string[] = [];
    let n = 0;
    const step = (task: string, i: number, workflow = 'w') =>
      JSON.stringify({
        timestamp: `2026-10-02T10:${String(i).padStart(2, '0')}:00Z`,
        provider: 'openai',
        model: 'gpt-4.1',
        tokens: { input: 250_000, output: 0 },
        workflow,
        task_id: task,
        request_id: `s${n++}`,
      });
    for (let t = 0; t < 6; t++) for (let i = 0; i < 3; i++) rows.push(step(`t${t}`, i));
    for (let i = 0; i < 30; i++) rows.push(step('loop', i));
    for (let i = 0; i < 4; i++) rows.push(step('capped', i, 'v'));
    rows.push(
      JSON.stringify({
        timestamp: '2026-10-02T11:00:00Z',
        provider: 'openai',
        model: 'gpt-4.1',
        tokens: { input: 250_000, output: 0 },
      }),
    );
    const f = join(dir, 'tasks.jsonl');
    writeFileSync(f, rows.join('\n'));
    const config = parseConfig('tasks:\n  ceilings:\n    - workflow: v\n      max_steps: 3\n', 'f.yaml');
    const tracker = new TaskTracker();
    const scan = await scanUsage({ paths: [f], tz: 'UTC', filters: [], config, book }, (p) => tracker.add(p));
    const r = tracker.result(scan, { ceilings: config.tasks.ceilings, factor: 5 });
    const w = r.workflows.find((x) => x.workflow === 'w')!;
    expect(w).toMatchObject({ tasks: 7, runaways: 1, steps: { p50: 3, max: 30 } });
    expect(w.cost).toMatchObject({ total: 24, p50: 1.5, max: 15 });
    const loop = r.tasks.find((t) => t.task === 'loop')!;
    expect(loop).toMatchObject({ steps: 30, cost: 15, durationSec: 29 * 60, models: ['gpt-4.1'] });
    expect(loop.runaway).toBe('cost 10.0× the workflow median');
    expect(r.tasks.find((t) => t.task === 'capped')!.runaway).toBe('4 steps > ceiling 3');
    expect(r.runaways.map((t) => t.task)).toEqual(['loop', 'capped']);
    expect(r.untracked).toEqual({ requests: 1, cost: 0.5 });
  });
});
