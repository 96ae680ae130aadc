import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import Table from 'cli-table3';
import { SCHEMA_VERSION } from '../analysis/report.ts';
import { ConfigError, UsageError } from '../core/errors.ts';
import {
  defaultImportedCatalogPath,
  importLiteLLM,
  writeImportedCatalog,
  type PriceBook,
} from '../pricing/index.ts';
import type { PriceEntry } from '../pricing/types.ts';
import { renderJson } from '../render/index.ts';
import { fmtInt } from '../render/format.ts';
import { emit, formatOption, loadContext, say } from './shared.ts';

/** `finops pricing list|show|import`. */
export function pricingCommand(): Command {
  const cmd = new Command('pricing')
    .description('inspect and refresh the price catalog (USD per 1M tokens)')
    .addHelpText(
      'after',
      `
Examples:
  $ finops pricing list --provider anthropic            prices in force today
  $ finops pricing show gpt-4o-mini-2024-07-18          a dated snapshot resolved, with its price history
  $ finops pricing import model_prices_and_context_window.json`,
    );
  cmd
    .command('list')
    .description('list the models with a price in force on a date (default: today)')
    .option('--provider <id>', 'only this provider')
    .option('--at <date>', 'prices in force on this day (YYYY-MM-DD)')
    .addOption(formatOption(['table', 'json', 'csv']))
    .option('-c, --config <file>', 'config file (default: ./finops.yaml if present)')
    .addHelpText(
      'after',
      `
Examples:
  $ finops pricing list                                   every model priced today
  $ finops pricing list --provider openai --at 2025-06-01 what OpenAI charged on that day
  $ finops pricing list --format csv > prices.csv`,
    )
    .action(async (opts: { provider?: string; at?: string; format: string; config?: string }) => {
      const { book } = await loadContext(opts.config);
      const at = atInstant(opts.at);
      const ids = [...new Set(book.entries().map((e) => e.id))].sort();
      const rows = ids
        .map((id) => book.lookup(id, at))
        .filter((e): e is PriceEntry => e !== undefined && (!opts.provider || e.provider === opts.provider));
      await emit(renderEntries(rows, opts.format, book, at), undefined);
    });
  cmd
    .command('show')
    .description("a model's prices over time, and which one is in force")
    .argument('<model>', 'model id, alias or dated snapshot (e.g. gpt-4o-mini-2024-07-18)')
    .option('--at <date>', 'the day to evaluate (YYYY-MM-DD, default today)')
    .addOption(formatOption(['table', 'json']))
    .option('-c, --config <file>', 'config file (default: ./finops.yaml if present)')
    .addHelpText(
      'after',
      `
Examples:
  $ finops pricing show claude-sonnet-4-5
  $ finops pricing show o3-2025-04-16 --at 2025-06-01    the price in force on that day
  $ finops pricing show gpt-4o --format json | jq .inForce`,
    )
    .action(async (model: string, opts: { at?: string; format: string; config?: string }) => {
      const { book } = await loadContext(opts.config);
      const id = book.resolve(model);
      if (!id)
        throw new UsageError(
          `${model}: no price in the catalog (see \`finops pricing list\`); add one under pricing.overrides in finops.yaml`,
        );
      const at = atInstant(opts.at);
      const history = book
        .entries()
        .filter((e) => e.id === id)
        .sort((a, b) => a.layer.localeCompare(b.layer) || a.effectiveFrom.localeCompare(b.effectiveFrom));
      const inForce = book.lookup(id, at);
      if (opts.format === 'json') {
        await emit(
          renderJson({
            schemaVersion: SCHEMA_VERSION,
            command: 'pricing show',
            model: id,
            at,
            inForce: inForce ?? null,
            history,
          }),
          undefined,
        );
        return;
      }
      const lines = [`${id}${id !== model ? ` (resolved from ${model})` : ''}`];
      lines.push(
        inForce
          ? `in force on ${at.slice(0, 10)}: ${inForce.layer}, from ${inForce.effectiveFrom}`
          : `no price in force on ${at.slice(0, 10)}`,
      );
      lines.push(renderEntries(history, 'table', book, at, true));
      await emit(lines.join('\n'), undefined);
    });
  cmd
    .command('import')
    .description(
      "import a price list in LiteLLM's model_prices_and_context_window.json layout; it then wins over the bundled catalog",
    )
    .argument('<file>', 'the JSON price list')
    .option(
      '--into <file>',
      'where to store the imported catalog (default: $FINOPS_PRICES, $FINOPS_HOME/prices.json or ~/.local/share/finops/prices.json)',
    )
    .option(
      '--effective-from <date>',
      'first day the imported prices apply (default: all dates, since the list carries none)',
    )
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Examples:
  $ finops pricing import model_prices_and_context_window.json
  $ finops pricing import prices.json --effective-from 2026-11-01 --into ./prices.json
  $ FINOPS_PRICES=./prices.json finops report ./exports   use that catalog for one run`,
    )
    .action(async (file: string, opts: { into?: string; effectiveFrom?: string; format: string }) => {
      if (opts.effectiveFrom && !/^\d{4}-\d{2}-\d{2}$/.test(opts.effectiveFrom)) {
        throw new UsageError(`--effective-from ${opts.effectiveFrom}: expected YYYY-MM-DD`);
      }
      let json: unknown;
      try {
        // A price list is a few MB of configuration-like data, not usage input: read whole.
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch (e) {
        throw new ConfigError(`${file}: cannot read a JSON price list (${(e as Error).message})`);
      }
      const { entries, skipped } = importLiteLLM(json, { effectiveFrom: opts.effectiveFrom, source: file });
      if (entries.length === 0)
        throw new ConfigError(`${file}: no usable token prices found (is it LiteLLM's layout?)`);
      const into = opts.into ?? defaultImportedCatalogPath();
      await writeImportedCatalog(into, entries, {
        source: file,
        importedAt: new Date().toISOString(),
        effectiveFrom: opts.effectiveFrom ?? null,
      });
      const summary = {
        schemaVersion: SCHEMA_VERSION,
        command: 'pricing import',
        file,
        into,
        imported: entries.length,
        skipped: skipped.length,
      };
      if (opts.format === 'json') await emit(renderJson(summary), undefined);
      else {
        const reasons = new Map<string, number>();
        for (const s of skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
        const why = [...reasons]
          .sort((a, b) => b[1] - a[1])
          .map(([r, n]) => `${fmtInt(n)} ${r}`)
          .join('; ');
        await emit(
          `Imported ${fmtInt(entries.length)} model prices into ${into}\nSkipped ${fmtInt(skipped.length)} entries${why ? `: ${why}` : ''}\n`,
          undefined,
        );
      }
      say(
        `finops: imported prices now win over the bundled catalog${opts.effectiveFrom ? ` from ${opts.effectiveFrom}` : ' for all dates'}`,
      );
    });
  return cmd;
}

