import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { Option } from 'commander';
import { loadConfig } from '../config/load.ts';
import { loadPriceBook, type PriceBook } from '../pricing/index.ts';
import { priceOverrides } from '../config/load.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { RenderContext } from '../render/index.ts';

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
): Promise<{ loaded: LoadedConfig; book: PriceBook }> {
  const loaded = await loadConfig(configPath);
  const book = await loadPriceBook({
    importedPath: loaded.config.pricing.catalog,
    overrides: priceOverrides(loaded.config),
  });
  return { loaded, book };
}

/** A message for people: to stderr, unless quiet. */
export function say(msg: string, quiet = false): void {
  if (!quiet) process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
}
