import { Command, Option } from 'commander';
import { GROUP_DIMS, isTimeDim } from '../analysis/aggregate.ts';
import { ForecastTracker, type Horizon } from '../analysis/forecast-report.ts';
import { parseBy } from '../analysis/report.ts';
import { UsageError } from '../core/errors.ts';
import { scanUsage } from '../pipeline/scan.ts';
import { FORECAST_RENDERERS } from '../render/index.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  outputContext,
  say,
  scanOptionsFrom,
  type ScanCliOpts,
} from './shared.ts';

interface ForecastOpts extends ScanCliOpts {
  by?: string;
  horizon: string;
  metric: 'cost' | 'tokens';
  method: 'auto' | 'linear' | 'holt-winters';
  format: keyof typeof FORECAST_RENDERERS;
  output?: string;
}

/** `finops forecast`: where will spend go, and how sure is that? */
export function forecastCommand(): Command {
  const cmd = new Command('forecast')
    .description('forecast daily cost (or tokens) per scope, with 80 %/95 % intervals and the backtest error')
    .argument('[paths...]', 'usage exports and logs (- for stdin)')
    .option(
      '-b, --by <dims>',
      `one series per group of: ${GROUP_DIMS.filter((d) => !isTimeDim(d)).join(', ')} (default: all spend)`,
    )
    .option(
      '--horizon <n|month|quarter>',
      'days to forecast, or to the end of the current month/quarter',
      'month',
    )
    .addOption(new Option('--metric <m>', 'what to forecast').choices(['cost', 'tokens']).default('cost'))
    .addOption(
      new Option('--method <m>', 'forecasting method; auto picks per series by backtest')
        .choices(['auto', 'linear', 'holt-winters'])
        .default('auto'),
    )
    .addOption(formatOption(Object.keys(FORECAST_RENDERERS)))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
Every forecast prints its rolling-origin backtest error (sMAPE); with too little history it says so and widens
the interval. See docs/forecasting.md.

Examples:
  $ finops forecast ./exports --by team                  to the end of this month
  $ finops forecast ./exports --horizon 30 --format json  the next 30 days, per-day points included`,
    )
    .action(async (paths: string[], opts: ForecastOpts, command: Command) => {
      const by = opts.by ? parseBy(opts.by) : [];
      if (by.some(isTimeDim))
        throw new UsageError(
          '--by: forecasts are daily already; group by scopes (team, app, model …), not by day/week/month',
        );
      let horizon: Horizon;
      if (opts.horizon === 'month' || opts.horizon === 'quarter') horizon = { toEnd: opts.horizon };
      else {
        const n = Number(opts.horizon);
        if (!Number.isInteger(n) || n < 1 || n > 366)
          throw new UsageError(`--horizon ${opts.horizon}: expected 1..366 days, month or quarter`);
        horizon = { days: n };
      }
      const { scan } = await scanOptionsFrom('forecast', paths, opts, command);
      const tracker = new ForecastTracker(by, scan.tz);
      const report = tracker.result(await scanUsage(scan, (p) => tracker.add(p)), {
        horizon,
        metric: opts.metric,
        method: opts.method,
      });
      await emit(FORECAST_RENDERERS[opts.format](report, outputContext(opts.output)), opts.output);
      if (report.problems.skipped > 0)
        say(`finops: ${report.problems.skipped} row(s) skipped; first: ${report.problems.first}`, opts.quiet);
    });
}
