import { StringDecoder } from 'node:string_decoder';
import { parse, type CsvError, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { ParseItem } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { problem, rowFailure } from './util.ts';

/** Longest CSV record kept (a runaway quote would otherwise swallow the rest of the file). */
export const MAX_CSV_RECORD_BYTES = 16 * 1024 * 1024;

/** One data row, read by header name (exact, then case-insensitive). Empty cells read as undefined. */
export class CsvRow {
  private readonly cells: string[];
  private readonly index: Map<string, number>;
  constructor(cells: string[], index: Map<string, number>) {
    this.cells = cells;
    this.index = index;
  }
  /** The cell under `column`, trimmed; undefined when the column is absent or the cell empty (or `NULL`). */
  get(column: string): string | undefined {
    const i = columnOf(this.index, column);
    return i < 0 ? undefined : cellValue(this.cells[i]);
  }
  /**
   * The cell at column position `i` (from the `column` lookup a handler's `header` is given), read as `get`
   * reads it; undefined for a negative `i` (a column the header lacks). Saves the name lookup on hot paths.
   */
  at(i: number): string | undefined {
    return i < 0 ? undefined : cellValue(this.cells[i]);
  }
  /** True when the header has this column. */
  has(column: string): boolean {
    return columnOf(this.index, column) >= 0;
  }
}

/** A cell as `CsvRow.get` gives it: trimmed; undefined when missing, empty or `NULL`. */
function cellValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const n = v.length;
  if (n === 0) return undefined;
  // Printable ASCII at both ends: nothing to trim (no character in 33..126 is white space), so no copy.
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(n - 1);
  if (a > 32 && a < 127 && b > 32 && b < 127) return n === 4 && v === 'NULL' ? undefined : v;
  const t = v.trim();
  return t === '' || t === 'NULL' ? undefined : t;
}

// The header index, shared by a file's rows, also remembers names asked for and how they resolved (-1: absent),
// so a name is lower-cased once per file, not once per row.
function columnOf(index: Map<string, number>, name: string): number {
  const i = index.get(name);
  if (i !== undefined) return i;
  const j = index.get(name.toLowerCase()) ?? -1;
  if (index.size < MAX_REMEMBERED_NAMES) index.set(name, j);
  return j;
}

const MAX_REMEMBERED_NAMES = 100_000;

/** What a CSV parser does with its header and each row. */
export interface CsvHandler {
  /**
   * Called with the header once; throw RowError to refuse the whole file (reported at line 1). `column` gives the
   * position `CsvRow.get(name)` reads (-1: absent), for `CsvRow.at`.
   */
  header?(columns: readonly string[], column: (name: string) => number): void;
  /** One data row at 1-based `line`; push records (or ignored/problem items). A RowError becomes a problem. */
  row(row: CsvRow, line: number, out: ParseItem[]): void;
}

/**
 * Streams a CSV file with a header row, synchronously per chunk (no `await` per row): BOM, quoted fields with
 * newlines, CRLF. A malformed record (unterminated quote, too long) becomes a problem with its line and the rest
 * of the file is still read where csv-parse can resume.
 *
 * Speed: csv-parse costs ~5 µs a row; most exports are plain lines. So lines are read here while every line is a
 * complete record of the kind whose reading is not in doubt (no quote, or well-formed quoted fields; no stray
 * `\r`; LF or CRLF throughout), and split with `String#split` or a small quoted-field reader. At the first line
 * that is anything else, the rest of the input from that line on goes to csv-parse (streaming, the record
 * delimiter already known, line numbers offset), which therefore decides every doubtful case exactly as before.
 */
