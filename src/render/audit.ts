import Table from 'cli-table3';
import { POLICIES, type AuditReport, type Finding } from '../audit/engine.ts';
import { fmtInt, fmtUsd } from './format.ts';
import { colors, fitColumns, fold, leftOutLines, wrapOptions, type RenderContext } from './table.ts';

function figure(f: Finding, n: number): string {
  switch (f.unit) {
    case 'usd':
      return fmtUsd(n);
    case 'share':
    case 'ratio':
      return `${(n * 100).toFixed(1)}%`;
    default:
      return fmtInt(n);
  }
}

function scopeText(f: Finding): string {
  const s = Object.entries(f.scope).map(([k, v]) => `${k}=${v}`);
  return s.length ? s.join(', ') : 'all';
}

function verdict(r: AuditReport): string {
  const { errors, warnings } = r.summary;
  if (errors === 0 && warnings === 0) return 'No findings.';
  return `${errors} error(s), ${warnings} warning(s).`;
}

/** Findings as a terminal table, then what to do. */
export function renderAuditTable(r: AuditReport, ctx: RenderContext): string {
  const c = colors(ctx);
  if (r.findings.length === 0) return c.green('finops audit: no findings.') + '\n';
  const head = ['Severity', 'Policy', 'Scope', 'Figure', 'Limit', 'Finding'];
  const rows = r.findings.map((f) => [
    f.severity === 'error' ? 'error' : 'warn',
    f.policy,
    scopeText(f),
    figure(f, f.figure),
    figure(f, f.threshold),
    f.message,
  ]);
  // Left out first: the figure and its limit (the finding states them), then the scope; the finding wraps.
  const fit = fitColumns(head, rows, ctx.width, { drop: ['Limit', 'Figure', 'Scope'], wrap: [1, 2, 5] });
  const aligns = ['left', 'left', 'left', 'right', 'right', 'left'] as const;
  const t = new Table({
    head: fit.head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: fit.cols.map((i) => aligns[i]!),
    ...wrapOptions(fit),
  });
  const severity = fit.cols.indexOf(0);
  t.push(
    ...fit.rows.map((row) =>
      row.map((s, j) => (j !== severity ? s : s === 'error' ? c.red('error') : c.yellow('warn'))),
    ),
  );
  const actions = r.findings.flatMap((f, i) => fold(`  ${i + 1}. ${f.action}`, ctx.width, '     '));
  return (
    [
      c.bold(`finops audit: ${verdict(r)}`),
      t.toString(),
      c.bold('What to do:'),
      ...actions,
      ...leftOutLines(ctx.width, fit.dropped).map((l) => c.dim(l)),
    ].join('\n') + '\n'
  );
}

/** A pull-request comment. */
export function renderAuditMarkdown(r: AuditReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
  const icon = (f: Finding) => (f.severity === 'error' ? '❌ error' : '⚠️ warn');
  const out = [`## finops audit: ${verdict(r)}`, ''];
  if (r.findings.length === 0) {
    out.push('All cost policies pass.');
  } else {
    out.push(
      '| | Policy | Scope | Figure | Limit | Finding | What to do |',
      '| :-- | :-- | :-- | --: | --: | :-- | :-- |',
    );
    for (const f of r.findings) {
      out.push(
        `| ${icon(f)} | ${f.policy} | ${esc(scopeText(f))} | ${figure(f, f.figure)} | ${figure(f, f.threshold)} | ${esc(f.message)} | ${esc(f.action)} |`,
      );
    }
  }
  const skipped = r.policies.filter((p) => !p.ran);
  if (skipped.length)
    out.push(
      '',
      `<sub>Not checked: ${skipped.map((p) => `${p.id} (${esc(p.why ?? p.severity)})`).join(', ')}.</sub>`,
    );
  return out.join('\n') + '\n';
}

/** GitHub Actions workflow commands: one annotation per finding. */
export function renderAuditGithub(r: AuditReport): string {
  // Workflow-command values must escape %, CR and LF (and , : in properties).
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines = r.findings.map(
    (f) =>
      `::${f.severity === 'error' ? 'error' : 'warning'} title=${prop(`finops ${f.policy}`)}::${data(`${f.message}. ${f.action}`)}`,
  );
  lines.push(`::notice title=finops audit::${data(verdict(r))}`);
  return lines.join('\n') + '\n';
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** JUnit XML: one test suite, one test case per policy and finding; errors are failures, warnings pass with output. */
export function renderAuditJunit(r: AuditReport): string {
  const cases: string[] = [];
  let failures = 0;
  let skippedCount = 0;
  for (const p of POLICIES) {
    const state = r.policies.find((x) => x.id === p.id)!;
    const found = r.findings.filter((f) => f.policy === p.id);
    if (!state.ran) {
      skippedCount++;
      cases.push(
        `    <testcase classname="finops.audit" name="${xml(p.id)}" time="0">\n      <skipped message="${xml(state.why ?? 'off')}"/>\n    </testcase>`,
      );
      continue;
    }
    if (found.length === 0) {
      cases.push(`    <testcase classname="finops.audit" name="${xml(p.id)}" time="0"/>`);
      continue;
    }
    for (const f of found) {
      const name = xml(`${p.id}: ${scopeText(f)}`);
      if (f.severity === 'error') {
        failures++;
        cases.push(
          `    <testcase classname="finops.audit" name="${name}" time="0">\n      <failure message="${xml(f.message)}" type="${xml(f.policy)}">${xml(f.action)}</failure>\n    </testcase>`,
        );
      } else {
        cases.push(
          `    <testcase classname="finops.audit" name="${name}" time="0">\n      <system-out>${xml(`warning: ${f.message}. ${f.action}`)}</system-out>\n    </testcase>`,
        );
      }
    }
  }
  const tests = cases.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="finops audit" tests="${tests}" failures="${failures}" errors="0" skipped="${skippedCount}" time="0">`,
    `  <testsuite name="finops audit" tests="${tests}" failures="${failures}" errors="0" skipped="${skippedCount}" time="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** SARIF 2.1.0: one rule per policy, one result per finding, located at the config file that sets the policy. */
export function renderAuditSarif(r: AuditReport, opts: { configFile?: string; version: string }): string {
  const uri = opts.configFile ?? 'finops.yaml';
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'finops',
            version: opts.version,
            rules: POLICIES.map((p) => ({
              id: p.id,
              name: p.title.replace(/[^A-Za-z0-9]+/g, ''),
              shortDescription: { text: p.title },
              fullDescription: { text: p.help },
              help: { text: p.help },
              defaultConfiguration: { level: 'warning' },
            })),
          },
        },
        results: r.findings.map((f) => ({
          ruleId: f.policy,
          ruleIndex: POLICIES.findIndex((p) => p.id === f.policy),
          level: f.severity === 'error' ? 'error' : 'warning',
          message: { text: `${f.message}. ${f.action}` },
          partialFingerprints: { finopsFinding: f.id },
          properties: { scope: f.scope, figure: f.figure, threshold: f.threshold, unit: f.unit },
          locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } } }],
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
