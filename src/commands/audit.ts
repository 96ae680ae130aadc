import { Command, Option } from 'commander';

import { runAudit, type AuditReport } from '../audit/engine.ts';
import { routingAudit } from '../audit/routing.ts';
import { UsageError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { renderJson } from '../render/index.ts';
import {
  renderAuditGithub,
  renderAuditJunit,
  renderAuditMarkdown,
  renderAuditSarif,
  renderAuditTable,
} from '../render/audit.ts';
import type { RenderContext } from '../render/table.ts';
import { addScanOptions, emit, outputContext, say, scanOptionsFrom, type ScanCliOpts } from './shared.ts';

/** Audit output formats; `--format` takes its choices from the keys. */
export const AUDIT_FORMATS = {
  table: (r: AuditReport, ctx: RenderContext) => renderAuditTable(r, ctx),
  json: (r: AuditReport) => renderJson(r),
  markdown: (r: AuditReport) => renderAuditMarkdown(r),
  github: (r: AuditReport) => renderAuditGithub(r),
  junit: (r: AuditReport) => renderAuditJunit(r),
  sarif: (r: AuditReport, _ctx: RenderContext, configFile?: string) =>
    renderAuditSarif(r, { configFile, version: VERSION }),
} as const;

interface AuditOpts extends ScanCliOpts {
  format: keyof typeof AUDIT_FORMATS;
  output?: string;
  failOn: 'error' | 'warn';
  baseline?: string;
  asOf?: string;
  exitCode: boolean;
}

/** `finops audit`: a cost gate for CI. Exit 0 no error findings, 1 error findings, 2 the audit could not run. */
export function auditCommand(): Command {
  const cmd = new Command('audit')
    .description(
      'check usage against the cost policies in finops.yaml (audit:, budgets:, tasks:); exit 1 on error findings',
    )
    .argument('[paths...]', 'usage exports and logs (- for stdin)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(Object.keys(AUDIT_FORMATS))
        .default(process.stdout.isTTY ? 'table' : 'json', 'table on a terminal, json when piped'),
    )
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .addOption(
      new Option('--fail-on <severity>', 'lowest severity that fails the run')
        .choices(['error', 'warn'])
        .default('error'),
    )
    .option(
      '--baseline <report.json>',
      'a previous `finops report --format json`: fail when a group grows past audit.baseline limits',
    )
    .option('--as-of <date>', 'evaluate budgets as of this day (YYYY-MM-DD)')
    .option('--no-exit-code', 'always exit 0 when the audit ran (report only)');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
Policies (configure under audit: in finops.yaml; each has a severity error | warn | off):
  budget, unpriced-usage, pricing-coverage, unattributed-spend, token-ceiling, routing-opportunity,
  rag-utilization, runaway-task, spend-anomaly, cost-growth, baseline-growth

Examples:
  $ finops audit ./exports --format github                    annotations in a GitHub Actions log
  $ finops audit ./exports --format markdown -o comment.md    a pull-request comment
  $ finops audit ./exports --baseline last-month.json --format sarif -o finops.sarif
  $ finops audit ./exports --fail-on warn                     warnings fail too`,
    )
    .action(async (paths: string[], opts: AuditOpts, command: Command) => {
      if (opts.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf))
        throw new UsageError(`--as-of ${opts.asOf}: expected YYYY-MM-DD`);
      const { scan, loaded } = await scanOptionsFrom('audit', paths, opts, command);
      const audit = loaded.config.audit;
      const routing = routingAudit(loaded.config, scan.book, scan.tz);
      const report = await runAudit({
        scan,
        config: loaded.config,
        audit,
        baselineFile: opts.baseline,
        asOf: opts.asOf,
        routing,
      });
      const render = AUDIT_FORMATS[opts.format] as (
        r: AuditReport,
        ctx: RenderContext,
        configFile?: string,
      ) => string;
      await emit(render(report, outputContext(opts.output), loaded.file), opts.output);
      const { errors, warnings } = report.summary;
      // The human summary goes to stderr whenever stdout carries a machine format (or a file).
      if (opts.format !== 'table' || opts.output) {
        say(
          `finops audit: ${errors} error(s), ${warnings} warning(s)${report.problems.skipped ? `; ${report.problems.skipped} row(s) skipped (first: ${report.problems.first})` : ''}`,
          opts.quiet,
        );
      }
      const failing = errors + (opts.failOn === 'warn' ? warnings : 0);
      if (failing > 0 && opts.exitCode) process.exitCode = 1;
    });
}
