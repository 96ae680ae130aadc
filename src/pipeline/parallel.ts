import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../core/errors.ts';
import { formatProblem } from '../core/record.ts';
import type { ZonedCalendar } from '../core/time.ts';
import type { LoadPriceBookOptions } from '../pricing/index.ts';
import { Combiner } from './combine.ts';
import type { EnrichStats, PricedRecord } from './enrich.ts';
import { expandInputs } from './inputs.ts';
import { settleKeyed } from './keyed.ts';
import { emptyStats, MAX_KEPT_PROBLEMS, parserSet, type FileStats, type ReadStats } from './read.ts';
import type { ScanOptions, ScanResult } from './scan.ts';
import { SeenSet } from './seen-set.ts';
import {
  errorFrom,
  fileLine,
  planTasks,
  runTask,
  taskContext,
  type Task,
  type TaskContext,
  type TaskOutcome,
  type TaskSettings,
} from './task.ts';

/**
 * Bytes per chunk of a big splittable file: about four chunks per thread (so threads finish together), within
 * [MIN_CHUNK_BYTES, CHUNK_BYTES] (FINOPS_CHUNK_BYTES sets it, for tests). Results do not depend on it.
 */
export const CHUNK_BYTES = 32 * 1024 * 1024;
export const MIN_CHUNK_BYTES = 2 * 1024 * 1024;
/** Below this much input, a worker thread costs more to start (~0.3 s of CPU) than it saves (FINOPS_PARALLEL_MIN_BYTES). */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/** What a worker thread needs to rebuild its TaskContext (structured-cloned at start). */
export interface WorkerInit {
  settings: TaskSettings;
  priceSource: LoadPriceBookOptions;
  format?: string;
}

/** Messages from a worker. */
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'outcome'; slot: number; gen: number; outcome: TaskOutcome }
  | { kind: 'fatal'; error: NonNullable<TaskOutcome['error']> };

/** A task for a worker. */
export interface WorkerJob {
  slot: number;
  gen: number;
  task: Task;
}

/**
 * The combined scan (scanUsage with `combine`): plan tasks (inputs, and chunks of big line-independent files),
 * run them — in order on this thread, or on `jobs` threads (this one and jobs − 1 workers) — and merge what they
 * return in canonical order, so the result is the same whatever the number of threads. See docs/benchmarks.md.
 */
