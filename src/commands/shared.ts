import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { Option, type Command } from 'commander';
import { parseFilter } from '../analysis/report.ts';
import { checkTimezone, loadConfig, priceOverrides, type LoadedConfig } from '../config/load.ts';
import { UsageError } from '../core/errors.ts';
import { mappedCsvParsers } from '../parsers/mapped-csv.ts';
import type { Filter, ScanOptions } from '../pipeline/scan.ts';
import { loadPriceBook, type LoadPriceBookOptions, type PriceBook } from '../pricing/index.ts';
import type { RenderContext } from '../render/index.ts';
import { terminalWidth } from '../render/table.ts';

/** `--format` with the given choices; the default is `table` on a terminal and `json` when piped. */
export function formatOption(choices: readonly string[], tty = process.stdout.isTTY === true): Option {
  return new Option('-f, --format <format>', 'output format')
    .choices(choices as string[])
    .default(tty ? 'table' : 'json', 'table on a terminal, json when piped');
}

/** Colour only on a terminal and never under NO_COLOR (FORCE_COLOR=1 forces it, for tests). */
export function renderContext(toFile: boolean): RenderContext {
  const env = process.env;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return { color: true };
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { color: !toFile && !noColor && process.stdout.isTTY === true && env.TERM !== 'dumb' };
}

/** The render context of a command writing to `output` (a file, or stdout for none or -): colour, and the width. */
export function outputContext(output: string | undefined): RenderContext {
  const toFile = output !== undefined && output !== '-';
  return { ...renderContext(toFile), width: terminalWidth(toFile) };
}

/** Writes to stdout, or atomically to `file` (temp file + rename), so an interrupted run leaves no half report. */
export async function emit(text: string, file: string | undefined): Promise<void> {
  if (!file || file === '-') {
    await new Promise<void>((res, rej) => process.stdout.write(text, (e) => (e ? rej(e) : res())));
    return;
  }
  await mkdir(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Config and price book, loaded once per command. */
export async function loadContext(
  configPath: string | undefined,
): Promise<{ loaded: LoadedConfig; book: PriceBook; priceSource: LoadPriceBookOptions }> {
  const loaded = await loadConfig(configPath);
  const priceSource: LoadPriceBookOptions = {
    importedPath: loaded.config.pricing.catalog,
    overrides: priceOverrides(loaded.config),
  };
  const book = await loadPriceBook(priceSource);
  return { loaded, book, priceSource };
}

/** A message for people: to stderr, unless quiet. */
export function say(msg: string, quiet = false): void {
  if (!quiet) process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
}

/** Options every usage-reading command takes (see `addScanOptions`). */
export interface ScanCliOpts {
  from?: string;
  to?: string;
  tz: string;
  filter: Filter[];
  config?: string;
  strict?: boolean;
  inputFormat?: string;
  quiet?: boolean;
  jobs?: number;
}

/** Adds the shared input options: period, zone, filters, config, strictness, forced format, quiet, jobs. */
export function addScanOptions(cmd: Command): Command {
  return cmd
    .option('--from <date>', 'first day to include (YYYY-MM-DD or YYYY-MM, in --tz; or an ISO timestamp)')
    .option('--to <date>', 'last day to include (inclusive for a date or month; exclusive for a timestamp)')
    .option('--tz <zone>', 'IANA time zone for day/week/month boundaries', 'UTC')
    .option(
      '--filter <key=glob>',
      'keep only matching usage (repeatable; same key = any, different keys = all); e.g. team=support, model=gpt-4o*, tags.env=prod',
      (v: string, prev: Filter[]) => [...prev, parseFilter(v)],
      [] as Filter[],
    )
    .option('-c, --config <file>', 'config file (default: ./finops.yaml if present)')
    .option('--strict', 'stop with exit 2 at the first bad row instead of skipping it')
    .addOption(
      new Option(
        '--input-format <id>',
        'skip detection and read every input as this format (see `finops formats`)',
      ),
    )
    .option('-q, --quiet', 'no warnings or summaries on stderr')
    .option(
      '-j, --jobs <n>',
      `threads to read with (default: the number of cores, ${availableParallelism()} here); results are the same for any n`,
      parseJobs,
    );
}

/** Parses `--jobs`: a whole number from 1 to 256. */
export function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new UsageError(`--jobs: expected a whole number from 1 to 256, got "${v}"`);
  return n;
}

/**
 * Turns the shared options into ScanOptions: loads config and prices, applies precedence (flag > finops.yaml >
 * default) for the time zone, and refuses a run without inputs.
 */
export async function scanOptionsFrom(
  name: string,
  paths: string[],
  opts: ScanCliOpts,
  cmd: Command,
): Promise<{ scan: ScanOptions; loaded: LoadedConfig; book: PriceBook }> {
  if (paths.length === 0) throw new UsageError(`${name}: give files or directories to read (or - for stdin)`);
  const { loaded, book, priceSource } = await loadContext(opts.config);
  const tz = cmd.getOptionValueSource('tz') === 'cli' ? opts.tz : (loaded.config.timezone ?? opts.tz);
  checkTimezone(tz, '--tz');
  const scan: ScanOptions = {
    paths,
    tz,
    from: opts.from,
    to: opts.to,
    filters: opts.filter,
    strict: opts.strict,
    format: opts.inputFormat,
    parsers: mappedCsvParsers(loaded.config.csv_formats),
    config: loaded.config,
    book,
    priceSource,
  };
  if (opts.jobs !== undefined) scan.jobs = opts.jobs;
  return { scan, loaded, book };
}
