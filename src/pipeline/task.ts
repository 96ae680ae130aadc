import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createAttributor } from '../attribution/rules.ts';
import type { GroupDim } from '../analysis/aggregate.ts';
import type { Config } from '../config/schema.ts';
import { ConfigError, InputError, UsageError } from '../core/errors.ts';
import type { ParseProblem, UsageRecord } from '../core/record.ts';
import { ZonedCalendar } from '../core/time.ts';
import { csvHeader } from '../parsers/csv-rows.ts';
import { HEAD_BYTES, openInput, openInputRange, type InputSource } from '../io/input.ts';
import { detectFormat } from '../parsers/registry.ts';
import type { Parser } from '../parsers/types.ts';
import type { PriceBook } from '../pricing/index.ts';
import { Combiner, type CombinedPart } from './combine.ts';
import { Enricher, type EnrichStats } from './enrich.ts';
import { chooseParser, emptyStats, readInput, type Dedup, type ReadStats } from './read.ts';
import { compileFilters, type Filter } from './filters.ts';
import { KeyedCollector, type KeyedPart } from './keyed.ts';
import { keyHashes, SeenSet } from './seen-set.ts';

/**
 * One unit of scan work: a whole input, or — for a big plain file in a line-independent format — the lines that
 * start in one byte range of it. Plain data (crosses the worker boundary).
 */
export interface Task {
  /** Position in the scan's canonical order (inputs in order, a file's chunks in order). */
  slot: number;
  file: string;
  /** Index of the input in the scan's file list (chunks of one file share it). */
  fileIndex: number;
  /** Set for a chunk: the byte range, the parser chosen from the file's head, and its place in the file. */
  range?: { start: number; end: number };
  format?: string;
  /** Streamed before the range (a CSV header line, with its line ending); its lines are not the chunk's. */
  prefix?: Uint8Array;
  prefixLines?: number;
  chunk?: number;
  chunks?: number;
  /** CSV: a chunk whose reader left the fast path may have read a record cut by the split (see runTask). */
  csv?: boolean;
  /** Bytes, for scheduling (largest first). */
  size: number;
  /** Positions (among the task's de-duplication keys) of records an earlier task already had: dropped. */
  drop?: number[];
}

/** What a task hands back: its row accounting, sums, covered bill keys and de-duplication keys. */
export interface TaskOutcome {
  slot: number;
  /** Stats of this task alone; problem lines are local to a chunk (see `newlines`, `prefixLines`). */
  stats: ReadStats;
  enrich: EnrichStats;
  part: CombinedPart;
  /** provider \0 model \0 UTC day of usage records (the bill join). */
  covered: string[];
  /** Two 32-bit hashes per de-duplication key, in reading order (parallel scans only). */
  keys?: Uint32Array;
  /**
   * Parallel scans, small tasks: the records with a key (one per key, in key order), summed apart from `part` and
   * `covered`; the scan takes out those whose key an earlier task had (keyed.ts).
   */
  keyed?: KeyedPart;
  /** Newlines read (a chunk: to number the next chunk's lines). */
  newlines: number;
  /** A CSV chunk left its fast path (see parseCsvRows). */
  irregular: boolean;
  /** Under --strict: reading stopped at the first problem, `stats.problems[0]`. */
  stopped: boolean;
  /** The task failed (unreadable or unrecognised input, or a bug): rethrown in canonical order. */
  error?: { name: string; message: string; stack?: string };
}

/**
 * Most records with a key a task holds apart (memory: ~150 bytes each). A task with more adds them at once
 * instead, and is run again in the rare case that some were copies.
 */
export const MAX_DEFERRED = 20_000;
/** Tasks bigger than this (and chunks of a file) add keyed records at once: they seldom hold copies of others. */
export const MAX_DEFERRED_BYTES = 16 * 1024 * 1024;

