import { Command } from 'commander';
import { TaskTracker } from '../analysis/tasks.ts';
import { scanUsage } from '../pipeline/scan.ts';
import { TASKS_RENDERERS } from '../render/index.ts';
import { parsePositiveInt } from './report.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  outputContext,
  say,
  scanOptionsFrom,
  type ScanCliOpts,
} from './shared.ts';

interface TasksOpts extends ScanCliOpts {
  top: number;
  all?: boolean;
  format: keyof typeof TASKS_RENDERERS;
  output?: string;
}

/** `finops tasks`: what does an agent task cost, and which ones ran away? */
export function tasksCommand(): Command {
  const cmd = new Command('tasks')
    .description(
      'agent tasks (calls sharing a task or trace id): steps, tokens, cost, duration; p50/p90/p99 per workflow; runaways',
    )
    .argument('[paths...]', 'request logs and traces (- for stdin)')
    .option('--top <n>', 'list the N costliest tasks', parsePositiveInt, 10)
    .option('--all', 'list every task (JSON/CSV exports)')
    .addOption(formatOption(Object.keys(TASKS_RENDERERS)))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(cmd)
    .addHelpText(
      'after',
      `
A task is a runaway when it passes a ceiling in finops.yaml (tasks.ceilings: max_steps, max_cost_usd,
max_tokens, per workflow glob) or, among at least 5 tasks of its workflow, costs (or takes steps) at least
tasks.runaway_factor × the workflow median (default 5×) and is a robust outlier (modified z-score > 3.5).

Examples:
  $ finops tasks ./logs --filter workflow=account-research
  $ finops tasks ./logs --all --format csv > tasks.csv`,
    )
    .action(async (paths: string[], opts: TasksOpts, command: Command) => {
      const { scan, loaded } = await scanOptionsFrom('tasks', paths, opts, command);
      const tracker = new TaskTracker();
      const report = tracker.result(await scanUsage(scan, (p) => tracker.add(p)), {
        ceilings: loaded.config.tasks.ceilings,
        factor: loaded.config.tasks.runaway_factor,
        top: opts.all ? undefined : opts.top,
      });
      await emit(TASKS_RENDERERS[opts.format](report, outputContext(opts.output)), opts.output);
      if (report.runaways.length > 0) say(`finops: ${report.runaways.length} runaway task(s)`, opts.quiet);
    });
}