export async function* parseCsvRows(
  input: InputSource,
  handler: CsvHandler,
  opts: { delimiter?: string } = {},
): AsyncIterable<ParseItem[]> {
  const file = input.name;
  const delimiter = opts.delimiter ?? ',';
  const st: CsvState = { file, handler, out: [], refused: false };
  // Every piece is decoded (copied into a string) before the next is asked for, and the decoder keeps a copy of a
  // character cut at the end: no chunk is kept, so the input may read into the same buffers over and over.
  const it = pieces(input.chunks({ reusable: true }), DECODE_BYTES)[Symbol.asyncIterator]();
  const decoder = new StringDecoder('utf8');
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    yield* streamCsv(st, '', it, decoder, { delimiter, lineOffset: 0, bom: true });
    return;
  }
  let carry = '';
  let lineNo = 0; // physical lines read so far
  let crlf: boolean | undefined; // the record delimiter, from the first line
  let rest: string | undefined; // set when csv-parse takes over: the text from the doubtful line on
  for (;;) {
    const r = await it.next();
    const fresh = r.done ? decoder.end() : decoder.write(r.value as Buffer);
    let text = fresh;
    let pos = 0;
    let lineEnd = true; // false: `text` only continues the carried line (no LF in it: nothing to look for)
    if (crlf === undefined) {
      text = carry + fresh;
      const inFresh = fresh.indexOf('\n'); // (the carry has none)
      const nl = inFresh === -1 ? -1 : carry.length + inFresh;
      if (nl === -1 && !r.done && text.length <= MAX_CSV_RECORD_BYTES) {
        carry = text;
        continue;
      }
      const first = nl === -1 ? text : text.slice(0, nl);
      const cr = first.indexOf('\r');
      // A quoted header, or a lone CR: let csv-parse detect the record delimiter from the start, as it always did.
      if (first.includes('"') || (cr !== -1 && cr !== first.length - 1) || (nl === -1 && cr !== -1)) {
        yield* streamCsv(st, text, it, decoder, { delimiter, lineOffset: 0, bom: true, done: r.done });
        return;
      }
      crlf = cr !== -1;
    } else if (carry.length > 0) {
      const nl = fresh.indexOf('\n');
      if (nl === -1) {
        text = carry + fresh;
        lineEnd = false;
      } else {
        // The line begun in the last piece is joined alone: the new piece is read where it is, not copied behind it.
        const line = carry + fresh.slice(0, nl + 1);
        if (fastLine(st, newScan(line, delimiter), 0, line.length - 1, lineNo + 1, crlf, true)) {
          lineNo++;
          pos = nl + 1;
        } else rest = carry + fresh;
      }
    }
    if (rest === undefined) {
      const scan = newScan(text, delimiter);
      for (let nl = lineEnd ? text.indexOf('\n', pos) : -1; nl !== -1; nl = text.indexOf('\n', pos)) {
        if (!fastLine(st, scan, pos, nl, lineNo + 1, crlf, true)) {
          rest = text.slice(pos);
          break;
        }
        lineNo++;
        pos = nl + 1;
      }
      if (rest === undefined) {
        carry = pos === 0 ? text : text.slice(pos);
        if (r.done) {
          if (carry.length > 0 && !fastLine(st, scan, pos, text.length, lineNo + 1, crlf, false))
            rest = carry;
        } else if (carry.length > MAX_CSV_RECORD_BYTES) rest = carry;
      }
    }
    if (rest !== undefined) {
      if (input.hints) input.hints.irregular = true;
      const lineOffset = lineNo;
      yield* streamCsv(st, rest, it, decoder, {
        delimiter,
        lineOffset,
        recordDelimiter: crlf ? '\r\n' : '\n',
        bom: lineOffset === 0,
        done: r.done,
      });
      return;
    }
    if (st.out.length > 0) {
      yield st.out;
      st.out = [];
    }
    if (r.done) return;
  }
}

/**
 * Input chunks are decoded in pieces of at most this many bytes. Every cell of a line is a view into the string its
 * piece decodes to, which lives as long as any cell does. A string this small is allocated in V8's young generation
 * and freed by the next scavenge once its rows are done; a 256 KiB one goes to the large-object space, which only a
 * full collection frees (on the CSV benchmark: half the scavenge time, a third less peak memory).
 */
const DECODE_BYTES = 64 * 1024;

/** `src` cut into pieces of at most `max` bytes (views, not copies). */
async function* pieces(src: AsyncIterable<Buffer>, max: number): AsyncIterable<Buffer> {
  for await (const b of src) {
    if (b.length <= max) yield b;
    else for (let i = 0; i < b.length; i += max) yield b.subarray(i, Math.min(i + max, b.length));
  }
}

interface CsvState {
  file: string;
  handler: CsvHandler;
  out: ParseItem[];
  index?: Map<string, number>;
  refused: boolean;
}

