import { Command, Option } from 'commander';
import { BUDGET_STATUSES, BudgetTracker, statusRank, type BudgetStatus } from '../analysis/budget.ts';
import { UsageError } from '../core/errors.ts';
import { scanUsage } from '../pipeline/scan.ts';
import { BUDGET_RENDERERS } from '../render/index.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  outputContext,
  say,
  scanOptionsFrom,
  type ScanCliOpts,
} from './shared.ts';

interface BudgetOpts extends ScanCliOpts {
  asOf?: string;
  failOn?: Exclude<BudgetStatus, 'ok'>;
  format: keyof typeof BUDGET_RENDERERS;
  output?: string;
}

/** `finops budget`: are we inside budget, and where will the period end? */
export function budgetCommand(): Command {
  const cmd = new Command('budget')
    .description('spend against the budgets in finops.yaml: used so far, forecast at period end, status')
    .argument('[paths...]', 'usage exports and logs (- for stdin)')
    .option(
      '--as-of <date>',
      'evaluate as of this day (YYYY-MM-DD, in --tz); default: the last day with data',
    )
    .addOption(
      new Option('--fail-on <status>', 'exit 1 when any budget reaches this status or a worse one').choices(
        BUDGET_STATUSES.filter((s) => s !== 'ok'),
      ),
    )
    .addOption(formatOption(Object.keys(BUDGET_RENDERERS)))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
Statuses, least to most severe: ok · warn (alert_at reached, default 80 %) · forecast-exceeded (inside budget,
projected to pass hard_stop_at by the period end) · exceeded (hard_stop_at reached, default 100 %).

Examples:
  $ finops budget ./exports                                  budgets as of the last day with data
  $ finops budget ./exports --as-of 2026-10-15 --fail-on warn  replay mid-October; exit 1 on any warning`,
    )
    .action(async (paths: string[], opts: BudgetOpts, command: Command) => {
      if (
        opts.asOf !== undefined &&
        (!/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf) || Number.isNaN(Date.parse(opts.asOf)))
      ) {
        throw new UsageError(`--as-of ${opts.asOf}: expected YYYY-MM-DD`);
      }
      const { scan, loaded } = await scanOptionsFrom('budget', paths, opts, command);
      if (loaded.config.budgets.length === 0) {
        throw new UsageError(
          `no budgets: add a budgets: section to ${loaded.file ?? 'finops.yaml'} (see \`finops init\`)`,
        );
      }
      const tracker = new BudgetTracker(loaded.config.budgets, scan.tz);
      const report = tracker.result(await scanUsage(scan, (p) => tracker.add(p)), opts.asOf);
      await emit(BUDGET_RENDERERS[opts.format](report, outputContext(opts.output)), opts.output);
      if (report.problems.skipped > 0)
        say(`finops: ${report.problems.skipped} row(s) skipped; first: ${report.problems.first}`, opts.quiet);
      if (opts.failOn) {
        const failing = report.budgets.filter((b) => statusRank(b.status) >= statusRank(opts.failOn!));
        if (failing.length > 0) {
          say(
            `finops: ${failing.map((b) => `${b.name} is ${b.status}`).join(', ')} (--fail-on ${opts.failOn})`,
            opts.quiet,
          );
          process.exitCode = 1;
        }
      }
    });
}
