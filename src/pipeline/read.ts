import { InputError } from '../core/errors.ts';
import { checkRecord, formatProblem, type ParseProblem, type UsageRecord } from '../core/record.ts';
import { HEAD_BYTES, openInput, type InputSource, type ReadHints } from '../io/input.ts';
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
  /** Records (or lines, skipped unparsed by their timestamp text) outside --from/--to; not in `records`. */
  outOfPeriod: number;
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
  /** Keep only records starting in [from, to) (ISO instants); the others are counted in `outOfPeriod`. */
  from?: string;
  to?: string;
}

/** De-duplication: `add` is false for a key seen before (a SeenSet, or a worker's task-local view of one). */
export interface Dedup {
  add(key: string): boolean;
}

/** `format` of an input that was empty (or only whitespace). */
export const EMPTY_FORMAT = '(empty)';

/** How many problems are kept for display; all are counted. */
export const MAX_KEPT_PROBLEMS = 100;

/** Empty stats, to be filled by readRecords. */
export function emptyStats(): ReadStats {
  return {
    files: [],
    records: 0,
    skipped: 0,
    duplicates: 0,
    ignored: new Map(),
    problems: [],
    outOfPeriod: 0,
  };
}

/**
 * Streams canonical records from paths (files, directories, `-`), in batches: detect → parse → validate →
 * keep the period → de-duplicate. Fills `stats` as it goes. Throws InputError for an unreadable or unrecognised
 * input, and for the first bad row under `strict`.
 */
export async function* readRecords(
  paths: readonly string[],
  opts: ReadOptions,
  stats: ReadStats,
): AsyncIterable<UsageRecord[]> {
  const files = await expandInputs(paths);
  if (files.length === 0) throw new InputError(`no input files found in ${paths.join(', ')}`);
  const { parsers, forced } = parserSet(opts);
  const seen = new SeenSet();
  for (const file of files) {
    const input = await openInput(file);
    const parser = chooseParser(input, file, parsers, forced, stats);
    if (parser) yield* readInput(input, parser, opts, stats, seen);
    // Reads are synchronous: give timers (a progress display) a turn between inputs.
    await new Promise<void>((res) => setImmediate(res));
  }
}

/** The parsers to detect from (built-in, then the config's) and the one `--input-format` forces, checked. */
export function parserSet(opts: ReadOptions): { parsers: Parser[]; forced?: Parser } {
  const parsers = [...PARSERS, ...(opts.parsers ?? [])];
  const forced = opts.format ? parsers.find((p) => p.id === opts.format) : undefined;
  if (opts.format && !forced) {
    throw new InputError(
      `--input-format ${opts.format}: unknown format (known: ${parsers.map((p) => p.id).join(', ')})`,
    );
  }
  return { parsers, forced };
}

/**
 * The parser for an opened input: the forced one, or the one its head is detected as. An empty input is listed
 * in `stats` (format EMPTY_FORMAT) and gets none; an unrecognised one is an InputError.
 */
export function chooseParser(
  input: InputSource,
  file: string,
  parsers: readonly Parser[],
  forced: Parser | undefined,
  stats: ReadStats,
): Parser | undefined {
  if (input.head.length < HEAD_BYTES && input.head.trim().length === 0) {
    // An empty file (a day without traffic, a download with nothing in it) has no rows to lose: listed, not fatal.
    // (The whole file fit in the head, so the head being blank means the file is.)
    stats.files.push({
      file: input.name,
      format: EMPTY_FORMAT,
      records: 0,
      skipped: 0,
      duplicates: 0,
      ignored: 0,
    });
    return undefined;
  }
  const parser: Parser | undefined = forced ?? detectFormat(input.head, file, parsers);
  if (!parser) {
    throw new InputError(
      `${input.name}: no known format matches its content (tried: ${parsers.map((p) => p.id).join(', ')}); see \`finops formats\``,
    );
  }
  return parser;
}

/**
 * One input through `parser`: problems and ignored rows counted (a new FileStats in `stats`), records checked,
 * kept if inside the period (lines a parser can place outside it by their timestamp text are not even parsed:
 * `input.hints`), de-duplicated through `dedup`, and yielded in batches.
 */
export async function* readInput(
  input: InputSource,
  parser: Parser,
  opts: ReadOptions,
  stats: ReadStats,
  dedup: Dedup,
): AsyncIterable<UsageRecord[]> {
  const fs: FileStats = {
    file: input.name,
    format: parser.id,
    records: 0,
    skipped: 0,
    duplicates: 0,
    ignored: 0,
  };
  stats.files.push(fs);
  const { from, to } = opts;
  const hints: ReadHints = input.hints ?? { outOfPeriod: 0 };
  if (from !== undefined) hints.from = from;
  if (to !== undefined) hints.to = to;
  input.hints = hints;
  let preSkipped = 0;
  for await (const items of parser.parse(input)) {
    const out: UsageRecord[] = [];
    for (const item of items) {
      if (item.kind === 'problem') {
        addProblem(item.problem, fs, stats, opts.strict);
        continue;
      }
      if (item.kind === 'ignored') {
        const count = item.ignored.count ?? 1;
        fs.ignored += count;
        const reason = item.ignored.reason;
        stats.ignored.set(reason, (stats.ignored.get(reason) ?? 0) + count);
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
      // The period before de-duplication: a copy outside the period does not hide one inside it.
      if ((from !== undefined && r.start < from) || (to !== undefined && r.start >= to)) {
        stats.outOfPeriod++;
        continue;
      }
      if (r.dedupKey !== undefined && !dedup.add(r.dedupKey)) {
        fs.duplicates++;
        stats.duplicates++;
        continue;
      }
      fs.records++;
      stats.records++;
      out.push(r);
    }
    if (hints.outOfPeriod !== preSkipped) {
      stats.outOfPeriod += hints.outOfPeriod - preSkipped;
      preSkipped = hints.outOfPeriod;
    }
    if (out.length > 0) yield out;
  }
  stats.outOfPeriod += hints.outOfPeriod - preSkipped; // lines skipped after the last batch that had items
}

function addProblem(p: ParseProblem, fs: FileStats, stats: ReadStats, strict: boolean | undefined): void {
  if (strict) throw new InputError(`${formatProblem(p)} (--strict)`);
  fs.skipped++;
  stats.skipped++;
  if (stats.problems.length < MAX_KEPT_PROBLEMS) stats.problems.push(p);
}
