import { Command, Option } from 'commander';
import { GROUP_DIMS } from '../analysis/aggregate.ts';
import { buildReport, parseBy, parseFilter, type Filter, type Report } from '../analysis/report.ts';
import { checkTimezone } from '../config/load.ts';
import { UsageError } from '../core/errors.ts';
import { REPORT_RENDERERS, type ReportFormat } from '../render/index.ts';
import { fmtInt } from '../render/format.ts';
import { emit, formatOption, loadContext, renderContext, say } from './shared.ts';

interface ReportOpts {
  by: string;
  from?: string;
  to?: string;
  tz: string;
  filter: Filter[];
  top?: number;
  format: ReportFormat;
  output?: string;
  config?: string;
  strict?: boolean;
  inputFormat?: string;
  quiet?: boolean;
}

/** `finops report`: where did the money go? */
export function reportCommand(): Command {
  return new Command('report')
    .description('price, attribute and group usage: where did the money go?')
    .argument('[paths...]', 'files or directories to read (- for stdin); formats are detected from content')
    .option('-b, --by <dims>', `group by one or more of: ${GROUP_DIMS.join(', ')}`, 'team,model')
    .option('--from <date>', 'first day to include (YYYY-MM-DD or YYYY-MM, in --tz; or an ISO timestamp)')
    .option('--to <date>', 'last day to include (inclusive for a date or month; exclusive for a timestamp)')
    .option('--tz <zone>', 'IANA time zone for day/week/month boundaries', 'UTC')
    .option(
      '--filter <key=glob>',
      'keep only matching usage (repeatable; same key = any, different keys = all); e.g. team=support, model=gpt-4o*, tags.env=prod',
      (v: string, prev: Filter[]) => [...prev, parseFilter(v)],
      [] as Filter[],
    )
    .option('--top <n>', 'show the N costliest groups and sum the rest', parsePositiveInt)
    .addOption(formatOption(Object.keys(REPORT_RENDERERS)))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option('-c, --config <file>', 'config file (default: ./finops.yaml if present)')
    .option('--strict', 'stop with exit 2 at the first bad row instead of skipping it')
    .addOption(
      new Option(
        '--input-format <id>',
        'skip detection and read every input as this format (see `finops formats`)',
      ),
    )
    .option('-q, --quiet', 'no warnings or summaries on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ finops report ./exports --by team,app
  $ finops report usage.json requests.jsonl --by day --from 2026-10-01 --to 2026-10-31 --tz Europe/Berlin
  $ finops report ./exports --by model --filter team=support --format csv > october.csv
  $ cat requests.jsonl | finops report - --by workflow --format json | jq .totals.cost`,
    )
    .action(async (paths: string[], opts: ReportOpts, cmd: Command) => {
      if (paths.length === 0)
        throw new UsageError('report: give files or directories to read (or - for stdin)');
      const { loaded, book } = await loadContext(opts.config);
      const tz = cmd.getOptionValueSource('tz') === 'cli' ? opts.tz : (loaded.config.timezone ?? opts.tz);
      checkTimezone(tz, '--tz');
      const report = await buildReport({
        paths,
        by: parseBy(opts.by),
        tz,
        from: opts.from,
        to: opts.to,
        filters: opts.filter,
        top: opts.top,
        strict: opts.strict,
        format: opts.inputFormat,
        config: loaded.config,
        book,
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
