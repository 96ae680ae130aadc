import { Command, Option } from 'commander';
import { Reconciler } from '../analysis/reconcile.ts';
import { scanUsage } from '../pipeline/scan.ts';
import { RECONCILE_RENDERERS } from '../render/index.ts';
import { fmtInt } from '../render/format.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  outputContext,
  say,
  scanOptionsFrom,
  type ScanCliOpts,
} from './shared.ts';

interface ReconcileOpts extends ScanCliOpts {
  by: 'day' | 'month';
  format: keyof typeof RECONCILE_RENDERERS;
  output?: string;
  mismatchesOnly?: boolean;
}

/** `finops reconcile`: does the computed cost match what the providers billed? */
export function reconcileCommand(): Command {
  const cmd = new Command('reconcile')
    .description(
      'compare cost computed from usage with the cost the sources billed, per day × provider × model',
    )
    .argument('[paths...]', 'usage and cost exports, logs (- for stdin)')
    .addOption(new Option('--by <period>', 'period of each line').choices(['day', 'month']).default('day'))
    .option('--mismatches-only', 'show only lines that do not reconcile (over, under, no-usage)')
    .addOption(formatOption(Object.keys(RECONCILE_RENDERERS)))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
A line reconciles when |computed − billed| ≤ max($0.01, 1 % of billed). Statuses: ok, over (computed above
the bill), under, no-bill (no cost export covers it), no-usage (billed, no usage read). Each mismatch names
its likely cause: an unpriced model, usage read twice, cache tokens missing, a price list older than the usage.

Examples:
  $ finops reconcile openai-usage.json openai-costs.json
  $ finops reconcile ./exports --by month --mismatches-only --format markdown`,
    )
    .action(async (paths: string[], opts: ReconcileOpts, command: Command) => {
      const { scan, book } = await scanOptionsFrom('reconcile', paths, opts, command);
      const reconciler = new Reconciler(scan.tz, opts.by);
      // The reconciler only sums by period × provider × model: the scan may combine records, and read in parallel.
      const combined = { ...scan, combine: [opts.by, 'provider', 'model'] as const };
      const result = reconciler.result(await scanUsage(combined, (p) => reconciler.add(p)), book);
      if (opts.mismatchesOnly)
        result.rows = result.rows.filter((r) => r.status !== 'ok' && r.status !== 'no-bill');
      await emit(RECONCILE_RENDERERS[opts.format](result, outputContext(opts.output)), opts.output);
      const p = result.problems;
      if (p.skipped > 0)
        say(`finops: ${fmtInt(p.skipped)} row(s) skipped as unreadable; first: ${p.first}`, opts.quiet);
      if (p.duplicates > 0) say(`finops: ${fmtInt(p.duplicates)} duplicate row(s) counted once`, opts.quiet);
    });
}
