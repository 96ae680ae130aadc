import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { UsageError } from '../core/errors.ts';
import { STARTER_CONFIG } from '../config/starter.ts';
import { emit, say } from './shared.ts';

/** `finops init`: write a commented starter finops.yaml. */
export function initCommand(): Command {
  return new Command('init')
    .description('write a commented starter finops.yaml')
    .option('-o, --output <file>', 'where to write it (- for stdout)', 'finops.yaml')
    .option('--force', 'overwrite an existing file')
    .addHelpText(
      'after',
      `
Examples:
  $ finops init                       write ./finops.yaml (attribution, budgets, pricing overrides, commented)
  $ finops init -o - | less           read it first
  $ finops init -o team.yaml --force  overwrite an existing file`,
    )
    .action(async (opts: { output: string; force?: boolean }) => {
      if (opts.output !== '-' && existsSync(opts.output) && !opts.force) {
        throw new UsageError(`${opts.output} already exists (use --force to overwrite)`);
      }
      await emit(STARTER_CONFIG, opts.output);
      if (opts.output !== '-') say(`finops: wrote ${opts.output}`);
    });
}
