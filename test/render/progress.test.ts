import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { emptyStats } from '../../src/pipeline/read.ts';
import { Progress, progressDelay, progressEnabled, stderrIsTerminal } from '../../src/render/progress.ts';

/** A fake terminal: a writable that says it is a TTY and records what the spinner writes. */
function fakeTty() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & {
    isTTY: boolean;
    columns: number;
    cursorTo(): boolean;
    clearLine(): boolean;
    moveCursor(): boolean;
  };
  stream.isTTY = true;
  stream.columns = 100;
  stream.cursorTo = () => true;
  stream.clearLine = () => true;
  stream.moveCursor = () => true;
  return { stream, text: () => stripVTControlCharacters(chunks.join('')) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progressEnabled', () => {
  it('only for a person at a terminal: not piped, not --quiet, not JSON/CSV/HTML on stdout', () => {
    const tty = { stderrTTY: true, toFile: false };
    expect(progressEnabled({ ...tty, format: 'table' })).toBe(true);
    expect(progressEnabled({ ...tty, format: 'markdown' })).toBe(true);
    expect(progressEnabled({ ...tty, format: 'table', quiet: true })).toBe(false);
    expect(progressEnabled({ ...tty, format: 'json' })).toBe(false);
    expect(progressEnabled({ ...tty, format: 'csv' })).toBe(false);
    expect(progressEnabled({ ...tty, format: 'html' })).toBe(false);
    expect(progressEnabled({ ...tty, format: 'json', toFile: true })).toBe(true);
    expect(progressEnabled({ stderrTTY: false, toFile: true, format: 'html' })).toBe(false);
  });

  it('needs a terminal of known width', () => {
    expect(stderrIsTerminal({ isTTY: true, columns: 80 })).toBe(true);
    expect(stderrIsTerminal({ isTTY: true, columns: 0 })).toBe(false);
    expect(stderrIsTerminal({ isTTY: false, columns: 80 })).toBe(false);
  });

  it('starts after a second unless FINOPS_PROGRESS_DELAY_MS says otherwise', () => {
    expect(progressDelay({})).toBe(1000);
    expect(progressDelay({ FINOPS_PROGRESS_DELAY_MS: '0' })).toBe(0);
    expect(progressDelay({ FINOPS_PROGRESS_DELAY_MS: 'soon' })).toBe(1000);
  });
});

describe('Progress', () => {
  // ora is imported when a Progress is enabled (progress.ts); load it once here, so no test waits on a cold import.
  beforeAll(async () => {
    await import('ora');
  });

  it('shows stage, files, rows and rows/s once the delay has passed, and clears on stop', async () => {
    const tty = fakeTty();
    let now = 0;
    const p = new Progress({ enabled: true, stream: tty.stream, delayMs: 20, now: () => now, color: false });
    const stats = emptyStats();
    stats.files.push({
      file: 'exports/oct.jsonl',
      format: 'request-log',
      records: 0,
      skipped: 0,
      duplicates: 0,
      ignored: 0,
    });
    stats.records = 1500;
    stats.skipped = 2;
    stats.ignored.set('not AI usage', 498);
    now = 500;
    p.update(stats);
    expect(p.visible).toBe(false);
    expect(tty.text()).toBe('');
    await vi.waitFor(() => expect(p.visible).toBe(true), { timeout: 5000, interval: 10 });
    expect(p.text()).toBe('reading · 1 file · 2,000 rows · 4,000 rows/s · exports/oct.jsonl');
    p.stage('pricing groups');
    await sleep(120);
    p.stop();
    expect(p.visible).toBe(false);
    expect(tty.text()).toContain('reading · 1 file · 2,000 rows · 4,000 rows/s · exports/oct.jsonl');
    expect(tty.text()).toContain('pricing groups');
  });

  it('never appears for a run shorter than the delay', async () => {
    const tty = fakeTty();
    const p = new Progress({ enabled: true, stream: tty.stream, delayMs: 50 });
    p.update(emptyStats());
    p.stop();
    await sleep(80);
    expect(p.visible).toBe(false);
    expect(tty.text()).toBe('');
  });

  it('writes nothing at all when disabled', async () => {
    const tty = fakeTty();
    const p = new Progress({ enabled: false, stream: tty.stream, delayMs: 0 });
    p.stage('reading');
    p.update(emptyStats());
    await sleep(20);
    p.stop();
    expect(tty.text()).toBe('');
  });

  it('keeps the line within the terminal', () => {
    const tty = fakeTty();
    tty.stream.columns = 40;
    const p = new Progress({ enabled: true, stream: tty.stream, delayMs: 10_000 });
    const stats = emptyStats();
    stats.files.push({
      file: `exports/${'x'.repeat(80)}.jsonl`,
      format: 'request-log',
      records: 1,
      skipped: 0,
      duplicates: 0,
      ignored: 0,
    });
    stats.records = 1;
    p.update(stats);
    expect([...p.text()].length).toBeLessThanOrEqual(37);
    expect(p.text().endsWith('…')).toBe(true);
    p.stop();
  });
});
