import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/report.ts';
import { PARSERS } from '../../src/parsers/registry.ts';

// These tests spawn the built CLI (`npm test` builds first), as a user would run it.
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'finops.js');
// Relative to ROOT (the cwd of every spawn), so file names in golden output do not depend on the checkout path.
const DEMO = 'fixtures/demo';
const DEMO_CONFIG = 'fixtures/demo/finops.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'finops-cli-'));

function finops(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    // A fixed environment: no colour, UTC, no imported price list from the developer's home.
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      TZ: 'UTC',
      COLUMNS: '160',
      FINOPS_HOME: join(tmp, 'home'),
      ...opts.env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const execFileP = promisify(execFile);

describe('finops report on the demo data', () => {
  const json = finops(['report', DEMO, '--config', DEMO_CONFIG, '--by', 'team,app', '--format', 'json']);
  const report = JSON.parse(json.stdout) as Report;

  it('exits 0 and keeps stdout pure JSON', () => {
    expect(json.code).toBe(0);
    expect(report.schemaVersion).toBe(1);
    expect(report.command).toBe('report');
  });

  it('matches the golden JSON', async () => {
    await expect(json.stdout).toMatchFileSnapshot('../golden/demo-report.json');
  });

  it('reads every demo file with the right parser', () => {
    const formats = new Map<string, number>();
    for (const i of report.inputs) formats.set(i.format, (formats.get(i.format) ?? 0) + 1);
    expect(Object.fromEntries(formats)).toMatchObject({
      'request-log': 1,
      'openai-usage': 2,
      'openai-costs': 1,
      'anthropic-usage': 1,
      'anthropic-cost': 1,
    });
    expect(formats.get('claude-code')).toBeGreaterThan(10);
    expect(report.problems).toMatchObject({ skipped: 0, duplicates: 0, first: null });
  });

  it('prices groups at hand-checked figures', () => {
    const g = (team: string, app: string) =>
      report.groups.find((x) => x.key.team === team && x.key.app === app)!;
    // docs-search: text-embedding-3-small at $0.02 per 1M input tokens.
    const docs = g('engineering', 'docs-search');
    expect(docs.cost).toBeCloseTo((docs.tokens.input * 0.02) / 1e6, 6);
    // lead-enrichment: gpt-4.1-nano via the Batch API = half of $0.10 input, $0.025 cached input, $0.40 output.
    const lead = g('sales', 'lead-enrichment');
    expect(lead.cost).toBeCloseTo(
      (0.5 * (lead.tokens.input * 0.1 + lead.tokens.cacheRead * 0.025 + lead.tokens.output * 0.4)) / 1e6,
      6,
    );
    // ticket-summary: claude-haiku-4-5 batch = half of $1 input, $0.10 cache read, $1.25 cache write, $5 output.
    const ts = g('support', 'ticket-summary');
    expect(ts.cost).toBeCloseTo(
      (0.5 *
        (ts.tokens.input * 1 +
          ts.tokens.cacheRead * 0.1 +
          ts.tokens.cacheWrite * 1.25 +
          ts.tokens.output * 5)) /
        1e6,
      6,
    );
    // The cost exports for these three were written at the same list prices, so billed = computed.
    for (const x of [docs, lead, ts]) expect(x.reportedCost).toBeCloseTo(x.cost, 4);
    // The Anthropic usage report has no request counts: requests are not invented.
    expect(ts.requests).toBe(0);
  });

  it('keeps the self-hosted model unpriced, never at $0 in silence', () => {
    expect(report.unpriced).toHaveLength(1);
    expect(report.unpriced[0]).toMatchObject({
      provider: 'self-hosted',
      model: 'acme-coder-ft-v3',
      reason: 'unknown model',
    });
    const assist = report.groups.find((x) => x.key.app === 'code-assist')!;
    expect(assist.unpricedRequests).toBe(assist.requests);
    expect(report.totals.unpricedRequests).toBe(report.unpriced[0]!.requests);
    expect(json.stderr).toContain('acme-coder-ft-v3 (unknown model)');
  });

  it('adds up: groups sum to the totals, shares to 1', () => {
    const sum = (f: (g: Report['groups'][number]) => number) => report.groups.reduce((s, g) => s + f(g), 0);
    expect(sum((g) => g.requests)).toBe(report.totals.requests);
    for (const k of ['input', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'output', 'reasoning'] as const) {
      expect(sum((g) => g.tokens[k])).toBe(report.totals.tokens[k]);
    }
    expect(sum((g) => g.cost)).toBeCloseTo(report.totals.cost, 4);
    expect(sum((g) => g.share ?? 0)).toBeCloseTo(1, 4);
  });

  it('totals equal an independent count of the request log', () => {
    // Oracle: read the gateway log with plain JSON.parse and add up what finops should see.
    const text = readFileSync(join(ROOT, DEMO, 'gateway', 'requests-2026-10.jsonl'), 'utf8');
    let cached = 0;
    let lines = 0;
    for (const l of text.split('\n')) {
      if (!l) continue;
      lines++;
      const o = JSON.parse(l) as {
        usage?: { cache_read_input_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };
        tokens?: { cache_read?: number };
      };
      cached +=
        o.usage?.cache_read_input_tokens ??
        o.usage?.prompt_tokens_details?.cached_tokens ??
        o.tokens?.cache_read ??
        0;
    }
    const gw = finops([
      'report',
      join(DEMO, 'gateway'),
      '--config',
      DEMO_CONFIG,
      '--by',
      'provider',
      '--format',
      'json',
    ]);
    const r = JSON.parse(gw.stdout) as Report;
    expect(r.totals.requests).toBe(lines);
    expect(r.totals.tokens.cacheRead).toBe(cached);
  });

  it('renders the same report as a table, csv and markdown (golden files)', async () => {
    const args = ['report', DEMO, '--config', DEMO_CONFIG, '--by', 'team,app'];
    const table = finops([...args, '--format', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toContain('\u001b['); // no colour codes when piped / NO_COLOR
    await expect(table.stdout).toMatchFileSnapshot('../golden/demo-report-table.txt');
    const csv = finops([...args, '--format', 'csv']);
    await expect(csv.stdout).toMatchFileSnapshot('../golden/demo-report.csv');
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]!.startsWith('team,app,requests,')).toBe(true);
    expect(rows).toHaveLength(report.groups.length + 1);
    const md = finops([...args, '--format', 'markdown']);
    await expect(md.stdout).toMatchFileSnapshot('../golden/demo-report.md');
  });

  it('--top folds the rest into one line that keeps the totals', () => {
    const r = JSON.parse(
      finops(['report', DEMO, '--config', DEMO_CONFIG, '--by', 'team,app', '--top', '3', '--format', 'json'])
        .stdout,
    ) as Report;
    expect(r.groups).toHaveLength(3);
    expect(r.other!.groups).toBe(report.groups.length - 3);
    expect(r.groups.reduce((s, g) => s + g.cost, 0) + r.other!.cost).toBeCloseTo(r.totals.cost, 4);
  });

  it('filters, and limits the period', () => {
    const r = JSON.parse(
      finops([
        'report',
        DEMO,
        '--config',
        DEMO_CONFIG,
        '--by',
        'day',
        '--filter',
        'team=support',
        '--from',
        '2026-10-05',
        '--to',
        '2026-10-11',
        '--format',
        'json',
      ]).stdout,
    ) as Report;
    expect(r.groups.map((g) => g.key.day)).toEqual([
      '2026-10-05',
      '2026-10-06',
      '2026-10-07',
      '2026-10-08',
      '2026-10-09',
      '2026-10-10',
      '2026-10-11',
    ]);
    expect(r.period).toEqual({ from: '2026-10-05T00:00:00.000Z', to: '2026-10-12T00:00:00.000Z' });
    const all = JSON.parse(
      finops(['report', DEMO, '--config', DEMO_CONFIG, '--by', 'team', '--format', 'json']).stdout,
    ) as Report;
    const support = all.groups.find((g) => g.key.team === 'support')!;
    expect(r.totals.cost).toBeLessThan(support.cost);
    expect(r.totals.cost).toBeGreaterThan(0);
  });
});

describe('finops report: small inputs with hand-computed costs', () => {
  it('prices a request log read from stdin', () => {
    const input = [
      // gpt-4o-mini: 1,000,000 prompt tokens of which 400,000 cached, 100,000 output.
      // = 600,000 × $0.15 + 400,000 × $0.075 + 100,000 × $0.60 per 1M = 0.09 + 0.03 + 0.06 = $0.18
      line({
        timestamp: '2026-10-01T10:00:00Z',
        provider: 'openai',
        model: 'gpt-4o-mini-2024-07-18',
        usage: {
          prompt_tokens: 1_000_000,
          completion_tokens: 100_000,
          prompt_tokens_details: { cached_tokens: 400_000 },
        },
        team: 'a',
      }),
      // claude-sonnet-4-5: input 10,000, cache read 100,000, cache write 20,000 (5,000 of them 1h), output 2,000.
      // = 10,000×3 + 100,000×0.3 + 15,000×3.75 + 5,000×6 + 2,000×15 = 30,000+30,000+56,250+30,000+30,000 = 176,250 / 1e6 = $0.17625
      line({
        timestamp: '2026-10-02T10:00:00Z',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5-20250929',
        usage: {
          input_tokens: 10_000,
          cache_read_input_tokens: 100_000,
          cache_creation_input_tokens: 20_000,
          cache_creation: { ephemeral_1h_input_tokens: 5_000, ephemeral_5m_input_tokens: 15_000 },
          output_tokens: 2_000,
        },
        team: 'b',
      }),
    ].join('\n');
    const r = finops(['report', '-', '--by', 'team', '--format', 'json'], { input });
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.groups.map((g) => [g.key.team, g.cost])).toEqual([
      ['a', 0.18],
      ['b', 0.17625],
    ]);
    expect(rep.totals.tokens).toEqual({
      input: 610_000,
      cacheRead: 500_000,
      cacheWrite: 20_000,
      cacheWrite1h: 5_000,
      output: 102_000,
      reasoning: 0,
    });
    expect(rep.inputs).toEqual([
      { file: '<stdin>', format: 'request-log', records: 2, skipped: 0, duplicates: 0, ignored: 0 },
    ]);
  });

  it('counts a file given twice once, and says so', () => {
    const p = write(
      'dup.jsonl',
      [
        line({
          timestamp: '2026-10-01T00:00:00Z',
          provider: 'openai',
          model: 'gpt-4o',
          tokens: { input: 1000, output: 100 },
          request_id: 'r1',
        }),
      ].join('\n'),
    );
    const once = JSON.parse(finops(['report', p, '--format', 'json']).stdout) as Report;
    const twice = finops(['report', p, p, '--format', 'json']);
    const rep = JSON.parse(twice.stdout) as Report;
    expect(rep.totals).toEqual(once.totals);
    expect(rep.problems.duplicates).toBe(1);
    expect(twice.stderr).toContain('1 duplicate row(s) counted once');
  });

  it('skips a bad row with file:line, or stops on it with --strict', () => {
    const p = write(
      'bad.jsonl',
      [
        line({
          timestamp: '2026-10-01T00:00:00Z',
          provider: 'openai',
          model: 'gpt-4o',
          tokens: { input: 1000, output: 100 },
        }),
        '{"timestamp": "2026-10-01T00:00:00Z", "provider": "openai", "model": "gpt-4o", "tokens": {"input": -5}}',
        'not json',
      ].join('\n'),
    );
    const r = finops(['report', p, '--format', 'json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.totals.requests).toBe(1);
    expect(rep.problems.skipped).toBe(2);
    expect(rep.problems.first).toMatch(
      new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: .*negative`),
    );
    expect(r.stderr).toContain(`${p}:2:`);
    expect(r.stderr).toContain(`${p}:3:`);
    const strict = finops(['report', p, '--strict', '--format', 'json']);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: .*--strict`));
  });

  it('exits 2 naming a file of unknown format and the formats tried', () => {
    const p = write('mystery.csv', 'a,b,c\n1,2,3\n');
    const r = finops(['report', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${p}: no known format matches its content (tried: ${PARSERS.map((x) => x.id).join(', ')})`,
    );
  });

  it('exits 2 on a missing file, an empty directory, bad flags and bad config', () => {
    expect(finops(['report', join(tmp, 'nope.json')])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('nope.json: cannot read (ENOENT)'),
    });
    const bad = write(
      'bad.yaml',
      'attribution:\n  rules:\n    - match: { modle: x }\n      set: { team: a }\n',
    );
    const cfg = finops(['report', DEMO, '--config', bad]);
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toContain('attribution.rules.0.match: Unrecognized key: "modle"');
    const by = finops(['report', DEMO, '--by', 'squad']);
    expect(by.code).toBe(2);
    expect(by.stderr).toContain('--by squad: unknown dimension');
    const flag = finops(['report', DEMO, '--tops', '3']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--tops'");
    expect(flag.stderr).toContain('--top');
    const cmd = finops(['reprot']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('report');
    const tz = finops(['report', DEMO, '--tz', 'Mars/Base']);
    expect(tz).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown time zone "Mars/Base"') });
    const fmt = finops(['report', DEMO, '--format', 'xml']);
    expect(fmt.code).toBe(2);
  });

  it('writes --output atomically and prints nothing on stdout', () => {
    const out = join(tmp, 'out', 'report.csv');
    const r = finops([
      'report',
      join(DEMO, 'openai'),
      '--config',
      DEMO_CONFIG,
      '--by',
      'app',
      '--format',
      'csv',
      '--output',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(
      'app,requests,input_tokens,cache_read_tokens,cache_write_tokens,cache_write_1h_tokens,output_tokens,reasoning_tokens,cost_usd,reported_cost_usd,share,unpriced_requests,estimated',
    );
  });

  it('neutralises spreadsheet formulas that came from input', () => {
    const p = write(
      'inj.jsonl',
      line({
        timestamp: '2026-10-01T00:00:00Z',
        provider: 'openai',
        model: 'gpt-4o',
        tokens: { input: 10, output: 1 },
        team: '=HYPERLINK("http://x","y")',
      }),
    );
    const r = finops(['report', p, '--by', 'team', '--format', 'csv']);
    expect(r.stdout.split('\n')[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/x"",""y""\)",1,10,/);
  });
});

describe('finops report: unpriced usage without request counts', () => {
  it('names the unpriced tokens when the source states no requests (never "0 requests")', () => {
    // An Anthropic usage report: daily buckets with tokens and no request count, for a model no catalog knows.
    const input = JSON.stringify({
      data: [
        {
          starting_at: '2026-10-01T00:00:00Z',
          ending_at: '2026-10-02T00:00:00Z',
          results: [
            {
              model: 'claude-mystery-9',
              uncached_input_tokens: 1500,
              cache_read_input_tokens: 200,
              cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 300 },
              output_tokens: 500,
              service_tier: 'standard',
              context_window: '0-200k',
            },
          ],
        },
      ],
      has_more: false,
      next_page: null,
    });
    const r = finops(['report', '-', '--format', 'json'], { input });
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.totals.unpricedRequests).toBe(0);
    expect(rep.unpriced.map((u) => u.model)).toEqual(['claude-mystery-9']);
    // 1,500 input + 200 cache read + 300 cache write + 500 output
    expect(r.stderr).toContain(
      'finops: 2,500 tokens have no price and are not in the cost: claude-mystery-9',
    );
    expect(r.stderr).not.toContain('0 request(s)');
  });
});

describe('finops reconcile', () => {
  it('reconciles the demo exports: the three billed sources match, the gateway has no bill', () => {
    const r = finops(['reconcile', DEMO, '--config', DEMO_CONFIG, '--by', 'month', '--format', 'json']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as {
      command: string;
      rows: { model: string; status: string }[];
      totals: { mismatched: number };
    };
    expect(rec.command).toBe('reconcile');
    const status = Object.fromEntries(rec.rows.map((x) => [x.model, x.status]));
    expect(status).toMatchObject({
      'gpt-4.1-nano': 'ok',
      'text-embedding-3-small': 'ok',
      'claude-haiku-4-5': 'ok',
      'claude-sonnet-4-5': 'no-bill',
    });
    expect(rec.totals.mismatched).toBe(0);
    const csv = finops([
      'reconcile',
      join(DEMO, 'openai'),
      '--config',
      DEMO_CONFIG,
      '--by',
      'month',
      '--format',
      'csv',
    ]);
    expect(csv.stdout.split('\n')[0]).toBe(
      'period,provider,model,computed_usd,reported_usd,difference_usd,difference_share,status,cause',
    );
  });

  it('report --reconcile carries the reconciliation in JSON, and refuses CSV', () => {
    const r = JSON.parse(
      finops(['report', join(DEMO, 'openai'), '--config', DEMO_CONFIG, '--reconcile', '--format', 'json'])
        .stdout,
    ) as Report;
    expect(r.reconciliation?.rows.length).toBeGreaterThan(0);
    expect(finops(['report', join(DEMO, 'openai'), '--reconcile', '--format', 'csv'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('finops reconcile --format csv'),
    });
  });
});

describe('budgets, forecasts, anomalies and tasks on the demo', () => {
  it('budget: one budget per status; --fail-on gives exit 1', () => {
    const r = finops(['budget', DEMO, '--config', DEMO_CONFIG, '--format', 'json']);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout) as { asOf: string; budgets: { name: string; status: string }[] };
    expect(b.asOf).toBe('2026-10-31');
    expect(Object.fromEntries(b.budgets.map((x) => [x.name, x.status]))).toEqual({
      'support-monthly': 'warn',
      'engineering-monthly': 'exceeded',
      'sales-quarterly': 'forecast-exceeded',
      'helpdesk-tokens': 'ok',
      'claude-code-fiscal': 'ok',
    });
    const fail = finops([
      'budget',
      DEMO,
      '--config',
      DEMO_CONFIG,
      '--fail-on',
      'exceeded',
      '--format',
      'json',
    ]);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('engineering-monthly is exceeded');
    expect(
      finops([
        'budget',
        DEMO,
        '--config',
        DEMO_CONFIG,
        '--as-of',
        '2026-10-05',
        '--fail-on',
        'exceeded',
        '--format',
        'csv',
      ]).code,
    ).toBe(0);
    expect(finops(['budget', join(DEMO, 'openai')])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no budgets'),
    });
  });

  it('forecast: per scope, with intervals and the backtest error', () => {
    const r = finops([
      'forecast',
      DEMO,
      '--config',
      DEMO_CONFIG,
      '--by',
      'team',
      '--horizon',
      '14',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const f = JSON.parse(r.stdout) as {
      lastDay: string;
      horizon: { days: number };
      scopes: {
        scope: { team: string };
        forecast: {
          points: unknown[];
          total: { lo95: number; lo80: number; mean: number; hi80: number; hi95: number };
          backtest: { metric: string };
        };
      }[];
    };
    expect(f.lastDay).toBe('2026-10-31');
    expect(f.horizon.days).toBe(14);
    for (const s of f.scopes) {
      expect(s.forecast.points).toHaveLength(14);
      const t = s.forecast.total;
      expect(t.lo95 <= t.lo80 && t.lo80 <= t.mean && t.mean <= t.hi80 && t.hi80 <= t.hi95).toBe(true);
      expect(s.forecast.backtest.metric).toBe('sMAPE');
    }
    expect(f.scopes.map((s) => s.scope.team).sort()).toEqual([
      'engineering',
      'sales',
      'support',
      'unattributed',
    ]);
  });

  it('report --anomalies finds the planted spike and the runaway day', () => {
    const r = JSON.parse(
      finops(['report', DEMO, '--config', DEMO_CONFIG, '--by', 'team', '--anomalies', '--format', 'json'])
        .stdout,
    ) as Report;
    const top = r.anomalies!.slice(0, 2).map((a) => [a.date, a.scope.team]);
    expect(top).toEqual(
      expect.arrayContaining([
        ['2026-10-21', 'support'],
        ['2026-10-15', 'sales'],
      ]),
    );
  });

  it('tasks: the 140-step loop is the runaway', () => {
    const r = finops(['tasks', DEMO, '--config', DEMO_CONFIG, '--format', 'json']);
    const t = JSON.parse(r.stdout) as { runaways: { workflow: string; steps: number; runaway: string }[] };
    expect(t.runaways).toHaveLength(1);
    expect(t.runaways[0]).toMatchObject({
      workflow: 'account-research',
      steps: 140,
      runaway: '140 steps > ceiling 60',
    });
    expect(r.stderr).toContain('1 runaway task(s)');
  });

  it('report --by task groups agent calls by task', () => {
    const r = JSON.parse(
      finops([
        'report',
        join(DEMO, 'gateway'),
        '--config',
        DEMO_CONFIG,
        '--by',
        'task',
        '--filter',
        'workflow=account-research',
        '--top',
        '1',
        '--format',
        'json',
      ]).stdout,
    ) as Report;
    expect(r.groups[0]!.requests).toBe(140);
  });
});

describe('finops audit on the demo', () => {
  it('finds the known set of findings (golden), exits 1 for the error, and speaks every CI format', async () => {
    const r = finops(['audit', DEMO, '--config', DEMO_CONFIG, '--format', 'json']);
    expect(r.code).toBe(1);
    await expect(r.stdout).toMatchFileSnapshot('../golden/demo-audit.json');
    const a = JSON.parse(r.stdout) as {
      findings: { id: string; severity: string }[];
      summary: { errors: number };
    };
    expect(a.findings.map((f) => `${f.severity}:${f.id}`)).toEqual([
      'error:budget:engineering-monthly',
      'warn:budget:sales-quarterly',
      'warn:budget:support-monthly',
      'warn:unpriced-usage:acme-coder-ft-v3',
      'warn:routing-opportunity:answer',
      'warn:rag-utilization:answer',
      'warn:runaway-task:account-research',
      'warn:spend-anomaly:2026-10-15:sales',
      'warn:spend-anomaly:2026-10-21:support',
    ]);
    expect(r.stderr).toContain('finops audit: 1 error(s), 8 warning(s)');
    for (const format of ['github', 'junit', 'sarif', 'markdown']) {
      const out = finops(['audit', DEMO, '--config', DEMO_CONFIG, '--format', format]);
      expect(out.code).toBe(1);
      expect(out.stdout.length).toBeGreaterThan(100);
    }
  });
});

describe('other commands', () => {
  it('--help and --version exit 0; help shows examples', () => {
    const h = finops(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Examples:');
    expect(finops(['report', '--help']).stdout).toContain('--by <dims>');
    const v = finops(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('prints JSON by default when stdout is not a terminal', () => {
    const r = finops(['report', join(DEMO, 'openai'), '--by', 'model']);
    expect((JSON.parse(r.stdout) as Report).by).toEqual(['model']);
  });

  it('pricing list prints the catalog in force, as csv with one header row', () => {
    const r = finops(['pricing', 'list', '--provider', 'anthropic', '--at', '2026-10-01', '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'model,provider,mode,input,cacheRead,cacheWrite5m,cacheWrite1h,output,batch_input,batch_output,long_context_above,effective_from,layer,source',
    );
    const sonnet = rows.find((l) => l.startsWith('claude-sonnet-4-5,'))!;
    expect(sonnet.split(',').slice(0, 10)).toEqual([
      'claude-sonnet-4-5',
      'anthropic',
      'chat',
      '3',
      '0.3',
      '3.75',
      '6',
      '15',
      '1.5',
      '7.5',
    ]);
    expect(rows.every((l) => l.split(',')[1] === 'anthropic' || l === rows[0])).toBe(true);
  });

  it('formats lists every parser with its detection', () => {
    const r = JSON.parse(finops(['formats', '--format', 'json']).stdout) as {
      formats: { id: string; detection: string }[];
    };
    expect(r.formats.map((f) => f.id)).toEqual(PARSERS.map((x) => x.id));
    for (const f of r.formats) expect(f.detection.length).toBeGreaterThan(10);
  });

  it('init writes a starter config that report accepts, and refuses to overwrite', () => {
    const dir = mkdtempSync(join(tmp, 'init-'));
    expect(finops(['init'], { cwd: dir }).code).toBe(0);
    expect(existsSync(join(dir, 'finops.yaml'))).toBe(true);
    expect(finops(['init'], { cwd: dir })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('already exists'),
    });
    // The written file is picked up from the working directory.
    const r = finops(['report', join(ROOT, DEMO, 'openai'), '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('pricing show resolves a dated snapshot and shows the price history', () => {
    const r = JSON.parse(
      finops(['pricing', 'show', 'o3-2025-04-16', '--at', '2025-06-01', '--format', 'json']).stdout,
    ) as {
      model: string;
      inForce: { prices: { input: number; output: number } };
      history: unknown[];
    };
    expect(r.model).toBe('o3');
    expect(r.inForce.prices).toMatchObject({ input: 10, output: 40 });
    expect(r.history.length).toBeGreaterThanOrEqual(2);
    expect(finops(['pricing', 'show', 'no-such-model'])).toMatchObject({ code: 2 });
  });

  it('pricing import takes a LiteLLM file; its prices then win, and the report says so', () => {
    const litellm = write(
      'litellm.json',
      JSON.stringify({
        'gpt-4o-mini': {
          litellm_provider: 'openai',
          mode: 'chat',
          input_cost_per_token: 1e-6,
          output_cost_per_token: 2e-6,
        },
        'acme-coder-ft-v3': {
          litellm_provider: 'openai',
          mode: 'chat',
          input_cost_per_token: 5e-7,
          output_cost_per_token: 5e-7,
        },
      }),
    );
    const into = join(tmp, 'prices.json');
    const imp = finops(['pricing', 'import', litellm, '--into', into, '--format', 'json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ imported: 2, skipped: 0 });
    const log = write(
      'imp.jsonl',
      line({
        timestamp: '2026-10-01T00:00:00Z',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens: { input: 1_000_000, output: 1_000_000 },
      }),
    );
    const r = JSON.parse(
      finops(['report', log, '--format', 'json'], { env: { FINOPS_PRICES: into } }).stdout,
    ) as Report;
    // Imported $1 + $2 per 1M instead of the bundled $0.15 + $0.60.
    expect(r.totals.cost).toBe(3);
    expect(r.pricing.source).toContain('imported');
  });
});

// An ANSI colour code (SGR), built without a control character in a regex literal.
const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);

describe('terminal: widths, colour, progress, help', () => {
  const args = ['report', DEMO, '--config', DEMO_CONFIG, '--by', 'team,app'];
  const tableLines = (s: string) => s.split('\n').filter((l) => /^[┌│├└]/.test(l));

  it('fits COLUMNS=80 when piped: drops the least important columns and says so; no progress on a pipe', () => {
    const r = finops([...args, '--format', 'table'], {
      env: { COLUMNS: '80', FINOPS_PROGRESS_DELAY_MS: '0' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('rows/s');
    expect(r.stderr).not.toContain('reading');
    expect(tableLines(r.stdout).length).toBeGreaterThan(10);
    for (const l of r.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(r.stdout.replace(/\n/g, ' ')).toContain(
      '80-column terminal: left out Cache write, Cache read, Input, Output',
    );
    expect(r.stdout).toMatch(/│ Team +│ App +│ Requests │ +Cost │ Trend +│/);
    expect(r.stdout).not.toMatch(SGR);
  });

  it('has a Trend sparkline per group for a month of data', () => {
    const r = finops([...args, '--format', 'table'], { env: { COLUMNS: '200' } });
    expect(r.stdout).toMatch(/│ support +│ helpdesk-bot +│.*│ [ ▁▂▃▄▅▆▇█]{16} │/);
    expect(r.stdout).not.toContain('left out');
  });

  it('colours a table when forced (FORCE_COLOR; on a TTY see below); piped with NO_COLOR it has none (golden test)', () => {
    const forced = finops([...args, '--format', 'table'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(SGR);
  });

  it('--series adds daily series to the JSON', () => {
    // (The default JSON is the golden file, which has neither field.)
    const r = JSON.parse(finops([...args, '--series', 'team,model', '--format', 'json']).stdout) as Report;
    expect(r.series!.days).toHaveLength(31);
    expect(r.series!.breakdowns.map((b) => b.dim)).toEqual(['team', 'model']);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(r.series!.total)).toBeCloseTo(r.totals.cost, 4);
    for (const b of r.series!.breakdowns)
      expect(sum(b.values.map((v) => v.cost))).toBeCloseTo(r.totals.cost, 4);
    for (const g of r.groups) expect(sum(g.daily!)).toBeCloseTo(g.cost, 4);
    expect(finops([...args, '--series', 'day', '--format', 'json'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--series day'),
    });
  });

  it('html to stdout is one page; with --from/--to it compares with the period before', () => {
    const r = finops([
      'report',
      DEMO,
      '--config',
      DEMO_CONFIG,
      '--from',
      '2026-10-16',
      '--to',
      '2026-10-31',
      '--format',
      'html',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!doctype html>')).toBe(true);
    const m = /id="finops-report">([^]*?)<\/script>/.exec(r.stdout)!;
    const rep = JSON.parse(m[1]!) as Report;
    expect(rep.previous).toMatchObject({ from: '2026-09-30T00:00:00.000Z', to: '2026-10-16T00:00:00.000Z' });
    expect(rep.previous!.cost).toBeGreaterThan(0);
    expect(rep.previous!.change).toBeCloseTo((rep.totals.cost - rep.previous!.cost) / rep.previous!.cost, 5);
    expect(rep.budgets!.burn.map((b) => b.name)).toContain('sales-quarterly');
    expect(rep.invocation!.command).toBe(
      `finops report ${DEMO} --config ${DEMO_CONFIG} --from 2026-10-16 --to 2026-10-31 --format html`,
    );
  });

  it('every command and subcommand has examples in its --help', async () => {
    const commands = [
      [],
      ['report'],
      ['reconcile'],
      ['budget'],
      ['forecast'],
      ['tasks'],
      ['export'],
      ['pricing'],
      ['pricing', 'list'],
      ['pricing', 'show'],
      ['pricing', 'import'],
      ['formats'],
      ['init'],
    ];
    // In parallel: each is only a node start-up.
    const helps = await Promise.all(
      commands.map((c) =>
        execFileP(process.execPath, [BIN, ...c, '--help'], {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
        }),
      ),
    );
    helps.forEach((h, i) => {
      const name = commands[i]!.join(' ') || '(root)';
      expect(h.stdout, name).toContain('Examples:');
      expect(h.stdout, name).toContain('$ finops');
    });
    expect(helps[1]!.stdout).toContain('--format html --output');
  });

  it('suggests the closest flag and command', () => {
    expect(finops(['report', DEMO, '--serie'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('(Did you mean --series?)'),
    });
    expect(finops(['budgte'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('(Did you mean budget?)'),
    });
  });
});

// A real terminal: `script` (util-linux) runs finops on a pty, so stdout and stderr are TTYs.
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
describe.skipIf(!SCRIPT)('on a terminal (a pty from script)', () => {
  function onTty(cmd: string, env: Record<string, string> = {}) {
    const quoted = [process.execPath, BIN, ...cmd.split(' ')].map((a) => `'${a}'`).join(' ');
    const r = spawnSync(SCRIPT!, ['-qec', `stty cols 100 rows 40; ${quoted}`, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: '',
      env: {
        PATH: process.env.PATH ?? '',
        TZ: 'UTC',
        TERM: 'xterm-256color',
        FINOPS_HOME: join(tmp, 'home'),
        FINOPS_PROGRESS_DELAY_MS: '0',
        ...env,
      },
    });
    return { code: r.status, out: r.stdout };
  }
  const base = `report ${DEMO} --config ${DEMO_CONFIG} --by team,app`;

  it('shows progress on stderr (stage, files, rows, rows/s), then a coloured table fitted to the terminal', () => {
    const r = onTty(base);
    expect(r.code).toBe(0);
    expect(r.out).toContain('reading · ');
    expect(r.out).toMatch(/\d+ files · [\d,]+ rows · [\d,]+ rows\/s/);
    expect(r.out).toContain(`${ESC}[1mTeam${ESC}[22m`); // bold header: colour on a TTY
    expect(r.out).toContain('100-column terminal: left out');
  });

  it('is quiet with --quiet, and with JSON on stdout', () => {
    for (const extra of [' --quiet', ' --format json', ' --format csv']) {
      const r = onTty(base + extra);
      expect(r.code, extra).toBe(0);
      expect(r.out, extra).not.toContain('rows/s');
    }
  });

  it('has no colour under NO_COLOR', () => {
    const r = onTty(base + ' --quiet', { NO_COLOR: '1' });
    expect(r.out).toContain('Team');
    expect(r.out).not.toMatch(SGR);
  });
});

describe('tables fit COLUMNS=80 in every command', () => {
  const cases: [string[], string][] = [
    [['budget'], 'left out Period, Forecast at end (80 %), Hard stop, Alert, Amount'],
    [['kpi'], 'left out 2026-10: numerator ÷ denominator, Change'],
    [['simulate', 'routing'], 'left out On target tier, Routed: success · score, Range'],
    [['simulate', 'rag'], 'left out Chunks, Used'],
    [['simulate', 'cache'], 'left out Below minimum, Not paying'],
    [['simulate', 'batch'], 'left out Already batch'],
    [['audit'], 'left out Limit'],
    [['forecast'], 'left out History, Backtest sMAPE, Method'],
    [['tasks'], 'left out p50 steps, p90 steps, p99 cost'],
    [['reconcile'], 'left out Provider, Diff %'],
    [['report', '--reconcile'], 'left out Cache write, Cache read'],
  ];
  for (const [cmd, note] of cases) {
    it(`${cmd.join(' ')}: every line fits and the footnote names what was left out`, () => {
      const r = finops([...cmd, DEMO, '--config', DEMO_CONFIG, '--format', 'table'], {
        env: { COLUMNS: '80' },
      });
      for (const l of r.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
      const text = r.stdout.replace(/\n/g, ' ');
      expect(text).toContain('80-column terminal:');
      expect(text).toContain(note);
    });
  }
});
