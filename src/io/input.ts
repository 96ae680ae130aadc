import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
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
  /** Whole content as bytes (head included), decompressed, BOM removed. Consumable once. */
  chunks(): AsyncIterable<Buffer>;
  /** Size on disk, when known (compressed size for .gz). */
  size?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Opens a file path, or `-` for standard input; gzip is recognised by its magic bytes, not its name. */
export async function openInput(path: string, stdin: Readable = process.stdin): Promise<InputSource> {
  let raw: Readable;
  let size: number | undefined;
  const name = path === '-' ? '<stdin>' : path;
  if (path === '-') {
    raw = stdin;
  } else {
    try {
      size = (await stat(path)).size;
    } catch (e) {
      throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  }
  const rawIt = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
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
    chunks() {
      if (used) throw new Error(`${name}: input stream consumed twice`);
      used = true;
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
  for (;;) {
    const c = await nextOrFail(rest, name);
    if (!c) return;
    if (skip > 0) {
      const s = Math.min(skip, c.length);
      skip -= s;
      if (s < c.length) yield c.subarray(s);
    } else yield c;
  }
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
