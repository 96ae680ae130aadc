import { Command, Option } from 'commander';
import { BudgetTracker } from '../analysis/budget.ts';
import { UsageError } from '../core/errors.ts';
import { formatProblem } from '../core/record.ts';
import { parseBound, ZonedCalendar } from '../core/time.ts';
import type { KpiConfig } from '../kpi/config.ts';
import { KpiEngine } from '../kpi/engine.ts';
import { readOutcomes, type OutcomesStats } from '../kpi/outcomes.ts';
import { KPI_PERIODS, type KpiPeriodKind } from '../kpi/periods.ts';
import { buildKpiSummary } from '../kpi/summary.ts';
import { scanUsage } from '../pipeline/scan.ts';
import { KPI_RENDERERS } from '../render/kpi.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  outputContext,
  say,
  scanOptionsFrom,
  type ScanCliOpts,
} from './shared.ts';

interface KpiOpts extends ScanCliOpts {
  outcomes: string[];
  by: KpiPeriodKind;
  kpi: string[];
  summary?: boolean;
  format: keyof typeof KPI_RENDERERS;
  output?: string;
}

/** How many outcomes-file problems are printed on stderr (all are counted). */
const SHOWN_PROBLEMS = 5;

/** `--kpi a,b` (repeatable) → names. */
function collectNames(v: string, prev: string[]): string[] {
  return [
    ...prev,
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** The configured KPIs, or those named by --kpi (unknown names are a usage error). */
function selectKpis(
  all: readonly KpiConfig[],
  names: readonly string[],
  file: string | undefined,
): KpiConfig[] {
  if (all.length === 0) {
    throw new UsageError(
      `no KPIs: add a kpis: section to ${file ?? 'finops.yaml'} (see docs/kpi.md for examples)`,
    );
  }
  if (names.length === 0) return [...all];
  const known = new Set(all.map((k) => k.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(`--kpi ${unknown.join(', ')}: unknown (known: ${[...known].join(', ')})`);
  }
  const wanted = new Set(names);
  return all.filter((k) => wanted.has(k.name));
}

/** `finops kpi`: AI spend next to business outcomes: cost per outcome, human-equivalent rates, revenue per AI dollar. */
export function kpiCommand(): Command {
  const cmd = new Command('kpi')
    .description(
      'business KPIs from finops.yaml kpis: cost per resolved ticket, escalation rate, cost per document, human-equivalent hourly rate, revenue per AI dollar; per period, with change and target',
    )
    .argument('[paths...]', 'usage exports and logs (- for stdin)')
    .option(
      '--outcomes <file>',
      'outcomes CSV (date, metric, value, and app/team/workflow/… columns); repeatable',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .addOption(
      new Option('--by <period>', 'period of each value, in --tz').choices(KPI_PERIODS).default('month'),
    )
    .option('--kpi <names>', 'only these KPIs (comma-separated or repeated)', collectNames, [] as string[])
    .option(
      '--summary',
      'one-screen executive summary of the last period: spend, spend by team, the 3 KPIs that moved most, budgets',
    )
    .addOption(formatOption(Object.keys(KPI_RENDERERS)))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
Each KPI is numerator ÷ denominator per period for one scope (docs/kpi.md). A value whose inputs are missing
(no outcomes for the period, a zero denominator, unpriced usage) is shown as missing, with the reason, never as
0 or infinity. Change is against the period before; the first period has none.

Examples:
  $ finops kpi ./logs --outcomes outcomes.csv                 every KPI, per month
  $ finops kpi ./logs --outcomes outcomes.csv --by week --kpi cost-per-resolved-ticket,escalation-rate
  $ finops kpi ./logs --outcomes outcomes.csv --summary       the executive view`,
    )
    .action(async (paths: string[], opts: KpiOpts, command: Command) => {
      const { scan, loaded } = await scanOptionsFrom('kpi', paths, opts, command);
      const kpis = selectKpis(loaded.config.kpis, opts.kpi, loaded.file);
      const engine = new KpiEngine(kpis, { tz: scan.tz, by: opts.by });
      // The outcomes files first: a file that is not one stops the run before the (longer) usage scan.
      let outcomes: OutcomesStats | null = null;
      if (opts.outcomes.length > 0) {
        const cal = new ZonedCalendar(scan.tz);
        outcomes = await readOutcomes(
          opts.outcomes,
          {
            cal,
            from: opts.from ? parseBound(opts.from, 'from', cal) : undefined,
            to: opts.to ? parseBound(opts.to, 'to', cal) : undefined,
            strict: opts.strict,
          },
          (row) => engine.addOutcome(row),
        );
      }
      const tracker =
        opts.summary && loaded.config.budgets.length > 0
          ? new BudgetTracker(loaded.config.budgets, scan.tz)
          : undefined;
      const result = await scanUsage(
        scan,
        tracker
          ? (p) => {
              engine.add(p);
              tracker.add(p);
            }
          : (p) => engine.add(p),
      );
      const report = engine.result(result, outcomes);
      if (opts.summary) {
        // Savings: the simulations (src/simulate) are not wired yet; buildKpiSummary takes them as `savings`.
        report.summary = buildKpiSummary(report, { budgets: tracker?.result(result) });
      }
      await emit(KPI_RENDERERS[opts.format](report, outputContext(opts.output)), opts.output);

      if (outcomes && outcomes.skipped > 0) {
        const shown = outcomes.problems.slice(0, SHOWN_PROBLEMS).map((p) => `  ${formatProblem(p)}`);
        const more = outcomes.skipped - shown.length;
        say(
          [
            `finops: ${outcomes.skipped} outcomes row(s) skipped:`,
            ...shown,
            ...(more > 0 ? [`  … and ${more} more`] : []),
          ].join('\n'),
          opts.quiet,
        );
      }
      if (report.problems.skipped > 0) {
        say(
          `finops: ${report.problems.skipped} usage row(s) skipped; first: ${report.problems.first}`,
          opts.quiet,
        );
      }
      for (const n of report.notes) say(`finops: ${n}`, opts.quiet);
    });
}