export async function scanCombined(
  opts: ScanOptions,
  sink: (p: PricedRecord) => void,
  bounds: { from?: string; to?: string; calendar: ZonedCalendar },
): Promise<ScanResult> {
  const files = await expandInputs(opts.paths);
  if (files.length === 0) throw new InputError(`no input files found in ${opts.paths.join(', ')}`);
  const { parsers, forced } = parserSet(opts);
  const settings: TaskSettings = {
    tz: opts.tz,
    filters: opts.filters,
    strict: opts.strict === true,
    config: opts.config,
    combine: opts.combine ?? [],
  };
  if (bounds.from !== undefined) settings.from = bounds.from;
  if (bounds.to !== undefined) settings.to = bounds.to;
  const ctx = taskContext(settings, opts.book, parsers, forced);
  const jobs = Math.max(1, Math.floor(opts.jobs ?? availableParallelism()));
  const minBytes = envBytes('FINOPS_PARALLEL_MIN_BYTES') ?? PARALLEL_MIN_BYTES;

  let slots: Slot[];
  const parallel = jobs > 1 && opts.priceSource !== undefined;
  const sizes = files.map((f) => {
    if (f === '-') return 0;
    try {
      return statSync(f).size; // sync: ~5 µs a file, where an async stat waits ~50 µs on the thread pool
    } catch {
      return 0;
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const chunkBytes =
    envBytes('FINOPS_CHUNK_BYTES') ??
    Math.min(CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, Math.ceil(total / (jobs * 4))));
  const tasks = await planTasks(files, parsers, forced, parallel ? chunkBytes : Infinity);
  if (parallel && tasks.length > 1 && total >= minBytes) {
    const init: WorkerInit = { settings, priceSource: opts.priceSource! };
    if (opts.format !== undefined) init.format = opts.format;
    slots = await new Scheduler(tasks, ctx, init, jobs - 1, opts.onProgress).run();
  } else {
    slots = await runInOrder(
      // Unsplit when in order: one task per input.
      parallel ? await planTasks(files, parsers, forced, Infinity) : tasks,
      ctx,
      opts.onProgress,
    );
  }
  return replay(merge(slots, settings, bounds.calendar), sink, bounds);
}

interface Slot {
  task: Task;
  state: 'queued' | 'running' | 'done' | 'void';
  /** Bumped whenever the slot's task is replaced: a late outcome of an older version is ignored. */
  gen: number;
  outcome?: TaskOutcome;
  /** Its de-duplication keys are in the scan's set (a re-run, if any, is to drop copies of earlier tasks). */
  committed: boolean;
  /** The outcome to merge. */
  final?: TaskOutcome;
}

/** Tasks one after another on this thread, sharing one de-duplication set (first copy wins, in input order). */
async function runInOrder(
  tasks: Task[],
  ctx: TaskContext,
  onProgress: ScanOptions['onProgress'],
): Promise<Slot[]> {
  const seen = new SeenSet();
  const live = emptyStats();
  const slots: Slot[] = [];
  for (const task of tasks) {
    const o = await runTask(task, ctx, seen);
    slots.push({ task, state: 'done', gen: 0, committed: true, final: o });
    progress(live, o, onProgress);
    // Reads are synchronous: give timers (the progress display) a turn between inputs.
    await new Promise<void>((res) => setImmediate(res));
    if (o.error || o.stopped) break; // the merge throws at the first of these, as the serial scan would
  }
  return slots;
}

/**
 * Runs tasks on this thread and on worker threads, largest first, and commits their de-duplication keys in
 * canonical order as outcomes arrive: a key an earlier task already had marks a copy, and the task is run again
 * with those positions dropped (rare: the same request in two inputs, or twice far apart in one log). So the
 * first copy in input order is kept, as in the serial scan. A CSV chunk that left its fast path before its last
 * line may have been cut inside a quoted field: from it to the end of the file is read again as one task.
 */
class Scheduler {
  private readonly slots: Slot[];
  private readonly queue: number[];
  private readonly seen = new SeenSet();
  private readonly workers: WorkerHandle[] = [];
  private readonly live = emptyStats();
  private cursor = 0;
  private reruns = 0;
  private tails = 0;
  private ranHere = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  private readonly ctx: TaskContext;
  private readonly init: WorkerInit;
  private readonly nWorkers: number;
  private readonly onProgress: ScanOptions['onProgress'];

  constructor(
    tasks: Task[],
    ctx: TaskContext,
    init: WorkerInit,
    nWorkers: number,
    onProgress: ScanOptions['onProgress'],
  ) {
    this.ctx = ctx;
    this.init = init;
    this.nWorkers = nWorkers;
    this.onProgress = onProgress;
    this.slots = tasks.map((task) => ({ task, state: 'queued', gen: 0, committed: false }));
    // Largest first (a stable sort keeps equal chunks of one file in order).
    this.queue = tasks.map((_, i) => i).sort((a, b) => tasks[b]!.size - tasks[a]!.size);
  }

  async run(): Promise<Slot[]> {
    const entry = workerEntry();
    for (let i = 0; i < this.nWorkers; i++) {
      this.workers.push(
        new WorkerHandle(entry, this.init, {
          ready: () => this.pump(),
          outcome: (slot, gen, o) => this.onOutcome(slot, gen, o),
          fail: (e) => this.fail(e),
        }),
      );
    }
    try {
      this.pump();
      await this.mainLoop();
    } finally {
      await Promise.all(this.workers.map((w) => w.stop()));
    }
    if (process.env.FINOPS_DEBUG_SCAN) {
      process.stderr.write(
        `finops: scan: ${this.slots.length} tasks, ${this.nWorkers} worker(s) + this thread, ${this.reruns} re-run(s) for copies across tasks, ${this.tails} CSV tail(s); this thread ran ${this.ranHere}\n`,
      );
    }
    if (this.failure) throw this.failure;
    return this.slots;
  }

  /** This thread runs tasks too (stdin is only ever read here), until every slot is settled. */
  private async mainLoop(): Promise<void> {
    while (!this.failure && !this.finished()) {
      const i = this.take(true);
      if (i === undefined) {
        await new Promise<void>((res) => (this.wake = res));
        continue;
      }
      const s = this.slots[i]!;
      const gen = s.gen;
      s.state = 'running';
      this.ranHere++;
      const o = await runTask(s.task, this.ctx);
      this.onOutcome(i, gen, o);
      // Reads are synchronous: give the workers' messages a turn, or they would wait until this loop ends.
      await new Promise<void>((res) => setImmediate(res));
    }
  }

  private finished(): boolean {
    return (
      this.cursor >= this.slots.length && this.slots.every((s) => s.state === 'void' || s.final !== undefined)
    );
  }

  private take(mainThread: boolean): number | undefined {
    for (let q = 0; q < this.queue.length; q++) {
      const i = this.queue[q]!;
      const s = this.slots[i]!;
      if (s.state !== 'queued') {
        this.queue.splice(q--, 1);
        continue;
      }
      if (!mainThread && s.task.file === '-') continue; // stdin is this thread's
      this.queue.splice(q, 1);
      return i;
    }
    return undefined;
  }

  private pump(): void {
    for (const w of this.workers) {
      while (w.ready && w.inflight < 2) {
        const i = this.take(false);
        if (i === undefined) return;
        const s = this.slots[i]!;
        s.state = 'running';
        w.send({ slot: i, gen: s.gen, task: s.task });
      }
    }
  }

  private onOutcome(i: number, gen: number, o: TaskOutcome): void {
    const s = this.slots[i]!;
    if (s.state !== 'void' && gen === s.gen) {
      s.state = 'done';
      if (s.committed) s.final = o;
      else s.outcome = o;
      progress(this.live, o, this.onProgress);
      this.advance();
    }
    this.pump();
    this.wake?.();
    this.wake = undefined;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
    this.wake = undefined;
  }

  /** Commits outcomes in canonical order as far as they have arrived. */
  private advance(): void {
    while (this.cursor < this.slots.length) {
      const s = this.slots[this.cursor]!;
      if (s.state === 'void' || s.committed) {
        this.cursor++;
        continue;
      }
      if (s.state !== 'done') return;
      const o = s.outcome!;
      const t = s.task;
      if (o.error || o.stopped) {
        // Nothing after the first error (or --strict stop) in input order matters: the merge throws there.
        s.final = o;
        s.committed = true;
        for (let j = this.cursor + 1; j < this.slots.length; j++) this.voidSlot(this.slots[j]!);
        this.cursor = this.slots.length;
        return;
      }
      if (t.csv && o.irregular && t.chunk! < t.chunks! - 1) {
        // This chunk may end inside a quoted field: the rest of the file, from this chunk's start, as one task.
        for (
          let j = this.cursor + 1;
          j < this.slots.length && this.slots[j]!.task.fileIndex === t.fileIndex;
          j++
        )
          this.voidSlot(this.slots[j]!);
        s.task = { ...t, range: { start: t.range!.start, end: Infinity }, chunk: t.chunks! - 1 };
        this.tails++;
        this.requeue(s, this.cursor);
        return;
      }
      const keys = o.keys!;
      o.keys = undefined;
      s.committed = true;
      if (o.keyed) {
        // Keyed records held apart: those whose key an earlier task (or this one) had are taken out.
        const settled = settleKeyed(o.keyed, (i) => this.seen.addHash(keys[2 * i]!, keys[2 * i + 1]!));
        o.keyed = undefined;
        o.part.buckets.push(...settled.part.buckets);
        o.part.entries.push(...settled.part.entries);
        o.covered.push(...settled.covered);
        const { copies, tokenizedRecords, tokenizedTokens } = settled.copies;
        o.stats.records -= copies;
        o.stats.duplicates += copies;
        const fs = o.stats.files[0];
        if (fs) {
          fs.records -= copies;
          fs.duplicates += copies;
        }
        o.enrich.tokenizedRecords -= tokenizedRecords;
        o.enrich.tokenizedTokens -= tokenizedTokens;
        s.final = o;
        this.cursor++;
        continue;
      }
      const drops: number[] = [];
      for (let k = 0; k < keys.length; k += 2)
        if (!this.seen.addHash(keys[k]!, keys[k + 1]!)) drops.push(k / 2);
      if (drops.length > 0) {
        s.task = { ...t, drop: drops };
        this.reruns++;
        this.requeue(s, this.cursor);
      } else s.final = o;
      this.cursor++;
    }
  }

  private requeue(s: Slot, i: number): void {
    s.gen++;
    s.state = 'queued';
    s.outcome = undefined;
    this.queue.unshift(i);
  }

  private voidSlot(s: Slot): void {
    s.state = 'void';
    s.gen++;
    s.outcome = undefined;
  }
}

/** One worker thread and the tasks in flight on it. */
class WorkerHandle {
  inflight = 0;
  /** Loaded (modules, prices): tasks go to a worker only then, so none waits on a thread still starting. */
  ready = false;
  private readonly worker: Worker;
  private stopping = false;

  constructor(
    entry: { script: URL | string; eval: boolean },
    init: WorkerInit,
    on: {
      ready: () => void;
      outcome: (slot: number, gen: number, o: TaskOutcome) => void;
      fail: (e: Error) => void;
    },
  ) {
    this.worker = new Worker(entry.script, { workerData: init, eval: entry.eval });
    this.worker.on('message', (m: WorkerReply) => {
      if (m.kind === 'fatal') on.fail(errorFrom(m.error));
      else if (m.kind === 'ready') {
        this.ready = true;
        on.ready();
      } else {
        this.inflight--;
        on.outcome(m.slot, m.gen, m.outcome);
      }
    });
    this.worker.on('error', (e) => on.fail(e));
    this.worker.on('exit', (code) => {
      if (!this.stopping) on.fail(new Error(`a finops worker thread exited early (code ${code})`));
    });
  }

  send(job: WorkerJob): void {
    this.inflight++;
    this.worker.postMessage(job);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
  }
}

/**
 * The worker script: compiled next to this file in dist/; under tests (TypeScript source, which Node 20 cannot
 * run) a bootstrap that registers tsx's loader in the worker first, then imports worker.ts.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  if (!import.meta.url.endsWith('.ts'))
    return { script: new URL('./worker.js', import.meta.url), eval: false };
  // tsx's ESM API (`register`), found from this package; bare as a last resort (resolved from the working directory).
  let tsx = 'tsx/esm/api';
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch {
    // import.meta.resolve missing or failing: keep the bare specifier
  }
  const worker = new URL('./worker.ts', import.meta.url).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`,
    eval: true,
  };
}

/** Live counts for a progress display, updated per finished task. */
function progress(live: ReadStats, o: TaskOutcome, onProgress: ScanOptions['onProgress']): void {
  if (!onProgress) return;
  live.records += o.stats.records;
  live.skipped += o.stats.skipped;
  live.duplicates += o.stats.duplicates;
  for (const f of o.stats.files) live.files.push({ ...f });
  onProgress(live);
}

interface Merged {
  stats: ReadStats;
  enrich: EnrichStats;
  combiner: Combiner;
  covered: Set<string>;
}

/**
 * Every outcome in canonical order: row accounting per input (a file's chunks summed, their problem lines made
 * file lines), the first problems, sums, covered usage. Throws the first error (or --strict problem) in order.
 */
function merge(slots: readonly Slot[], settings: TaskSettings, calendar: ZonedCalendar): Merged {
  const stats = emptyStats();
  const enrich: EnrichStats = { tokenizedRecords: 0, tokenizedTokens: 0 };
  const combiner = new Combiner(settings.combine, calendar);
  const covered = new Set<string>();
  const perFile = new Map<number, FileStats>();
  const linesBefore = new Map<number, number>();
  for (const s of slots) {
    if (s.state === 'void') continue;
    const o = s.final!;
    const t = s.task;
    if (o.error) throw errorFrom(o.error);
    const before = linesBefore.get(t.fileIndex) ?? 0;
    const prefixLines = t.prefixLines ?? 0;
    let headerProblems = 0;
    const problems = [];
    for (const p of o.stats.problems) {
      // A chunk reads the CSV header again; its problems (a refused header) are the first chunk's to report.
      if (prefixLines > 0 && p.line <= prefixLines) headerProblems++;
      else problems.push(fileLine(p, before, prefixLines));
    }
    if (o.stopped) throw new InputError(`${formatProblem(problems[0] ?? o.stats.problems[0]!)} (--strict)`);
    for (const f of o.stats.files) {
      const known = t.range ? perFile.get(t.fileIndex) : undefined;
      if (known) {
        known.records += f.records;
        known.skipped += f.skipped - headerProblems;
        known.duplicates += f.duplicates;
        known.ignored += f.ignored;
      } else {
        const copy = { ...f, skipped: f.skipped - headerProblems };
        perFile.set(t.fileIndex, copy);
        stats.files.push(copy);
      }
    }
    stats.records += o.stats.records;
    stats.skipped += o.stats.skipped - headerProblems;
    stats.duplicates += o.stats.duplicates;
    stats.outOfPeriod += o.stats.outOfPeriod;
    for (const [reason, n] of o.stats.ignored)
      stats.ignored.set(reason, (stats.ignored.get(reason) ?? 0) + n);
    for (const p of problems) if (stats.problems.length < MAX_KEPT_PROBLEMS) stats.problems.push(p);
    enrich.tokenizedRecords += o.enrich.tokenizedRecords;
    enrich.tokenizedTokens += o.enrich.tokenizedTokens;
    for (const k of o.covered) covered.add(k);
    combiner.merge(o.part);
    linesBefore.set(t.fileIndex, before + o.newlines);
  }
  return { stats, enrich, combiner, covered };
}

/**
 * The combined records to the sink, usage first, then bill rows: a bill's tokens count only where no usage source
 * covers the same provider, model and UTC day (as in the serial scan).
 */
function replay(
  m: Merged,
  sink: (p: PricedRecord) => void,
  bounds: { from?: string; to?: string },
): ScanResult {
  let joined = 0;
  for (const { bucket, priced } of m.combiner.records()) {
    if (bucket.bill && m.covered.has(`${bucket.provider}\u0000${bucket.model}\u0000${bucket.billDay}`)) {
      joined += bucket.n;
      const r = priced.record;
      r.tokens = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
      r.requests = 0;
      sink({ record: r, tier: -1 });
    } else sink(priced);
  }
  const result: ScanResult = { stats: m.stats, enrich: m.enrich, joined };
  if (bounds.from !== undefined) result.from = bounds.from;
  if (bounds.to !== undefined) result.to = bounds.to;
  return result;
}

function envBytes(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
