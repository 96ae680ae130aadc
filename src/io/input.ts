import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from '../core/errors.ts';

/** How many bytes a parser's `detect` sees. */
export const HEAD_BYTES = 64 * 1024;

/** One input, opened once: a head for format detection, then the whole content as a stream. */
export interface InputSource {
  /** Name used in `file:line` messages (the path as given, or `<stdin>`). */
  name: string;
  /** The first bytes as text, decompressed and without a byte-order mark. */
  head: string;
  /**
   * Whole content as bytes (head included), decompressed, BOM removed. Consumable once. With `reusable`, the
   * consumer promises to keep no chunk (nor a view of one) once it asks for the next, so a file is read into the
   * same few buffers over and over (see ChunkReader).
   */
  chunks(opts?: { reusable?: boolean }): AsyncIterable<Buffer>;
  /** Size on disk, when known (compressed size for .gz). */
  size?: number;
  /** What the scan tells the parser and the parser reports back, beyond records (set by the pipeline). */
  hints?: ReadHints;
}

/**
 * Side information between the scan and a parser. A parser may use `from`/`to` to skip a line whose timestamp
 * text is provably outside the period, without parsing it (counted in `outOfPeriod`); a CSV reader sets
 * `irregular` when it had to leave its line-by-line fast path (a quoted field spanning lines, a stray quote),
 * which tells the scan that a byte-range split of the file may have cut a record.
 */
export interface ReadHints {
  from?: string;
  to?: string;
  outOfPeriod: number;
  irregular?: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Opens a file path, or `-` for standard input; gzip is recognised by its magic bytes, not its name. */
export async function openInput(path: string, stdin: Readable = process.stdin): Promise<InputSource> {
  let rawIt: AsyncIterator<Buffer>;
  let size: number | undefined;
  const name = path === '-' ? '<stdin>' : path;
  if (path === '-') {
    rawIt = stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  } else {
    try {
      const st = statSync(path); // sync: a directory of small files pays ~50 µs an async stat
      size = st.size;
      // A regular file is read at offsets; a pipe (`<(gunzip -c …)`, /dev/stdin) only as a stream.
      rawIt = st.isFile()
        ? fileChunks(path, 0)
        : (createReadStream(path, { highWaterMark: CHUNK_BYTES })[
            Symbol.asyncIterator
          ]() as AsyncIterator<Buffer>);
    } catch (e) {
      throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  const first = await nextOrFail(rawIt, name);
  let source: AsyncIterator<Buffer>;
  const pre: Buffer[] = [];
  if (first && first.length >= 2 && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1]) {
    const gunzip = createGunzip();
    // Feed the gunzip stream from the raw iterator (first chunk included) without buffering the file.
    void (async () => {
      try {
        gunzip.write(first);
        for (let r = await rawIt.next(); !r.done; r = await rawIt.next()) {
          if (!gunzip.write(r.value)) await new Promise((res) => gunzip.once('drain', res));
        }
        gunzip.end();
      } catch (e) {
        gunzip.destroy(e as Error);
      }
    })();
    source = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  } else {
    if (first) pre.push(first);
    source = rawIt;
  }
  // Collect the head, keeping the chunks so the stream can be replayed from the start.
  let headLen = pre.reduce((n, b) => n + b.length, 0);
  while (headLen < HEAD_BYTES) {
    const c = await nextOrFail(source, name);
    if (!c) break;
    pre.push(c);
    headLen += c.length;
  }
  let headBuf = Buffer.concat(pre);
  if (headBuf.length > HEAD_BYTES) headBuf = headBuf.subarray(0, HEAD_BYTES);
  const enc = detectEncoding(headBuf);
  if (enc === 'utf16') {
    throw new InputError(
      `${name}: UTF-16 text is not supported; convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`,
    );
  }
  const bom = enc === 'utf8-bom' ? 3 : 0;
  const head = headBuf.subarray(bom).toString('utf8');
  let used = false;
  return {
    name,
    head,
    size,
    chunks(opts) {
      if (used) throw new Error(`${name}: input stream consumed twice`);
      used = true;
      if (opts?.reusable && source instanceof ChunkReader) source.reuse = true;
      return replay(pre, source, bom, name);
    },
  };
}

async function* replay(
  pre: Buffer[],
  rest: AsyncIterator<Buffer>,
  bom: number,
  name: string,
): AsyncIterable<Buffer> {
  let skip = bom;
  for (const b of pre) {
    if (skip > 0) {
      const s = Math.min(skip, b.length);
      skip -= s;
      if (s < b.length) yield b.subarray(s);
    } else yield b;
  }
  try {
    for (;;) {
      const c = await nextOrFail(rest, name);
      if (!c) return;
      if (skip > 0) {
        const s = Math.min(skip, c.length);
        skip -= s;
        if (s < c.length) yield c.subarray(s);
      } else yield c;
    }
  } finally {
    await rest.return?.();
  }
}

/** Bytes read per chunk from a file. */
const CHUNK_BYTES = 256 * 1024;
/** Chunks read between two turns of the event loop (see fileChunks). */
const YIELD_EVERY = 4;

/**
 * A file's bytes from `start`, read with `readSync`: a read stream costs ~3× as much for the same bytes (its
 * machinery, not the disk: 0.34 s against 0.12 s for 300 MB from the page cache, docs/benchmarks.md), and a scan
 * has nothing else to do on its thread while it waits. The descriptor is closed at the end, on an error, or when
 * the consumer stops.
 *
 * Each chunk is a fresh buffer unless `reuse` is set (the consumer keeps no chunk once it asks for the next:
 * InputSource.chunks's `reusable`); then two buffers take turns. Fresh 256 KiB buffers are malloc'd and freed
 * thousands of times, and glibc's growing mmap threshold turns that into heap that is never given back: peak
 * memory grew from 122 MB to 195 MB between 1 M and 10 M request-log lines, for nothing the scan kept.
 */
class ChunkReader implements AsyncIterator<Buffer> {
  reuse = false;
  private fd: number | undefined;
  private pos: number;
  private reads = 0;
  private readonly spare: Buffer[] = [];

  constructor(path: string, start: number) {
    this.fd = openSync(path, 'r');
    this.pos = start;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.fd === undefined) return Promise.resolve({ done: true, value: undefined });
    try {
      let buf: Buffer;
      if (this.reuse) {
        // Two buffers in turn: the one given last time may still be the consumer's until this call.
        if (this.spare.length === 0)
          this.spare.push(Buffer.allocUnsafeSlow(CHUNK_BYTES), Buffer.allocUnsafeSlow(CHUNK_BYTES));
        buf = this.spare[this.reads % 2]!;
      } else buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(this.fd, buf, 0, CHUNK_BYTES, this.pos);
      if (n <= 0) {
        this.close();
        return Promise.resolve({ done: true, value: undefined });
      }
      this.pos += n;
      const value = n < CHUNK_BYTES ? buf.subarray(0, n) : buf;
      // Every few chunks, let the event loop run: a synchronous read never does, and on the main thread of a
      // parallel scan the workers' messages (done, send more) would wait until the whole task is read.
      if (++this.reads % YIELD_EVERY === 0)
        return new Promise((res) => setImmediate(() => res({ done: false, value })));
      return Promise.resolve({ done: false, value });
    } catch (e) {
      this.close();
      return Promise.reject(e as Error);
    }
  }

  return(): Promise<IteratorResult<Buffer>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  private close(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      closeSync(fd);
    }
  }
}

