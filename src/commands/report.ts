import { Command } from 'commander';
import { GROUP_DIMS, isTimeDim } from '../analysis/aggregate.ts';
import { buildReport, parseBy, type Report, type ReportOptions, type SeriesDim } from '../analysis/report.ts';
import { UsageError } from '../core/errors.ts';
import { REPORT_RENDERERS, type ReportFormat } from '../render/index.ts';
import { fmtInt } from '../render/format.ts';
import { Progress, progressDelay, progressEnabled, stderrIsTerminal } from '../render/progress.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  outputContext,
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
  series?: string | true;
}

/** Breakdowns of `series` when `--series` gives none (and in html). */
export const DEFAULT_SERIES: readonly SeriesDim[] = ['team', 'app', 'model'];

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
    .option(
      '--series [dims]',
      `also give daily cost per value of these dimensions (default: ${DEFAULT_SERIES.join(',')}) and per group (json; html always has them)`,
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
  $ finops report ./exports --from 2026-10 --to 2026-10 --format html --output october.html
  $ cat requests.jsonl | finops report - --by workflow --format json | jq .totals.cost

The html page is self-contained (no network, no script): spend over time by team, app and model, top models
and apps, budget burn-down with forecast, warnings, and the command and prices it came from. On a terminal,
a run longer than a second shows its progress on stderr.`,
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
      const toFile = opts.output !== undefined && opts.output !== '-';
      const ctx = outputContext(opts.output);
      const progress = new Progress({
        enabled: progressEnabled({
          stderrTTY: stderrIsTerminal(),
          quiet: opts.quiet,
          format: opts.format,
          toFile,
        }),
        delayMs: progressDelay(),
        color: !process.env.NO_COLOR,
      });
      try {
        progress.stage('loading config and prices');
        const { scan } = await scanOptionsFrom('report', paths, opts, command);
        const by = parseBy(opts.by);
        const html = opts.format === 'html';
        const asked = opts.series === undefined ? undefined : parseSeries(opts.series);
        const options: ReportOptions = {
          ...scan,
          by,
          top: opts.top,
          reconcile: opts.reconcile,
          anomalies: opts.anomalies || html,
          onProgress: progress.update,
          onStage: (s) => progress.stage(s),
        };
        // The table needs only the day axis and per-group days (its Trend column); html and --series, breakdowns.
        if (asked ?? html) options.series = { dims: asked ?? DEFAULT_SERIES };
        else if (opts.format === 'table') options.series = { dims: [] };
        if (html) Object.assign(options, { budgets: true, previous: true, unattributed: true });
        progress.stage('reading');
        const report = await buildReport(options);
        if (html) {
          const argv = process.argv.slice(2);
          report.invocation = {
            command: shellCommand(['finops', ...argv]),
            generatedAt: new Date().toISOString(),
          };
        }
        progress.stage('rendering');
        const text = REPORT_RENDERERS[opts.format](report, ctx);
        progress.stop();
        await emit(text, opts.output);
        if (toFile) say(`finops: wrote ${opts.output}`, opts.quiet);
        summarize(report, opts.quiet);
      } finally {
        progress.stop();
      }
    });
}

/** Parses `--series [dims]`: any grouping dimension but day, week and month. */
export function parseSeries(v: string | true): SeriesDim[] {
  if (v === true) return [...DEFAULT_SERIES];
  const dims = parseBy(v.replace(/^--series /, ''));
  const time = dims.find((d) => isTimeDim(d));
  if (time)
    throw new UsageError(`--series ${time}: the series are already daily; choose from the other dimensions`);
  return dims as SeriesDim[];
}

/** The command line as a POSIX shell would take it back: arguments with special characters single-quoted. */
export function shellCommand(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
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
    // Bills and daily usage buckets state tokens but no request count: name the tokens, never "0 requests".
    const tokens = report.unpriced.reduce(
      (n, u) => n + u.tokens.input + u.tokens.cacheRead + u.tokens.cacheWrite + u.tokens.output,
      0,
    );
    const requests = report.totals.unpricedRequests;
    const what =
      requests > 0 ? `${fmtInt(requests)} request(s) (${fmtInt(tokens)} tokens)` : `${fmtInt(tokens)} tokens`;
    say(
      `finops: ${what} have no price and are not in the cost: ${models}. ` +
        'Add prices under pricing.overrides in finops.yaml, or import a price list with `finops pricing import`.',
      quiet,
    );
  }
  for (const n of report.notes) say(`finops: ${n}`, quiet);
}