/** What every task of one scan shares, as plain data (so a worker can rebuild its TaskContext). */
export interface TaskSettings {
  tz: string;
  from?: string;
  to?: string;
  filters: Filter[];
  strict: boolean;
  config: Config;
  combine: readonly GroupDim[];
}

/** A thread's means to run tasks: parsers, prices, enricher (whose token cache lives as long as the thread). */
export interface TaskContext {
  settings: TaskSettings;
  parsers: readonly Parser[];
  forced?: Parser;
  calendar: ZonedCalendar;
  enricher: Enricher;
  keep: (r: UsageRecord) => boolean;
}

/** Builds a thread's TaskContext. */
export function taskContext(
  settings: TaskSettings,
  book: PriceBook,
  parsers: readonly Parser[],
  forced: Parser | undefined,
): TaskContext {
  const calendar = new ZonedCalendar(settings.tz);
  const attribution = settings.config.attribution;
  const ctx: TaskContext = {
    settings,
    parsers,
    calendar,
    enricher: new Enricher(book, createAttributor(attribution.rules, attribution.default)),
    keep: compileFilters(settings.filters, calendar),
  };
  if (forced) ctx.forced = forced;
  return ctx;
}

/** Formats whose records are each one line (or CSV row), independent of the others: a byte range can be read alone. */
const SPLIT_LINES: ReadonlySet<string> = new Set(['request-log']);
const SPLIT_CSV: ReadonlySet<string> = new Set(['aws-cur', 'focus', 'azure-cost', 'anthropic-console-csv']);

/**
 * Tasks for the inputs, in canonical order: one per input, except that a plain file of at least two chunks in a
 * line-independent format is cut into chunks of about `chunkBytes` (at line starts). A CSV chunk after the first
 * gets the header line as a prefix.
 */
export async function planTasks(
  files: readonly string[],
  parsers: readonly Parser[],
  forced: Parser | undefined,
  chunkBytes: number,
): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex]!;
    const whole: Task = { slot: tasks.length, file, fileIndex, size: 0 };
    if (file === '-') {
      tasks.push(whole);
      continue;
    }
    let size = 0;
    try {
      const st = statSync(file); // sync: thousands of small files would each wait on the thread pool
      if (st.isFile()) size = st.size;
    } catch {
      // unreadable: the task reports it when it opens the file
    }
    whole.size = size;
    const plan = size >= 2 * chunkBytes ? await splitPlan(file, parsers, forced) : undefined;
    if (!plan) {
      tasks.push(whole);
      continue;
    }
    const n = Math.ceil(size / chunkBytes);
    for (let k = 0; k < n; k++) {
      const t: Task = {
        slot: tasks.length,
        file,
        fileIndex,
        range: {
          start: Math.floor((k * size) / n),
          end: k === n - 1 ? size : Math.floor(((k + 1) * size) / n),
        },
        format: plan.format,
        chunk: k,
        chunks: n,
        size: Math.ceil(size / n),
      };
      if (plan.csv) {
        t.csv = true;
        if (k > 0) {
          t.prefix = plan.header;
          t.prefixLines = 1;
        }
      }
      tasks.push(t);
    }
  }
  return tasks;
}

/** How to split a file, from its head: undefined when it must be read whole (gzip, other formats, odd CSV). */
async function splitPlan(
  file: string,
  parsers: readonly Parser[],
  forced: Parser | undefined,
): Promise<{ format: string; csv: boolean; header?: Uint8Array } | undefined> {
  let head: Buffer;
  try {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined; // the task will report the error when it opens the file
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return undefined; // gzip
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) return undefined; // UTF-16 or binary: let openInput say so
  const parser = forced ?? detectFormat(text, file, parsers);
  if (!parser) return undefined;
  if (SPLIT_LINES.has(parser.id)) return { format: parser.id, csv: false };
  const csvOk =
    SPLIT_CSV.has(parser.id) ||
    // The usage download is one record per row; the cost download carries state across rows.
    (parser.id === 'openai-console-csv' &&
      ['num_model_requests', 'input_tokens'].every((c) => csvHeader(text).includes(c)));
  if (!csvOk) return undefined;
  const nl = head.indexOf(10);
  if (nl === -1) return undefined;
  const line = head.subarray(0, nl + 1);
  if (line.includes(0x22)) return undefined; // a quoted header: read whole
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  return { format: parser.id, csv: true, header: new Uint8Array(line.subarray(bom)) };
}

