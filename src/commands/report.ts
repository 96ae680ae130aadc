import { Command } from 'commander';
import { GROUP_DIMS } from '../analysis/aggregate.ts';
import { buildReport, parseBy, type Report } from '../analysis/report.ts';
import { UsageError } from '../core/errors.ts';
import { REPORT_RENDERERS, type ReportFormat } from '../render/index.ts';
import { fmtInt } from '../render/format.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  renderContext,
  say,
  scanOptionsFrom,
  type ScanCliOpts,
} from './shared.ts';

interface ReportOpts extends ScanCliOpts {
  by: string;
  top?: number;
  format: ReportFormat;
  output?: string;
  reconcile?: boolean;
  anomalies?: boolean;
}

/** `finops report`: where did the money go? */
export function reportCommand(): Command {
  const cmd = new Command('report')
    .description('price, attribute and group usage: where did the money go?')
    .argument('[paths...]', 'files or directories to read (- for stdin); formats are detected from content')
    .option('-b, --by <dims>', `group by one or more of: ${GROUP_DIMS.join(', ')}`, 'team,model')
    .option('--top <n>', 'show the N costliest groups and sum the rest', parsePositiveInt)
    .option(
      '--reconcile',
      'also compare computed with billed cost per day × provider × model (table, json, markdown)',
    )
    .option(
      '--anomalies',
      'also find days whose spend spikes far above the norm of each group (table, json, markdown)',
    )
    .addOption(formatOption(Object.keys(REPORT_RENDERERS)))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  $ finops report ./exports --by team,app
  $ finops report usage.json requests.jsonl --by day --from 2026-10-01 --to 2026-10-31 --tz Europe/Berlin
  $ finops report ./exports --by model --filter team=support --format csv > october.csv
  $ cat requests.jsonl | finops report - --by workflow --format json | jq .totals.cost`,
    )
    .action(async (paths: string[], opts: ReportOpts, command: Command) => {
      if (opts.reconcile && opts.format === 'csv') {
        throw new UsageError(
          '--reconcile has no CSV form inside a report; run `finops reconcile --format csv`',
        );
      }
      if (opts.anomalies && opts.format === 'csv') {
        throw new UsageError('--anomalies has no CSV form inside a report; use --format json');
      }
      const { scan } = await scanOptionsFrom('report', paths, opts, command);
      const report = await buildReport({
        ...scan,
        by: parseBy(opts.by),
        top: opts.top,
        reconcile: opts.reconcile,
        anomalies: opts.anomalies,
      });
      const render = REPORT_RENDERERS[opts.format];
      await emit(render(report, renderContext(opts.output !== undefined)), opts.output);
      summarize(report, opts.quiet);
    });
}

/** Parses a positive integer option value. */
export function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive whole number, got "${v}"`);
  return n;
}

/** What a person must know about the run, on stderr: skipped rows, duplicates, unpriced usage, notes. */
function summarize(report: Report, quiet: boolean | undefined): void {
  const p = report.problems;
  if (p.skipped > 0) {
    const more = p.skipped > p.shown.length ? `\n  … and ${fmtInt(p.skipped - p.shown.length)} more` : '';
    say(
      `finops: ${fmtInt(p.skipped)} row(s) skipped as unreadable (--strict stops at the first):\n  ${p.shown.join('\n  ')}${more}`,
      quiet,
    );
  }
  if (p.duplicates > 0) say(`finops: ${fmtInt(p.duplicates)} duplicate row(s) counted once`, quiet);
  if (report.unpriced.length > 0) {
    const models = report.unpriced.map((u) => `${u.model} (${u.reason})`).join(', ');
    say(
      `finops: ${fmtInt(report.totals.unpricedRequests)} request(s) have no price and are not in the cost: ${models}. ` +
        'Add prices under pricing.overrides in finops.yaml, or import a price list with `finops pricing import`.',
      quiet,
    );
  }
  for (const n of report.notes) say(`finops: ${n}`, quiet);
}
