import { Command, Option } from 'commander';
import { formatProblem } from '../core/record.ts';
import { EXPORTERS, type ExportFormat } from '../export/index.ts';
import { fmtInt } from '../render/format.ts';
import { addScanOptions, emit, say, scanOptionsFrom, type ScanCliOpts } from './shared.ts';

interface ExportOpts extends ScanCliOpts {
  format: ExportFormat;
  period: 'day' | 'month';
  output?: string;
}

/** `finops export`: priced, attributed usage in a standard format other tools load (FOCUS). */
export function exportCommand(): Command {
  const formats = Object.entries(EXPORTERS)
    .map(([id, e]) => `${id}: ${e.title}`)
    .join('; ');
  const cmd = new Command('export')
    .description('write priced, attributed usage in a standard format for other FinOps tools (FOCUS)')
    .argument('[paths...]', 'files or directories to read (- for stdin); formats are detected from content')
    // Required even with one format: a script names what it writes, so adding a format changes no output.
    .addOption(
      new Option('-f, --format <format>', `export format (${formats})`)
        .choices(Object.keys(EXPORTERS))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--period <period>', 'charge period of each row: a calendar day or month in --tz')
        .choices(['day', 'month'])
        .default('day'),
    )
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
One row per charge period × provider × model × price (tier, batch) × token kind × attribution (app, team,
workflow, environment, project). BilledCost is tokens × the price finops applies; usage without a price is
exported with empty costs and x_Unpriced=true. The file reads back with \`finops report\` (format focus).

Examples:
  $ finops export ./exports --format focus --output focus-2026-10.csv --from 2026-10 --to 2026-10
  $ finops export usage.json --format focus --period month --filter team=support > support.csv`,
    )
    .action(async (paths: string[], opts: ExportOpts, command: Command) => {
      const { scan } = await scanOptionsFrom('export', paths, opts, command);
      const result = await EXPORTERS[opts.format].run({ ...scan, period: opts.period });
      await emit(result.text, opts.output);
      const s = result.scan.stats;
      if (opts.output !== undefined && opts.output !== '-') {
        say(`finops: wrote ${fmtInt(result.rows)} ${opts.format} row(s) to ${opts.output}`, opts.quiet);
      }
      if (s.skipped > 0) {
        const first = s.problems[0] ? formatProblem(s.problems[0]) : '';
        say(
          `finops: ${fmtInt(s.skipped)} row(s) skipped as unreadable (--strict stops at the first); first: ${first}`,
          opts.quiet,
        );
      }
      if (s.duplicates > 0) say(`finops: ${fmtInt(s.duplicates)} duplicate row(s) counted once`, opts.quiet);
      if (result.scan.joined > 0) {
        say(
          `finops: ${fmtInt(result.scan.joined)} bill row(s) covered by a usage source: their tokens are counted once, from the usage source`,
          opts.quiet,
        );
      }
      for (const [reason, n] of [...s.ignored].sort((a, b) => b[1] - a[1])) {
        say(`finops: ${fmtInt(n)} row(s) left out as ${reason}`, opts.quiet);
      }
      for (const n of result.notes) say(`finops: ${n}`, opts.quiet);
    });
}
