import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv-draft-04';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { runAudit, type AuditReport } from '../../src/audit/engine.ts';
import { routingAudit } from '../../src/audit/routing.ts';
import { parseConfig } from '../../src/config/load.ts';
import { loadPriceBook } from '../../src/pricing/index.ts';
import {
  renderAuditGithub,
  renderAuditJunit,
  renderAuditMarkdown,
  renderAuditSarif,
} from '../../src/render/audit.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'finops.js');
const dir = mkdtempSync(join(tmpdir(), 'finops-audit-'));
const book = await loadPriceBook({ importedPath: null });
let n = 0;

function file(lines: object[]): string {
  const p = join(dir, `in-${n++}.jsonl`);
  writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return p;
}

// gpt-4.1 at $2/M input: 500,000 input tokens = $1.00.
const call = (day: string, extra: Record<string, unknown> = {}, input = 500_000, output = 0) => ({
  timestamp: `${day}T12:00:00Z`,
  provider: 'openai',
  model: 'gpt-4.1',
  tokens: { input, output },
  team: 'a',
  app: 'x',
  ...extra,
});

async function audit(lines: object[], yaml = '', extra: { baseline?: string } = {}): Promise<AuditReport> {
  const config = parseConfig(yaml, 'f.yaml');
  return runAudit({
    scan: { paths: [file(lines)], tz: 'UTC', filters: [], config, book },
    config,
    audit: config.audit,
    baselineFile: extra.baseline,
    routing: routingAudit(config, book, 'UTC'),
  });
}

const ids = (r: AuditReport) => r.findings.map((f) => `${f.severity}:${f.id}`);
const days = (k: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: k }, (_, i) => call(`2026-10-${String(i + 1).padStart(2, '0')}`, extra));