/** A ChunkReader for `path` from byte `start`. */
function fileChunks(path: string, start: number): ChunkReader {
  return new ChunkReader(path, start);
}

async function nextOrFail(it: AsyncIterator<Buffer>, name: string): Promise<Buffer | undefined> {
  try {
    const r = await it.next();
    if (r.done) return undefined;
    return typeof r.value === 'string' ? Buffer.from(r.value as string) : r.value;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(`${name}: cannot read (${err.code ?? err.message})`);
  }
}

function detectEncoding(b: Buffer): 'utf8' | 'utf8-bom' | 'utf16' {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf8-bom';
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) return 'utf16';
  // UTF-16 without BOM: ASCII text with every other byte zero.
  if (b.length >= 4 && ((b[1] === 0 && b[3] === 0 && b[0] !== 0) || (b[0] === 0 && b[2] === 0 && b[1] !== 0)))
    return 'utf16';
  return 'utf8';
}

/** A byte range of a file: the lines that *start* in [start, end) (a chunk read by one worker). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Opens the lines of a plain (not gzip) file that start inside `range`: reading begins after the first newline
 * before `range.start` (a line that starts earlier belongs to the chunk before) and ends with the newline that
 * finishes the line holding byte `range.end - 1`. So adjacent ranges cover every line exactly once. `prefix`
 * (a CSV header line, say) is streamed first. A UTF-8 BOM at offset 0 is removed. `head` is the prefix only:
 * a range is read by a parser chosen beforehand, never detected. `counter` receives the number of newlines read
 * (the prefix's not included), to number the lines of the range that follows.
 */
export function openInputRange(
  path: string,
  range: ByteRange,
  prefix?: Buffer,
  counter?: { newlines: number },
): InputSource {
  let used = false;
  return {
    name: path,
    head: prefix ? prefix.toString('utf8') : '',
    chunks(opts) {
      if (used) throw new Error(`${path}: input stream consumed twice`);
      used = true;
      return rangeChunks(path, range, prefix, counter, opts?.reusable === true);
    },
  };
}

async function* rangeChunks(
  path: string,
  range: ByteRange,
  prefix: Buffer | undefined,
  counter: { newlines: number } | undefined,
  reusable: boolean,
): AsyncIterable<Buffer> {
  if (prefix && prefix.length > 0) yield prefix;
  const { start, end } = range;
  if (end <= start) return;
  const from = start > 0 ? start - 1 : 0;
  let it: ChunkReader;
  try {
    it = fileChunks(path, from);
    it.reuse = reusable;
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let pos = from; // absolute offset of the next byte the stream gives
  let skipping = start > 0; // inside the line that began before the range
  let first = start === 0;
  try {
    for (;;) {
      let b = await nextOrFail(it, path);
      if (!b) return;
      if (skipping) {
        const nl = b.indexOf(10);
        if (nl === -1) {
          pos += b.length;
          continue;
        }
        pos += nl + 1;
        b = b.subarray(nl + 1);
        skipping = false;
        if (pos >= end) return; // no line starts inside the range
      }
      if (first) {
        first = false;
        if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
          b = b.subarray(3);
          pos += 3;
        }
      }
      const at = pos;
      pos += b.length;
      if (pos >= end) {
        // This buffer reaches byte end-1: stop after the newline that ends the line holding it.
        const nl = b.indexOf(10, Math.max(0, end - 1 - at));
        if (nl !== -1) {
          b = b.subarray(0, nl + 1);
          if (counter) counter.newlines += countNewlines(b);
          yield b;
          return;
        }
      }
      if (b.length > 0) {
        if (counter) counter.newlines += countNewlines(b);
        yield b;
      }
    }
  } finally {
    await it.return?.();
  }
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}
