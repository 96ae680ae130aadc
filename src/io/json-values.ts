/** One JSON value found in a stream: a top-level value, or one element of a top-level array. */
export interface JsonValueItem {
  /** 1-based line where the value starts. */
  line: number;
  /** Its raw JSON text ('' when the value could not be kept: too large, or its structure broke). */
  text: string;
  /** The parsed value; absent on an error item. */
  value?: unknown;
  /** Why the value could not be read; an error item has no `value`. */
  error?: string;
}

/** Largest single value kept by default; a larger one becomes an error item and is skipped. */
export const MAX_JSON_VALUE_BYTES = 256 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

// Scanner modes (plain constants: the project compiles with erasableSyntaxOnly, so no enums).
/** Between values: at top level, or between the elements of a top-level array. */
const BETWEEN = 0;
/** Inside a value. */
const VALUE = 1;
/** Skipping the rest of a line that is not JSON; one error item when the line ends. */
const GARBAGE = 2;
/** After a broken value: skipping lines, silently, up to one that starts with `{` or `[` in column 0. */
const RESYNC = 3;
const STOPPED = 4;
type Mode = typeof BETWEEN | typeof VALUE | typeof GARBAGE | typeof RESYNC | typeof STOPPED;

// Kinds of value.
const CONTAINER = 0;
const STRING = 1;
const SCALAR = 2;
type Kind = typeof CONTAINER | typeof STRING | typeof SCALAR;

/** How many characters of a non-JSON line an error message quotes. */
const SNIPPET_BYTES = 60;
/**
 * Re-reading after broken values is bounded: a value that never closes is re-scanned from its next line, which
 * for pathological input (every line opens a brace) would be quadratic. Past this many re-read bytes (× the value
 * limit) the scanner reports once and stops.
 */
const REREAD_FACTOR = 4;

function isSpace(c: number): boolean {
  return c === SP || c === LF || c === CR || c === TAB;
}

function isValueStart(c: number): boolean {
  return (
    c === LBRACE ||
    c === LBRACKET ||
    c === QUOTE ||
    c === 0x2d /* - */ ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x74 /* t */ ||
    c === 0x66 /* f */ ||
    c === 0x6e /* n */
  );
}

function endsScalar(c: number): boolean {
  return (
    isSpace(c) ||
    c === COMMA ||
    c === COLON ||
    c === LBRACE ||
    c === RBRACE ||
    c === LBRACKET ||
    c === RBRACKET ||
    c === QUOTE
  );
}

/**
 * A resumable scanner over UTF-8 bytes. JSON's structural characters are ASCII and never occur inside a UTF-8
 * multi-byte sequence, so scanning bytes is safe and a value's bytes are decoded only once it is complete
 * (which also makes characters split across chunks a non-issue).
 */
class JsonScanner {
  private mode: Mode = BETWEEN;
  private line = 1;
  private atLineStart = true;
  /** Buffers still to scan: the pushed chunk, preceded by bytes re-queued after a broken value. */
  private readonly queue: Buffer[] = [];
  /** Index of the first LF at or after the scan position in the current buffer (buffer length when none). */
  private nextLf = -1;
  private rereadBytes = 0;

  // Top-level array: its elements are the values.
  private inArray = false;
  private arrayLine = 0;
  /** 0 after `[`, 1 after an element, 2 after a comma. */
  private arrExpect = 0;

  // The value being read.
  private kind: Kind = CONTAINER;
  private readonly stack: number[] = [];
  private inString = false;
  private escape = false;
  private vLine = 0;
  private vStart = 0;
  private vParts: Buffer[] = [];
  private vSize = 0;

  // The non-JSON line being skipped.
  private gLine = 0;
  private gParts: Buffer[] = [];
  private gSize = 0;

  private readonly maxValueBytes: number;

  constructor(maxValueBytes: number) {
    this.maxValueBytes = maxValueBytes;
  }

  push(chunk: Buffer, out: JsonValueItem[]): void {
    this.queue.push(chunk);
    this.drain(out);
  }