describe('audit policies: each fires when it should and stays quiet otherwise', () => {
  it('clean usage: no findings', async () => {
    const r = await audit(days(10));
    expect(r.findings).toEqual([]);
    expect(r.summary).toEqual({ errors: 0, warnings: 0 });
  });

  it('budget: exceeded is an error, warn a warning; ok is quiet', async () => {
    // 10 days × $1 = $10.
    const yaml = (amount: number) =>
      `budgets:\n  - name: a\n    scope: { team: a }\n    amount_usd: ${amount}\n`;
    const over = await audit(days(31), yaml(20));
    expect(ids(over)).toEqual(['error:budget:a']);
    expect(over.findings[0]).toMatchObject({ figure: 1.55, threshold: 1, unit: 'share' });
    expect(ids(await audit(days(31), yaml(35)))).toEqual(['warn:budget:a']); // 31/35 = 88.6 % ≥ 80 %
    expect(ids(await audit(days(31), yaml(100)))).toEqual([]);
    expect(ids(await audit(days(31), `${yaml(20)}audit:\n  budgets: { exceeded: off }\n`))).toEqual([]);
  });

  it('unpriced usage and pricing coverage', async () => {
    const mystery = { ...call('2026-10-02'), model: 'mystery', provider: 'self-hosted' };
    const r = await audit([call('2026-10-01'), mystery]);
    // Half the tokens have no price: a warning (any unpriced) and an error (coverage 50 % < 90 %).
    expect(ids(r)).toEqual(['error:pricing-coverage:all', 'warn:unpriced-usage:mystery']);
    expect(r.findings[0]).toMatchObject({ figure: 0.5, threshold: 0.9 });
    expect(ids(await audit([call('2026-10-01')]))).toEqual([]);
    expect(
      ids(
        await audit(
          [call('2026-10-01'), mystery],
          'audit:\n  unpriced: { max_share: 0.6 }\n  pricing_coverage: { min: 0.4 }\n',
        ),
      ),
    ).toEqual([]);
  });

  it('unattributed spend above the share', async () => {
    const r = await audit([
      call('2026-10-01'),
      call('2026-10-01', { team: undefined }),
      call('2026-10-01', { app: undefined }),
    ]);
    // $2 of $3 has no team or no app: 66.7 % > 5 %.
    expect(ids(r)).toEqual(['warn:unattributed-spend:all']);
    expect(r.findings[0]!.figure).toBeCloseTo(0.6667, 4);
    expect(
      ids(
        await audit(
          [call('2026-10-01'), call('2026-10-01', { team: undefined })],
          'audit:\n  unattributed: { max_share: 0.6 }\n',
        ),
      ),
    ).toEqual([]);
  });

  it('per-request token ceilings are counted per workflow', async () => {
    const yaml =
      'audit:\n  token_ceilings:\n    - workflow: w\n      max_input_tokens: 400000\n      max_output_tokens: 100\n      severity: error\n';
    const r = await audit(
      [
        call('2026-10-01', { workflow: 'w' }),
        call('2026-10-01', { workflow: 'w' }, 300_000, 50),
        call('2026-10-01', { workflow: 'v' }),
        call('2026-10-01', { workflow: 'w' }, 1000, 101),
      ],
      yaml,
    );
    expect(ids(r)).toEqual(['error:token-ceiling:w:input', 'error:token-ceiling:w:output']);
    expect(r.findings[0]).toMatchObject({ figure: 1, threshold: 400_000 });
    expect(r.findings[0]!.message).toContain('largest 500,000');
    expect(ids(await audit([call('2026-10-01', { workflow: 'w' }, 300_000, 50)], yaml))).toEqual([]);
  });

  it('frontier model on work the routing policy marks simple, with the monthly saving at stake', async () => {
    const yaml = (min: number) =>
      `routing:\n  tiers: { frontier: [gpt-4.1], small: [gpt-4.1-nano] }\n  rules:\n    - { match: { workflow: triage }, tier: small }\naudit:\n  routing: { min_monthly_saving_usd: ${min} }\n`;
    // 30 days × 500,000 input tokens: gpt-4.1 $2/M = $1.00 a day; gpt-4.1-nano $0.10/M = $0.05 a day.
    // Saving $0.95 a day = $28.50 over the 30 days of data; per average month (30.44 days) $28.92.
    const usage = Array.from({ length: 30 }, (_, i) =>
      call(`2026-10-${String(i + 1).padStart(2, '0')}`, { workflow: 'triage' }),
    );
    const r = await audit(usage, yaml(10));
    expect(ids(r)).toEqual(['warn:routing-opportunity:triage']);
    expect(r.findings[0]!.figure).toBeCloseTo(28.92, 1);
    expect(ids(await audit(usage, yaml(50)))).toEqual([]);
    expect(
      ids(
        await audit(
          usage.map((u) => ({ ...u, workflow: 'other' })),
          yaml(10),
        ),
      ),
    ).toEqual([]);
  });

  it('RAG retrieval-to-utilization below 30 %', async () => {
    const chunks = (used: number) => ({
      chunks: Array.from({ length: 10 }, (_, i) => ({ tokens: 500, used: i < used })),
    });
    const low = await audit([
      call('2026-10-01', { workflow: 'rag', rag: chunks(2) }),
      call('2026-10-02', { workflow: 'rag', rag: chunks(3) }),
    ]);
    // 5 used of 20 retrieved = 25 %.
    expect(ids(low)).toEqual(['warn:rag-utilization:rag']);
    expect(low.findings[0]).toMatchObject({ figure: 0.25, threshold: 0.3 });
    expect(ids(await audit([call('2026-10-01', { workflow: 'rag', rag: chunks(3) })]))).toEqual([]); // exactly 30 %
  });

  it('runaway agent tasks', async () => {
    const task = (id: string, steps: number) =>
      Array.from({ length: steps }, () => call('2026-10-01', { workflow: 'agent', task_id: id }, 10_000));
    const base = [...task('t1', 3), ...task('t2', 3), ...task('t3', 4), ...task('t4', 3), ...task('t5', 3)];
    expect(ids(await audit(base))).toEqual([]);
    expect(ids(await audit([...base, ...task('loop', 40)]))).toEqual(['warn:runaway-task:agent']);
  });

  it('daily spend anomaly', async () => {
    const flat = days(28);
    expect(ids(await audit(flat))).toEqual([]);
    const spike = [...flat, call('2026-10-29', {}, 5_000_000)]; // $10 on a $1/day team
    expect(ids(await audit(spike))).toEqual(['warn:spend-anomaly:2026-10-29:a']);
  });

  it('month-over-month growth', async () => {
    const sep = Array.from({ length: 30 }, (_, i) => call(`2026-09-${String(i + 1).padStart(2, '0')}`));
    const octFlat = days(30);
    expect(ids(await audit([...sep, ...octFlat], 'audit:\n  anomalies: { severity: off }\n'))).toEqual([]);
    const octDouble = Array.from({ length: 30 }, (_, i) =>
      call(`2026-10-${String(i + 1).padStart(2, '0')}`, {}, 1_000_000),
    );
    // $30 → $60: +100 % > 50 %, and +$30 ≥ $10.
    // (A level shift also looks like spikes to the daily anomaly detector: off here to test growth alone.)
    const r = await audit([...sep, ...octDouble], 'audit:\n  anomalies: { severity: off }\n');
    expect(ids(r)).toEqual(['warn:cost-growth:team=a:2026-10']);
    expect(r.findings[0]).toMatchObject({ figure: 1, threshold: 0.5 });
  });

  it('cost diff against a baseline report', async () => {
    const baseline = join(dir, 'baseline.json');
    const report = {
      schemaVersion: 1,
      command: 'report',
      by: ['team'],
      groups: [{ key: { team: 'a' }, cost: 5 }],
      other: null,
    };
    writeFileSync(baseline, JSON.stringify(report));
    // $10 now against $5: +100 % and +$5 — below the default $50 increase: quiet.
    expect(ids(await audit(days(10), '', { baseline }))).toEqual([]);
    const r = await audit(days(10), 'audit:\n  baseline: { max_increase_usd: 4 }\n', { baseline });
    expect(ids(r)).toEqual(['error:baseline-growth:team=a']);
    expect(r.findings[0]).toMatchObject({ figure: 5, threshold: 4, unit: 'usd' });
    writeFileSync(join(dir, 'bad.json'), '{"schemaVersion": 1, "command": "budget"}');
    await expect(audit(days(1), '', { baseline: join(dir, 'bad.json') })).rejects.toThrow(
      /not a `finops report --format json` document/,
    );
  });
});