/** The header (first record) or a data row, to the handler; a RowError (or RangeError) becomes a problem. */
function onRecord(st: CsvState, record: string[], line: number): void {
  if (st.refused) return;
  if (!st.index) {
    const index = new Map<string, number>();
    record.forEach((h, i) => {
      const name = h.trim();
      if (!index.has(name)) index.set(name, i);
      if (!index.has(name.toLowerCase())) index.set(name.toLowerCase(), i);
    });
    st.index = index;
    try {
      st.handler.header?.(
        record.map((h) => h.trim()),
        (name) => columnOf(index, name),
      );
    } catch (e) {
      st.out.push(problem(st.file, line, rowFailure(e)));
      st.refused = true;
    }
    return;
  }
  try {
    st.handler.row(new CsvRow(record, st.index), line, st.out);
  } catch (e) {
    st.out.push(problem(st.file, line, rowFailure(e)));
  }
}

/**
 * A decoded chunk being read line by line, with where the next quote, CR and delimiter are (at or after the line
 * being read; -1: not searched yet, `text.length`: none), so that each is searched for once per occurrence
 * rather than once per line: a file without quotes or CRs costs one search per chunk for each.
 */
interface Scan {
  text: string;
  d: string;
  quote: number;
  cr: number;
  delim: number;
}

function newScan(text: string, d: string): Scan {
  return { text, d, quote: -1, cr: -1, delim: -1 };
}

/** The first `ch` in `text` at or after `from`; `text.length` when there is none. */
function nextOf(text: string, ch: string, from: number): number {
  const i = text.indexOf(ch, from);
  return i === -1 ? text.length : i;
}

/**
 * One physical line on the fast path, `text[start, nl)` of the chunk: false (nothing done) when csv-parse must
 * read it, i.e. when it is not certainly one complete record: a stray CR, a missing CR in a CRLF file, a quote
 * that is not a well-formed quoted field on this line, or a record longer than csv-parse would take.
 * `terminated`: an LF follows (at `nl`); else the line is the last of the input.
 */
function fastLine(
  st: CsvState,
  sc: Scan,
  start: number,
  nl: number,
  n: number,
  crlf: boolean,
  terminated: boolean,
): boolean {
  const text = sc.text;
  let end = nl;
  // A bare LF inside a CRLF file is data to csv-parse, and so is a CR at the very end (no LF after it).
  if (crlf && terminated) {
    if (end === start || text.charCodeAt(end - 1) !== 13) return false;
    end--;
  }
  if (n === 1 && start < end && text.charCodeAt(start) === 0xfeff) start++; // csv-parse's `bom`
  if (start === end) return true; // skip_empty_lines
  if (end - start > MAX_CSV_RECORD_BYTES) return false;
  if (sc.cr < start) sc.cr = nextOf(text, '\r', start);
  if (sc.cr < end) return false;
  if (sc.quote < start) sc.quote = nextOf(text, '"', start);
  let cells: string[] | undefined;
  if (sc.quote < end) cells = splitQuoted(text.slice(start, end), sc.d);
  else {
    // String#split of the line, without cutting the line out first.
    cells = [];
    const d = sc.d;
    for (let i = start; ;) {
      if (sc.delim < i) sc.delim = nextOf(text, d, i);
      const e = sc.delim;
      if (e >= end) {
        cells.push(text.slice(i, end));
        break;
      }
      cells.push(text.slice(i, e));
      i = e + 1;
    }
  }
  if (cells === undefined) return false;
  onRecord(st, cells, n);
  return true;
}

/**
 * Fields of a line whose quotes are all well-formed quoted fields (`"…"`, `""` for a quote, closed on this
 * line and followed by the delimiter or the end); undefined for anything else (csv-parse decides those).
 */