  /** Ends the input: completes a trailing scalar, reports what was left open. */
  end(out: JsonValueItem[]): void {
    for (;;) {
      if (this.mode === VALUE) {
        if (this.kind === SCALAR) this.finish(undefined, 0, out);
        else {
          this.fail('the value is not closed: the input ends inside it', undefined, 0, out);
          this.drain(out);
          continue;
        }
      }
      if (this.mode === GARBAGE) this.garbageDone(out);
      if (this.inArray && this.mode !== STOPPED) {
        out.push({ line: this.arrayLine, text: '', error: `the top-level array opened here is not closed` });
        this.inArray = false;
      }
      return;
    }
  }

  private drain(out: JsonValueItem[]): void {
    while (this.queue.length > 0 && this.mode !== STOPPED) this.scan(this.queue.shift()!, out);
    if (this.mode === STOPPED) this.queue.length = 0;
  }

  private scan(buf: Buffer, out: JsonValueItem[]): void {
    const n = buf.length;
    this.nextLf = -1;
    if (this.mode === VALUE) this.vStart = 0;
    let i = 0;
    while (i < n) {
      switch (this.mode) {
        case BETWEEN:
          i = this.between(buf, i, out);
          break;
        case VALUE:
          i = this.value(buf, i, out);
          break;
        case GARBAGE:
          i = this.garbage(buf, i, out);
          break;
        case RESYNC:
          i = this.resync(buf, i);
          break;
        case STOPPED:
          return;
      }
    }
    if (this.mode === VALUE) this.keep(buf.subarray(this.vStart, n));
  }

  /** First LF at or after `i` in `buf`, or `buf.length`; cached so each byte is searched once per buffer. */
  private lfFrom(buf: Buffer, i: number): number {
    if (this.nextLf < i) {
      const j = buf.indexOf(LF, i);
      this.nextLf = j === -1 ? buf.length : j;
    }
    return this.nextLf;
  }

  private between(buf: Buffer, i: number, out: JsonValueItem[]): number {
    const n = buf.length;
    for (; i < n; i++) {
      const c = buf[i]!;
      if (c === LF) {
        this.line++;
        continue;
      }
      if (c === SP || c === TAB || c === CR) continue;
      if (this.inArray) {
        if (c === COMMA) {
          if (this.arrExpect !== 1)
            out.push({ line: this.line, text: '', error: `unexpected ',' in the array` });
          this.arrExpect = 2;
          continue;
        }
        if (c === RBRACKET) {
          if (this.arrExpect === 2) out.push({ line: this.line, text: '', error: `trailing ',' before ']'` });
          this.inArray = false;
          continue;
        }
        if (isValueStart(c)) {
          if (this.arrExpect === 1)
            out.push({ line: this.line, text: '', error: `missing ',' between array elements` });
          this.arrExpect = 1;
          this.startValue(c, i);
          return c === QUOTE || c === LBRACE || c === LBRACKET ? i + 1 : i;
        }
      } else {
        if (c === LBRACKET) {
          // A top-level array is read element by element, so `[page, page, …]` streams page by page.
          this.inArray = true;
          this.arrayLine = this.line;
          this.arrExpect = 0;
          continue;
        }
        if (isValueStart(c)) {
          this.startValue(c, i);
          return c === QUOTE || c === LBRACE ? i + 1 : i;
        }
      }
      this.startGarbage(this.line);
      return i;
    }
    return n;
  }

  private startValue(c: number, i: number): void {
    this.mode = VALUE;
    this.vLine = this.line;
    this.vStart = i;
    this.vParts = [];
    this.vSize = 0;
    this.stack.length = 0;
    this.inString = false;
    this.escape = false;
    if (c === LBRACE || c === LBRACKET) {
      this.kind = CONTAINER;
      this.stack.push(c);
    } else if (c === QUOTE) {
      this.kind = STRING;
      this.inString = true;
    } else this.kind = SCALAR;
  }