/** Task-local de-duplication for parallel scans: first copy within the task, keys recorded for the global pass. */
class TaskDedup implements Dedup {
  private readonly local = new SeenSet(1 << 10);
  private readonly h = new Uint32Array(2);
  private keys = new Uint32Array(1024);
  private n = 0;
  private ord = 0;
  private readonly drop: ReadonlySet<number> | undefined;

  constructor(drop: readonly number[] | undefined) {
    this.drop = drop && drop.length > 0 ? new Set(drop) : undefined;
  }

  add(key: string): boolean {
    keyHashes(key, this.h);
    const a = this.h[0]!;
    const b = this.h[1]!;
    if (!this.local.addHash(a, b)) return false;
    if (this.n + 2 > this.keys.length) {
      const k = new Uint32Array(this.keys.length * 2);
      k.set(this.keys);
      this.keys = k;
    }
    this.keys[this.n++] = a;
    this.keys[this.n++] = b;
    const pos = this.ord++;
    return this.drop === undefined || !this.drop.has(pos);
  }

  /** The keys, two hashes each, in order. */
  result(): Uint32Array {
    return this.keys.slice(0, this.n);
  }
}

/**
 * Runs one task: open (a range, or the whole input), choose the parser, read (readInput: problems, period,
 * de-duplication), enrich, note covered usage for the bill join, filter, and combine. `seen` is the scan's
 * global set when tasks run one after another in order (no keys needed); otherwise de-duplication is task-local
 * and the keys go back to the scan, which finds copies across tasks (see parallel.ts).
 */
export async function runTask(task: Task, ctx: TaskContext, seen?: SeenSet): Promise<TaskOutcome> {
  const stats = emptyStats();
  const before = { ...ctx.enricher.stats };
  const combiner = new Combiner(ctx.settings.combine, ctx.calendar);
  const covered = new Set<string>();
  const dedup = seen ?? new TaskDedup(task.drop);
  const outcome: TaskOutcome = {
    slot: task.slot,
    stats,
    enrich: { tokenizedRecords: 0, tokenizedTokens: 0 },
    part: { buckets: [], entries: [] },
    covered: [],
    newlines: 0,
    irregular: false,
    stopped: false,
  };
  let counter: { newlines: number } | undefined;
  try {
    let input: InputSource;
    let parser: Parser | undefined;
    if (task.range) {
      const prefix = task.prefix
        ? Buffer.from(task.prefix.buffer, task.prefix.byteOffset, task.prefix.byteLength)
        : undefined;
      counter = { newlines: 0 };
      input = openInputRange(task.file, task.range, prefix, counter);
      parser = [...ctx.parsers].find((p) => p.id === task.format);
      if (!parser) throw new InputError(`${task.file}: unknown format ${task.format}`);
    } else {
      input = await openInput(task.file);
      parser = chooseParser(input, task.file, ctx.parsers, ctx.forced, stats);
    }
    if (parser) {
      input.hints = { outOfPeriod: 0 };
      const s = ctx.settings;
      const readOpts = { strict: false, from: s.from, to: s.to };
      const recent = new RecentCovers();
      // Worker-side de-duplication of a first run: keyed records are held apart while they are few (see above).
      let keyed =
        seen || task.drop || task.range || task.size > MAX_DEFERRED_BYTES
          ? undefined
          : new KeyedCollector(s.combine, ctx.calendar);
      for await (const batch of readInput(input, parser, readOpts, stats, dedup)) {
        for (const p of await ctx.enricher.enrich(batch)) {
          const r = p.record;
          if (keyed !== undefined && r.dedupKey !== undefined) {
            const t = r.tokens;
            keyed.add(
              p,
              ctx.keep(r),
              !r.fromBill && (r.requests > 0 || t.input + t.cacheRead + t.cacheWrite + t.output > 0),
              r.estimated === true ? t.input + t.output : -1,
            );
            if (keyed.size > MAX_DEFERRED) {
              keyed.drainInto(combiner, covered);
              keyed = undefined;
            }
            continue;
          }
          if (!r.fromBill) {
            const t = r.tokens;
            if (r.requests > 0 || t.input + t.cacheRead + t.cacheWrite + t.output > 0)
              recent.cover(r, covered);
          }
          if (ctx.keep(r)) combiner.add(p);
        }
        if (s.strict && stats.skipped > 0) {
          outcome.stopped = true;
          break;
        }
      }
      if (s.strict && stats.skipped > 0) outcome.stopped = true;
      outcome.irregular = input.hints.irregular === true;
      if (keyed !== undefined) outcome.keyed = keyed.result();
    }
  } catch (e) {
    outcome.error = errorData(e);
  }
  const after = ctx.enricher.stats;
  outcome.enrich = {
    tokenizedRecords: after.tokenizedRecords - before.tokenizedRecords,
    tokenizedTokens: after.tokenizedTokens - before.tokenizedTokens,
  };
  outcome.part = combiner.part();
  outcome.covered = [...covered];
  if (!seen) outcome.keys = (dedup as TaskDedup).result();
  if (counter) outcome.newlines = counter.newlines;
  return outcome;
}

