import { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { mappedCsvParsers } from '../parsers/mapped-csv.ts';
import { PARSERS } from '../parsers/registry.ts';
import { renderJson } from '../render/index.ts';
import { SCHEMA_VERSION } from '../analysis/report.ts';
import { emit, formatOption } from './shared.ts';

/** `finops formats`: what finops reads and how it recognises each format. */
export function formatsCommand(): Command {
  return new Command('formats')
    .description('list the input formats finops reads and how each is detected')
    .addOption(formatOption(['table', 'json']))
    .option(
      '-c, --config <file>',
      'also list the csv_formats of this config (default: ./finops.yaml if present)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ finops formats                                   every format, how it is detected, where to get it
  $ finops formats --format json | jq -r '.formats[].id'
  $ finops formats --config finops.yaml              also the csv_formats you mapped yourself`,
    )
    .action(async (opts: { format: string; config?: string }) => {
      const { config } = await loadConfig(opts.config);
      const all = [...PARSERS, ...mappedCsvParsers(config.csv_formats)];
      if (opts.format === 'json') {
        const formats = all.map((p) => ({
          id: p.id,
          title: p.title,
          detection: p.detection,
          origin: p.origin,
        }));
        await emit(renderJson({ schemaVersion: SCHEMA_VERSION, command: 'formats', formats }), undefined);
        return;
      }
      const lines = ['Formats are detected from content (the first 64 KiB), not from file names.', ''];
      for (const p of all) {
        lines.push(
          `${p.id}`,
          `  ${p.title}`,
          `  detected by: ${p.detection}`,
          `  where to get it: ${p.origin}`,
          '',
        );
      }
      lines.push(
        'Force a format with `finops report --input-format <id>`. Directories are walked for *.json, *.jsonl, *.ndjson, *.csv (and .gz).',
      );
      await emit(lines.join('\n') + '\n', undefined);
    });
}