  private value(buf: Buffer, i: number, out: JsonValueItem[]): number {
    const n = buf.length;
    if (this.kind === SCALAR) {
      for (; i < n; i++) {
        if (endsScalar(buf[i]!)) {
          this.finish(buf, i, out);
          return i;
        }
      }
      return n;
    }
    const stack = this.stack;
    while (i < n) {
      if (this.inString) {
        i = this.string(buf, i, out);
        if (i < 0) return n; // broken: the rest was re-queued
        if (!this.inString && this.kind === STRING) {
          this.finish(buf, i, out);
          return i;
        }
        continue;
      }
      for (; i < n; i++) {
        const c = buf[i]!;
        if (c === QUOTE) {
          this.inString = true;
          i++;
          break;
        }
        if (c === LBRACE || c === LBRACKET) stack.push(c);
        else if (c === RBRACE || c === RBRACKET) {
          const open = stack.pop();
          if (open !== (c === RBRACE ? LBRACE : LBRACKET)) {
            const what = `'${String.fromCharCode(c)}' does not match the open bracket`;
            this.fail(this.line === this.vLine ? what : `${what} (line ${this.line})`, buf, i, out);
            return n;
          }
          if (stack.length === 0) {
            this.finish(buf, i + 1, out);
            return i + 1;
          }
        } else if (c === LF) this.line++;
      }
    }
    return i;
  }

  /** Scans string content from `i`; returns the index after the closing quote, `n` at the chunk end, -1 when broken. */
  private string(buf: Buffer, i: number, out: JsonValueItem[]): number {
    const n = buf.length;
    for (;;) {
      if (this.escape) {
        if (i >= n) return n;
        if (buf[i] === LF) break;
        this.escape = false;
        i++;
      }
      const q = buf.indexOf(QUOTE, i);
      const end = q === -1 ? n : q;
      // A raw line break cannot occur inside a JSON string: the value was cut off (a truncated JSONL line).
      if (this.lfFrom(buf, i) < end) {
        i = this.nextLf;
        break;
      }
      if (q === -1) {
        let k = 0;
        while (n - 1 - k >= i && buf[n - 1 - k] === BACKSLASH) k++;
        this.escape = k % 2 === 1;
        return n;
      }
      let k = 0;
      while (q - 1 - k >= i && buf[q - 1 - k] === BACKSLASH) k++;
      if (k % 2 === 1) {
        i = q + 1;
        continue;
      }
      this.inString = false;
      return q + 1;
    }
    this.fail(
      this.line === this.vLine
        ? 'the line ends inside a string (the value is cut off)'
        : `the value is not closed: line ${this.line} ends inside a string`,
      buf,
      i,
      out,
    );
    return -1;
  }

  private keep(part: Buffer): void {
    this.vSize += part.length;
    if (this.vSize > this.maxValueBytes) this.vParts = [];
    else if (part.length > 0) this.vParts.push(part);
  }

  /** The value ends before `end` in `buf` (or at the end of input when `buf` is undefined). */
  private finish(buf: Buffer | undefined, end: number, out: JsonValueItem[]): void {
    const size = this.vSize + (buf ? end - this.vStart : 0);
    if (size > this.maxValueBytes) {
      out.push({
        line: this.vLine,
        text: '',
        error: `value is larger than ${this.maxValueBytes} bytes; skipped`,
      });
    } else {
      const parts = buf ? [...this.vParts, buf.subarray(this.vStart, end)] : this.vParts;
      const text = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
      try {
        out.push({ line: this.vLine, text, value: JSON.parse(text) });
      } catch (e) {
        if (this.kind === SCALAR) {
          // A word that is no JSON scalar (`hello`, `2024-01-01,…`) starts a non-JSON line: report the line once.
          this.vParts = [];
          this.startGarbage(this.vLine, Buffer.from(text.slice(0, SNIPPET_BYTES)));
          return;
        }
        out.push({
          line: this.vLine,
          text,
          error: `invalid JSON: ${describeParseError(e, text, this.vLine)}`,
        });
      }
    }
    this.vParts = [];
    this.mode = BETWEEN;
  }