function splitQuoted(line: string, d: string): string[] | undefined {
  const cells: string[] = [];
  const n = line.length;
  let i = 0;
  let nextQuote = line.indexOf('"'); // the first quote at or after i (-1: none), searched again only once passed
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let val = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) return undefined; // closed on a later line (or never)
        if (line.charCodeAt(q + 1) === 34) {
          val += line.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        val += line.slice(j, q);
        i = q + 1;
        break;
      }
      cells.push(val);
      nextQuote = line.indexOf('"', i);
      if (i === n) return cells;
      if (line[i] !== d) return undefined; // text after a closing quote
      i++;
    } else {
      const e = line.indexOf(d, i);
      const end = e === -1 ? n : e;
      if (nextQuote !== -1 && nextQuote < end) return undefined; // a quote inside an unquoted field
      cells.push(line.slice(i, end));
      if (e === -1) return cells;
      i = e + 1;
    }
    if (i === n) {
      cells.push(''); // a trailing delimiter
      return cells;
    }
  }
}

/**
 * The rest of the input through csv-parse (streaming): `first` (already decoded), then what `it` still gives.
 * Line numbers are offset by the lines read before; the record delimiter is passed when already known.
 */
async function* streamCsv(
  st: CsvState,
  first: string,
  it: AsyncIterator<Buffer>,
  decoder: StringDecoder,
  o: { delimiter: string; lineOffset: number; recordDelimiter?: string; bom: boolean; done?: boolean },
): AsyncIterable<ParseItem[]> {
  const file = st.file;
  const off = o.lineOffset;
  const options: Record<string, unknown> = {
    bom: o.bom,
    delimiter: o.delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
    on_skip: (err: CsvError | undefined) => {
      if (err)
        st.out.push(problem(file, lineOf(err) + off, `unreadable CSV record: ${err.message.split(':')[0]}`));
      return undefined;
    },
    on_record: (record: string[], info: { lines: number }) => {
      onRecord(st, record, info.lines + off);
      return null; // handled here: nothing is queued in the stream
    },
  };
  if (o.recordDelimiter !== undefined) options.record_delimiter = o.recordDelimiter;
  const parser = parse(options as unknown as Options);
  let failure: Error | undefined;
  parser.on('error', (e: Error) => (failure = e));
  parser.resume(); // nothing is emitted (on_record returns null), but keep the stream flowing
  const write = async (text: string): Promise<void> => {
    if (text.length > 0 && !parser.write(text))
      await new Promise<void>((r) => parser.once('drain', () => r()));
  };
  await write(first);
  if (!o.done) {
    for (let r = await it.next(); !r.done && !failure; r = await it.next()) {
      await write(decoder.write(r.value as Buffer));
      if (st.out.length > 0) {
        yield st.out;
        st.out = [];
      }
    }
    if (!failure) await write(decoder.end());
  }
  if (!failure) {
    await new Promise<void>((res) => {
      parser.once('end', () => res());
      parser.once('error', () => res());
      parser.end();
    });
  }
  if (failure) {
    st.out.push(problem(file, lineOf(failure) + off, `CSV cannot be read past here: ${failure.message}`));
  }
  if (st.out.length > 0) {
    yield st.out;
    st.out = [];
  }
}

function lineOf(err: Error): number {
  const lines = (err as { lines?: unknown }).lines;
  return typeof lines === 'number' ? lines : 0;
}

/** The header row of a CSV head (first record), trimmed; [] when the head is not CSV. For `detect`. */
export function csvHeader(head: string, delimiter = ','): string[] {
  // Every CSV parser's detect asks for the same head in turn: remember the last answer (a copy is returned).
  if (head === lastHead && delimiter === lastDelimiter) return [...lastHeader];
  const nl = head.indexOf('\n');
  const first = (nl === -1 ? head : head.slice(0, nl)).replace(/^\uFEFF/, '').replace(/\r$/, '');
  let header: string[];
  // A JSON line (every JSON Lines head) is no CSV header: reading it as one only costs time (64 KB lines).
  if (first.length === 0 || first.charCodeAt(0) === 123) header = [];
  else if (!first.includes('"') && !first.includes('\r'))
    header = first.split(delimiter).map((h) => h.trim());
  else {
    try {
      const rows = parseSync(first, {
        delimiter,
        relax_quotes: true,
        relax_column_count: true,
      }) as string[][];
      header = (rows[0] ?? []).map((h) => h.trim());
    } catch {
      header = [];
    }
  }
  lastHead = head;
  lastDelimiter = delimiter;
  lastHeader = header;
  return [...header];
}

let lastHead: string | undefined;
let lastDelimiter = ',';
let lastHeader: string[] = [];