/**
 * Adds records' bill-join keys (provider \0 model \0 UTC day) to a set, building a key only when a model's
 * provider or day differs from its last record's: a log interleaves a handful of models, and building and hashing
 * a key per record was ~5 % of a request-log scan. (An enriched record's `model` is the price book's own string,
 * one per model, so looking it up hashes nothing new.)
 */
class RecentCovers {
  private readonly byModel = new Map<string, { provider: string; day: string }>();

  cover(r: UsageRecord, covered: Set<string>): void {
    const { provider, model, start } = r;
    const last = this.byModel.get(model);
    if (last !== undefined && last.provider === provider && start.startsWith(last.day)) return;
    const day = start.slice(0, 10);
    covered.add(`${provider}\u0000${model}\u0000${day}`);
    if (last === undefined) this.byModel.set(model, { provider, day });
    else {
      last.provider = provider;
      last.day = day;
    }
  }
}

/** A problem's line in its file: chunk-local lines shifted by the lines before the chunk. */
export function fileLine(p: ParseProblem, linesBefore: number, prefixLines: number): ParseProblem {
  return linesBefore === 0 && prefixLines === 0 ? p : { ...p, line: p.line + linesBefore - prefixLines };
}

/** An error as data, for the worker boundary; `errorFrom` turns it back into the same class. */
export function errorData(e: unknown): NonNullable<TaskOutcome['error']> {
  const err = e instanceof Error ? e : new Error(String(e));
  const name =
    err instanceof InputError
      ? 'InputError'
      : err instanceof ConfigError
        ? 'ConfigError'
        : err instanceof UsageError
          ? 'UsageError'
          : err.name;
  return { name, message: err.message, stack: err.stack };
}

/** The error an `errorData` describes, of the same class for finops' own errors (so exit codes hold). */
export function errorFrom(d: NonNullable<TaskOutcome['error']>): Error {
  const e =
    d.name === 'InputError'
      ? new InputError(d.message)
      : d.name === 'ConfigError'
        ? new ConfigError(d.message)
        : d.name === 'UsageError'
          ? new UsageError(d.message)
          : new Error(d.message);
  if (!(e instanceof InputError || e instanceof ConfigError || e instanceof UsageError) && d.stack)
    e.stack = d.stack;
  return e;
}