  /**
   * The value's structure broke at `pos` in `buf` (or the input ended inside it). Reports it at the value's first
   * line, then resumes at the first line after that line which starts with `{` or `[` in column 0 — where a JSON
   * Lines record or a pasted pretty-printed page begins — re-reading the bytes already consumed.
   */
  private fail(reason: string, buf: Buffer | undefined, pos: number, out: JsonValueItem[]): void {
    const size = this.vSize + (buf ? pos - this.vStart : 0);
    out.push({ line: this.vLine, text: '', error: reason });
    const requeue: Buffer[] = [];
    this.mode = RESYNC;
    this.inArray = false;
    if (size > this.maxValueBytes) {
      // Its bytes were not kept: resume from here.
      if (buf) requeue.push(buf.subarray(pos));
      this.atLineStart = false;
    } else {
      const bytes = buf ? [...this.vParts, buf.subarray(this.vStart)] : this.vParts;
      let found = false;
      this.line = this.vLine;
      this.atLineStart = false;
      let total = 0;
      for (const b of bytes) {
        if (found) requeue.push(b);
        else {
          const j = b.indexOf(LF);
          if (j === -1) continue;
          found = true;
          this.line = this.vLine + 1;
          this.atLineStart = true;
          if (j + 1 < b.length) requeue.push(b.subarray(j + 1));
        }
      }
      for (const b of requeue) total += b.length;
      this.rereadBytes += Math.max(0, total - (buf ? buf.length - pos : 0));
      if (this.rereadBytes > REREAD_FACTOR * this.maxValueBytes) {
        out.push({ line: this.vLine, text: '', error: 'too many broken values; stopped reading here' });
        this.mode = STOPPED;
        requeue.length = 0;
      }
    }
    this.vParts = [];
    this.stack.length = 0;
    this.queue.unshift(...requeue);
  }

  private startGarbage(line: number, consumed?: Buffer): void {
    this.mode = GARBAGE;
    this.gLine = line;
    this.gParts = [];
    this.gSize = 0;
    if (consumed) this.snip(consumed);
  }

  private snip(b: Buffer): void {
    if (this.gSize >= SNIPPET_BYTES) return;
    const part = b.subarray(0, SNIPPET_BYTES - this.gSize);
    this.gParts.push(Buffer.from(part)); // a copy: do not pin the whole chunk for a snippet
    this.gSize += part.length;
  }

  private garbage(buf: Buffer, i: number, out: JsonValueItem[]): number {
    const j = this.lfFrom(buf, i);
    this.snip(buf.subarray(i, j));
    if (j >= buf.length) return buf.length;
    this.garbageDone(out);
    return j; // the LF itself is counted by `between`
  }

  private garbageDone(out: JsonValueItem[]): void {
    const text = Buffer.concat(this.gParts).toString('utf8');
    const snippet = text.replace(/\s+$/, '');
    out.push({ line: this.gLine, text: '', error: `not JSON: ${JSON.stringify(snippet)}` });
    this.gParts = [];
    this.mode = BETWEEN;
  }

  private resync(buf: Buffer, i: number): number {
    const n = buf.length;
    while (i < n) {
      if (this.atLineStart && (buf[i] === LBRACE || buf[i] === LBRACKET)) {
        this.mode = BETWEEN;
        return i;
      }
      const j = this.lfFrom(buf, i);
      if (j >= n) {
        this.atLineStart = false;
        return n;
      }
      this.line++;
      this.atLineStart = true;
      i = j + 1;
    }
    return n;
  }
}

/**
 * V8's "… at position N" (an offset in the value's text) turned into a line of the file, and a column once past
 * the value's first line (on that line the value's own start column is unknown, so the offset is given instead).
 */
function describeParseError(e: unknown, text: string, firstLine: number): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /^(.*) at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(msg);
  if (!m) return msg;
  const pos = Number(m[2]);
  let line = firstLine;
  let lineStart = -1;
  for (let j = text.indexOf('\n'); j !== -1 && j < pos; j = text.indexOf('\n', j + 1)) {
    line++;
    lineStart = j;
  }
  const where = lineStart < 0 ? `character ${pos + 1} of the value` : `column ${pos - lineStart}`;
  return `${m[1]} (line ${line}, ${where})`;
}

/**
 * Streams the JSON values of a document: one value, several concatenated values or JSON Lines, or the elements
 * of a top-level array (so `[page, page, …]` streams page by page). Yields one batch per input chunk. A value
 * that does not parse, or is larger than `maxValueBytes`, becomes an error item with its line; after a value whose
 * structure breaks, reading resumes at the next line that starts with `{` or `[`. Memory: one value at a time.
 */
