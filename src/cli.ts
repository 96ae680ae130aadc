import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.ts';
import { budgetCommand } from './commands/budget.ts';
import { exportCommand } from './commands/export.ts';
import { forecastCommand } from './commands/forecast.ts';
import { formatsCommand } from './commands/formats.ts';
import { initCommand } from './commands/init.ts';
import { kpiCommand } from './commands/kpi.ts';
import { pricingCommand } from './commands/pricing.ts';
import { reconcileCommand } from './commands/reconcile.ts';
import { reportCommand } from './commands/report.ts';
import { simulateCommand } from './commands/simulate.ts';
import { tasksCommand } from './commands/tasks.ts';
import { FinopsError } from './core/errors.ts';
import { VERSION } from './core/version.ts';

/** Errors as `finops: message`, like every other message finops prints. */
const OUTPUT = {
  outputError: (s: string, write: (s: string) => void) => write(`finops: ${s.replace(/^error: /, '')}`),
};

/** The commander program: wires commands; all exits are decided in `main`. */
export function createProgram(): Command {
  // exitOverride first: subcommands copy it when created, so their usage errors reach `main` (exit 2, not 1).
  const program = new Command('finops')
    .exitOverride()
    .description('AI FinOps: price, attribute and explain LLM spend from usage exports and request logs')
    .version(VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .configureOutput(OUTPUT)
    .addHelpText(
      'after',
      `
Examples:
  $ finops report ./exports --by team,app          monthly spend by team and app
  $ finops report usage.json --by day --format csv  daily spend for a spreadsheet
  $ finops pricing show claude-sonnet-4-5           a model's prices and their dates
  $ finops formats                                  what finops can read

Exit codes: 0 fine · 1 findings (audit, budget stop) · 2 bad usage, config or input`,
    );
  program.addCommand(reportCommand());
  program.addCommand(reconcileCommand());
  program.addCommand(budgetCommand());
  program.addCommand(auditCommand());
  program.addCommand(forecastCommand());
  program.addCommand(tasksCommand());
  program.addCommand(simulateCommand());
  program.addCommand(kpiCommand());
  program.addCommand(exportCommand());
  program.addCommand(pricingCommand());
  program.addCommand(formatsCommand());
  program.addCommand(initCommand());
  // Commands built with `new Command()` do not inherit settings: give each the same error handling.
  const configure = (c: Command) => c.exitOverride().showSuggestionAfterError(true).configureOutput(OUTPUT);
  for (const c of program.commands) {
    configure(c);
    c.commands.forEach(configure);
  }
  return program;
}

/** Runs the CLI and returns the exit code (0 fine, 1 findings, 2 errors). Never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end with code 0; every usage error is 2 (1 is reserved for findings).
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
        ? 0
        : 2;
    }
    if (e instanceof FinopsError) {
      process.stderr.write(`finops: ${e.message}\n`);
      return e.exitCode;
    }
    throw e; // a bug: `run` prints the stack and exits 2
  }
}

/** Entry point for bin/finops.js: runs with process.argv and sets the exit code. */
export async function run(): Promise<void> {
  try {
    process.exitCode = await main(process.argv);
  } catch (e) {
    process.stderr.write(
      `finops: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 2;
  }
}

// `tsx src/cli.ts …` in development.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