function atInstant(at: string | undefined): string {
  if (!at) return new Date().toISOString();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(at) || Number.isNaN(Date.parse(at)))
    throw new UsageError(`--at ${at}: expected YYYY-MM-DD`);
  return `${at}T00:00:00.000Z`;
}

const PRICE_COLUMNS = ['input', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'output'] as const;

function renderEntries(
  rows: PriceEntry[],
  format: string,
  book: PriceBook,
  at: string,
  withFrom = false,
): string {
  if (format === 'json') {
    return renderJson({
      schemaVersion: SCHEMA_VERSION,
      command: 'pricing list',
      at,
      pricing: book.describe(),
      models: rows,
    });
  }
  const num = (n: number | undefined) => (n === undefined ? '' : String(n));
  if (format === 'csv') {
    const head = [
      'model',
      'provider',
      'mode',
      ...PRICE_COLUMNS,
      'batch_input',
      'batch_output',
      'long_context_above',
      'effective_from',
      'layer',
      'source',
    ];
    const lines = [head.join(',')];
    for (const e of rows) {
      lines.push(
        [
          e.id,
          e.provider,
          e.mode,
          ...PRICE_COLUMNS.map((k) => num(e.prices[k])),
          num(e.batch?.input ?? e.prices.input / 2),
          num(e.batch?.output ?? e.prices.output / 2),
          num(e.tiers?.[0]?.aboveInputTokens),
          e.effectiveFrom,
          e.layer,
          JSON.stringify(e.source),
        ].join(','),
      );
    }
    return lines.join('\n') + '\n';
  }
  const t = new Table({
    head: [
      'Model',
      'Provider',
      'Input',
      'Cache read',
      'Cache write 5m',
      'Cache write 1h',
      'Output',
      'Long context',
      ...(withFrom ? ['From', 'Layer'] : []),
    ],
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  for (const e of rows) {
    const tier = e.tiers?.[0];
    t.push([
      e.id,
      e.provider,
      ...PRICE_COLUMNS.map((k) => (e.prices[k] === undefined ? '–' : `$${e.prices[k]}`)),
      tier ? `>${fmtInt(tier.aboveInputTokens)}: $${tier.prices.input} / $${tier.prices.output}` : '',
      ...(withFrom ? [e.effectiveFrom, e.layer] : []),
    ]);
  }
  return `${t.toString()}\nUSD per 1M tokens · ${book.describe().source}\n`;
}
