import type { Ora } from 'ora';
import type { ReadStats } from '../pipeline/read.ts';
import { fmtInt } from './format.ts';

/** A run shorter than this shows no spinner at all (no flicker on small inputs). */
export const PROGRESS_DELAY_MS = 1000;
/** The spinner's text is rebuilt at most this often, however many batches arrive. */
const UPDATE_MS = 100;

/**
 * stderr is a terminal with a known width (a pty of 0 columns, as some runners give, would make the spinner
 * clear an unbounded number of lines).
 */
export function stderrIsTerminal(stderr: { isTTY?: boolean; columns?: number } = process.stderr): boolean {
  return stderr.isTTY === true && (stderr.columns ?? 0) > 0;
}

/** Where the spinner may appear: a person is watching stderr, and stdout is not data for a program. */
export interface ProgressWhen {
  /** stderr is a terminal. */
  stderrTTY: boolean;
  quiet?: boolean;
  /** The output format, and whether it goes to a file (`--output`). */
  format: string;
  toFile: boolean;
}

/**
 * True when a spinner belongs on stderr: stderr is a TTY, not `--quiet`, and the output is not JSON/CSV/HTML on
 * stdout (that output is for a program or a file, and the person piping it asked for data, not chatter).
 */
export function progressEnabled(w: ProgressWhen): boolean {
  if (!w.stderrTTY || w.quiet === true) return false;
  return w.toFile || w.format === 'table' || w.format === 'markdown';
}

export interface ProgressOptions {
  enabled: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Wait this long before the spinner appears (default PROGRESS_DELAY_MS; FINOPS_PROGRESS_DELAY_MS overrides). */
  delayMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Spinner colour allowed (NO_COLOR turns it off). */
  color?: boolean;
}

/**
 * Progress of a long run on stderr (ora): the stage, files and rows read, rows per second. Starts only after
 * `delayMs`; a no-op when disabled. `update` is cheap enough to call once per batch. ora is loaded only when a
 * spinner may be shown: with what it imports (string widths, emoji tables) it was a quarter of finops' start-up.
 */
export class Progress {
  private readonly opts: ProgressOptions;
  private readonly now: () => number;
  private readonly t0: number;
  private spinner: Ora | undefined;
  private ora: Promise<typeof import('ora')> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private stageName = 'starting';
  private files = 0;
  private rows = 0;
  private file = '';
  private lastText = 0;

  constructor(opts: ProgressOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.t0 = this.now();
    if (!opts.enabled) return;
    this.ora = import('ora');
    const delay = opts.delayMs ?? PROGRESS_DELAY_MS;
    this.timer = setTimeout(() => void this.show(), delay);
    this.timer.unref(); // never keep the process alive for a spinner
  }

  /** Names the stage the run is in (`reading`, `pricing groups`, `forecasting budgets`, `rendering`). */
  stage(name: string): void {
    this.stageName = name;
    this.refresh(true);
  }

  /** Takes the scan's live read stats (ScanOptions.onProgress). */
  readonly update = (stats: Readonly<ReadStats>): void => {
    if (!this.opts.enabled) return;
    this.stageName = 'reading';
    this.files = stats.files.length;
    let ignored = 0;
    for (const n of stats.ignored.values()) ignored += n;
    this.rows = stats.records + stats.skipped + stats.duplicates + ignored;
    this.file = stats.files[stats.files.length - 1]?.file ?? '';
    this.refresh(false);
  };

  /** The spinner's line, e.g. `reading · 12 files · 150,000 rows · 210,000 rows/s · exports/oct.jsonl`. */
  text(): string {
    const secs = Math.max((this.now() - this.t0) / 1000, 0.001);
    const parts = [this.stageName];
    if (this.files > 0)
      parts.push(`${fmtInt(this.files)} file${this.files === 1 ? '' : 's'}`, `${fmtInt(this.rows)} rows`);
    if (this.rows > 0) parts.push(`${fmtInt(this.rows / secs)} rows/s`);
    if (this.stageName === 'reading' && this.file) parts.push(this.file);
    // One line: a wrapped spinner line leaves copies of itself behind on some terminals.
    const room =
      ((this.opts.stream as { columns?: number } | undefined)?.columns ?? process.stderr.columns ?? 80) - 3;
    const line = parts.join(' · ');
    return line.length > room && room > 10 ? `${line.slice(0, room - 1)}…` : line;
  }

  /** True once the spinner is on screen. */
  get visible(): boolean {
    return this.spinner !== undefined;
  }

  /** Clears the spinner (before the report is written) and cancels a pending start. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private async show(): Promise<void> {
    this.timer = undefined;
    const { default: ora } = await this.ora!;
    if (this.stopped) return; // the run ended while ora loaded
    this.spinner = ora({
      text: this.text(),
      stream: this.opts.stream ?? process.stderr,
      isEnabled: true,
      discardStdin: false, // stdin may be the input (`-`)
      color: this.opts.color === false ? false : 'cyan',
    });
    this.spinner.start();
    this.lastText = -Infinity; // the next update shows at once
  }

  private refresh(force: boolean): void {
    if (!this.spinner) return;
    const t = this.now();
    if (!force && t - this.lastText < UPDATE_MS) return;
    this.lastText = t;
    this.spinner.text = this.text();
    // Drawn now, not at the next frame: reads are synchronous, so a frame timer may not fire for a while.
    this.spinner.render();
  }
}

/** The start delay: FINOPS_PROGRESS_DELAY_MS (tests) or PROGRESS_DELAY_MS. */
export function progressDelay(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.FINOPS_PROGRESS_DELAY_MS);
  return env.FINOPS_PROGRESS_DELAY_MS !== undefined && Number.isFinite(v) && v >= 0 ? v : PROGRESS_DELAY_MS;
}