export async function* jsonValues(
  chunks: AsyncIterable<Buffer>,
  opts: { maxValueBytes?: number } = {},
): AsyncIterable<JsonValueItem[]> {
  const scanner = new JsonScanner(opts.maxValueBytes ?? MAX_JSON_VALUE_BYTES);
  for await (const chunk of chunks) {
    const out: JsonValueItem[] = [];
    scanner.push(chunk, out);
    if (out.length > 0) yield out;
  }
  const out: JsonValueItem[] = [];
  scanner.end(out);
  if (out.length > 0) yield out;
}

/** Index of the first non-whitespace character at or after `pos`. */
function skipWs(text: string, pos: number): number {
  const len = text.length;
  while (pos < len) {
    const c = text.charCodeAt(pos);
    if (c !== SP && c !== LF && c !== CR && c !== TAB) return pos;
    pos++;
  }
  return pos;
}

/** Index after the string whose opening quote is at `pos` (JSON strings hold no raw newline). */
function skipString(text: string, pos: number): number {
  let i = pos + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return text.length;
    let k = 0;
    while (text.charCodeAt(q - 1 - k) === BACKSLASH) k++;
    if (k % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** Index after the value that starts at `pos` (whitespace before it skipped). */
function skipValue(text: string, pos: number): number {
  const len = text.length;
  pos = skipWs(text, pos);
  const c = text.charCodeAt(pos);
  if (c === QUOTE) return skipString(text, pos);
  if (c !== LBRACE && c !== LBRACKET) {
    while (pos < len && !endsScalar(text.charCodeAt(pos))) pos++;
    return pos;
  }
  let depth = 0;
  while (pos < len) {
    const d = text.charCodeAt(pos);
    if (d === QUOTE) {
      pos = skipString(text, pos);
      continue;
    }
    pos++;
    if (d === LBRACE || d === LBRACKET) depth++;
    else if ((d === RBRACE || d === RBRACKET) && --depth === 0) return pos;
  }
  return pos;
}

/**
 * The 1-based start line of every element found at `path` inside one value's JSON text (`firstLine` is the line
 * the text starts on). Path segments are object keys, or `'*'` for every element of an array; e.g.
 * `['data', '*', 'results', '*']` gives the line of each result object of each bucket, in document order.
 * Meant for text that JSON.parse accepted; on malformed text it returns what it found before the fault.
 */
export function elementLines(text: string, firstLine: number, path: readonly (string | '*')[]): number[] {
  const out: number[] = [];
  let pos = 0;
  let line = firstLine;
  let counted = 0; // newlines are counted up to here

  const walk = (d: number): void => {
    pos = skipWs(text, pos);
    if (d === path.length) {
      for (let j = text.indexOf('\n', counted); j !== -1 && j < pos; j = text.indexOf('\n', j + 1)) line++;
      counted = pos;
      out.push(line);
      pos = skipValue(text, pos);
      return;
    }
    const seg = path[d];
    const c = text.charCodeAt(pos);
    if (seg === '*' && c === LBRACKET) {
      pos = skipWs(text, pos + 1);
      if (text.charCodeAt(pos) === RBRACKET) {
        pos++;
        return;
      }
      for (;;) {
        walk(d + 1);
        pos = skipWs(text, pos);
        if (text.charCodeAt(pos++) !== COMMA) return;
      }
    }
    if (seg !== '*' && c === LBRACE) {
      pos = skipWs(text, pos + 1);
      if (text.charCodeAt(pos) === RBRACE) {
        pos++;
        return;
      }
      for (;;) {
        pos = skipWs(text, pos);
        const keyStart = pos;
        if (text.charCodeAt(pos) !== QUOTE) return;
        pos = skipString(text, pos);
        const raw = text.slice(keyStart + 1, pos - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(keyStart, pos)) as string) : raw;
        pos = skipWs(text, pos);
        if (text.charCodeAt(pos++) !== COLON) return;
        if (key === seg) walk(d + 1);
        else pos = skipValue(text, pos);
        pos = skipWs(text, pos);
        if (text.charCodeAt(pos++) !== COMMA) return;
      }
    }
    pos = skipValue(text, pos);
  };
  walk(0);
  return out;
}