describe('audit output formats', () => {
  const sample = async () =>
    audit([call('2026-10-01'), { ...call('2026-10-02'), model: 'mystery<&>', provider: 'self-hosted' }]);

  it('SARIF 2.1.0 validates against the published schema', async () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(
      readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    ) as object;
    // The schema's `pattern`s are ECMA-262 without the u flag (a language-tag pattern has a stray `]`).
    const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
    const ajv = new (
      Ajv as unknown as new (o: object) => {
        compile(s: object): ((d: unknown) => boolean) & { errors?: unknown };
      }
    )({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const sarif = JSON.parse(
      renderAuditSarif(await sample(), { configFile: 'finops.yaml', version: '0.1.0' }),
    ) as { runs: { results: { ruleId: string; level: string }[] }[] };
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false); // the validator does reject: no tool
    expect(sarif.runs[0]!.results.map((x) => [x.ruleId, x.level])).toEqual([
      ['pricing-coverage', 'error'],
      ['unpriced-usage', 'warning'],
    ]);
  });

  it('JUnit XML validates against the schema; errors are failures, warnings pass with output, off policies are skipped', async () => {
    const xml = renderAuditJunit(await sample());
    const xsd = readFileSync(join(ROOT, 'test', 'schemas', 'junit.xsd'), 'utf8');
    const result = await validateXML({ xml: [{ fileName: 'audit.xml', contents: xml }], schema: [xsd] });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    const broken = await validateXML({
      xml: [{ fileName: 'b.xml', contents: '<testsuites><testsuite tests="x"/></testsuites>' }],
      schema: [xsd],
    });
    expect(broken.valid).toBe(false); // the schema does reject: no name, tests not a count
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('<failure message="only 50.0% of tokens are priced');
    expect(xml).toContain('mystery&lt;&amp;&gt;');
    expect(xml).toMatch(/<skipped message="no budgets in finops.yaml"\/>/);
  });

  it('GitHub annotations and a markdown PR comment', async () => {
    const r = await sample();
    const gh = renderAuditGithub(r).split('\n');
    // Workflow commands escape % as %25.
    expect(gh[0]).toMatch(/^::error title=finops pricing-coverage::only 50\.0%25 of tokens are priced/);
    expect(gh[1]).toMatch(/^::warning title=finops unpriced-usage::/);
    expect(renderAuditMarkdown(r)).toContain('| ❌ error | pricing-coverage |');
  });
});

describe('finops audit through the binary: exit codes', () => {
  const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', FINOPS_HOME: join(dir, 'home') };
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'audit', ...args], { cwd: ROOT, encoding: 'utf8', env });

  it('0 without error findings, 1 with them, 2 when it cannot run; --fail-on warn promotes warnings', () => {
    const clean = file(days(3));
    expect(run([clean, '--format', 'json']).status).toBe(0);
    const mystery = file([{ ...call('2026-10-01'), model: 'mystery', provider: 'self-hosted' }]);
    const failing = run([mystery, '--format', 'json']);
    expect(failing.status).toBe(1);
    expect((JSON.parse(failing.stdout) as AuditReport).summary).toEqual({ errors: 1, warnings: 1 });
    expect(failing.stderr).toContain('finops audit: 1 error(s), 1 warning(s)');
    expect(run([mystery, '--format', 'json', '--no-exit-code']).status).toBe(0);
    const warnOnly = join(dir, 'warn.yaml');
    writeFileSync(warnOnly, 'audit:\n  pricing_coverage: { severity: off }\n');
    expect(run([mystery, '--config', warnOnly, '--format', 'json']).status).toBe(0);
    expect(run([mystery, '--config', warnOnly, '--fail-on', 'warn', '--format', 'json']).status).toBe(1);
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, 'audit:\n  rag: { min_utilisation: 0.3 }\n');
    const bad = run([clean, '--config', badConfig]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('audit.rag: Unrecognized key: "min_utilisation"');
    expect(run([join(dir, 'nope.jsonl')]).status).toBe(2);
  });
});
