import { InputError } from '../core/errors.ts';
import { checkRecord, formatProblem, type ParseProblem, type UsageRecord } from '../core/record.ts';
import { HEAD_BYTES, openInput } from '../io/input.ts';
import { detectFormat, PARSERS } from '../parsers/registry.ts';
import type { Parser } from '../parsers/types.ts';
import { expandInputs } from './inputs.ts';
import { SeenSet } from './seen-set.ts';

/** What was read, per file and in all: the row accounting every report prints. */
export interface ReadStats {
  files: FileStats[];
  /** Records accepted (after de-duplication). */
  records: number;
  /** Rows reported as problems and skipped. */
  skipped: number;
  /** Records dropped because their dedupKey was already seen (overlapping exports, a file given twice). */
  duplicates: number;
  /** Rows that are not AI usage by design (e.g. FOCUS rows of other cloud services), by reason. */
  ignored: Map<string, number>;
  /** The first problems (at most MAX_KEPT_PROBLEMS), in reading order. */
  problems: ParseProblem[];
}

export interface FileStats {
  file: string;
  format: string;
  records: number;
  skipped: number;
  duplicates: number;
  ignored: number;
}

export interface ReadOptions {
  /** Turn the first bad row into an error (exit 2). */
  strict?: boolean;
  /** Force a parser instead of detecting one. */
  format?: string;
  /** More parsers (from the config), tried after the built-in ones. */
  parsers?: readonly Parser[];
}

/** `format` of an input that was empty (or only whitespace). */
export const EMPTY_FORMAT = '(empty)';

/** How many problems are kept for display; all are counted. */
export const MAX_KEPT_PROBLEMS = 100;

/** Empty stats, to be filled by readRecords. */
export function emptyStats(): ReadStats {
  return { files: [], records: 0, skipped: 0, duplicates: 0, ignored: new Map(), problems: [] };
}

/**
 * Streams canonical records from paths (files, directories, `-`), in batches: detect → parse → validate →
 * de-duplicate. Fills `stats` as it goes. Throws InputError for an unreadable or unrecognised input, and
 * for the first bad row under `strict`.
 */
export async function* readRecords(
  paths: readonly string[],
  opts: ReadOptions,
  stats: ReadStats,
): AsyncIterable<UsageRecord[]> {
  const files = await expandInputs(paths);
  if (files.length === 0) throw new InputError(`no input files found in ${paths.join(', ')}`);
  const parsers = [...PARSERS, ...(opts.parsers ?? [])];
  const forced = opts.format ? parsers.find((p) => p.id === opts.format) : undefined;
  if (opts.format && !forced) {
    throw new InputError(
      `--input-format ${opts.format}: unknown format (known: ${parsers.map((p) => p.id).join(', ')})`,
    );
  }
  const seen = new SeenSet();
  for (const file of files) {
    const input = await openInput(file);
    if (input.head.length < HEAD_BYTES && input.head.trim().length === 0) {
      // An empty file (a day without traffic, a download with nothing in it) has no rows to lose: listed, not fatal.
      // (The whole file fit in the head, so the head being blank means the file is.)
      stats.files.push({ file: input.name, format: EMPTY_FORMAT, records: 0, skipped: 0, duplicates: 0, ignored: 0 });
      continue;
    }
    const parser: Parser | undefined = forced ?? detectFormat(input.head, file, parsers);
    if (!parser) {
      throw new InputError(
        `${input.name}: no known format matches its content (tried: ${parsers.map((p) => p.id).join(', ')}); see \`finops formats\``,
      );
    }
    const fs: FileStats = {
      file: input.name,
      format: parser.id,
      records: 0,
      skipped: 0,
      duplicates: 0,
      ignored: 0,
    };
    stats.files.push(fs);
    for await (const items of parser.parse(input)) {
      const out: UsageRecord[] = [];
      for (const item of items) {
        if (item.kind === 'problem') {
          addProblem(item.problem, fs, stats, opts.strict);
          continue;
        }
        if (item.kind === 'ignored') {
          fs.ignored++;
          const reason = item.ignored.reason;
          stats.ignored.set(reason, (stats.ignored.get(reason) ?? 0) + 1);
          continue;
        }
        const r = item.record;
        const bad = checkRecord(r);
        if (bad !== undefined) {
          addProblem(
            { file: r.source.file, line: r.source.line, reason: `invalid record: ${bad}` },
            fs,
            stats,
            opts.strict,
          );
          continue;
        }
        if (r.dedupKey !== undefined && !seen.add(r.dedupKey)) {
          fs.duplicates++;
          stats.duplicates++;
          continue;
        }
        fs.records++;
        stats.records++;
        out.push(r);
      }
      if (out.length > 0) yield out;
    }
  }
}

function addProblem(p: ParseProblem, fs: FileStats, stats: ReadStats, strict: boolean | undefined): void {
  if (strict) throw new InputError(`${formatProblem(p)} (--strict)`);
  fs.skipped++;
  stats.skipped++;
  if (stats.problems.length < MAX_KEPT_PROBLEMS) stats.problems.push(p);
}
