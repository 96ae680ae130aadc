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
    const i = this.column(column);
    if (i < 0) return undefined;
    const v = this.cells[i]?.trim();
    return v === undefined || v === '' || v === 'NULL' ? undefined : v;
  }
  /** True when the header has this column. */
  has(column: string): boolean {
    return this.column(column) >= 0;
  }
  // The header index, shared by a file's rows, also remembers names asked for and how they resolved (-1: absent),
  // so a name is lower-cased once per file, not once per row.
  private column(name: string): number {
    const i = this.index.get(name);
    if (i !== undefined) return i;
    const j = this.index.get(name.toLowerCase()) ?? -1;
    if (this.index.size < MAX_REMEMBERED_NAMES) this.index.set(name, j);
    return j;
  }
}

const MAX_REMEMBERED_NAMES = 100_000;

/** What a CSV parser does with its header and each row. */
export interface CsvHandler {
  /** Called with the header once; throw RowError to refuse the whole file (reported at line 1). */
  header?(columns: readonly string[]): void;
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
  const it = input.chunks()[Symbol.asyncIterator]();
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
    const text = r.done ? carry + decoder.end() : carry + decoder.write(r.value as Buffer);
    let pos = 0;
    if (crlf === undefined) {
      const nl = text.indexOf('\n');
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
    }
    for (let nl = text.indexOf('\n', pos); nl !== -1; nl = text.indexOf('\n', pos)) {
      if (!fastLine(st, text.slice(pos, nl), lineNo + 1, crlf, true, delimiter)) {
        rest = text.slice(pos);
        break;
      }
      lineNo++;
      pos = nl + 1;
    }
    if (rest === undefined) {
      carry = pos === 0 ? text : text.slice(pos);
      if (r.done) {
        if (carry.length > 0 && !fastLine(st, carry, lineNo + 1, crlf, false, delimiter)) rest = carry;
      } else if (carry.length > MAX_CSV_RECORD_BYTES) rest = carry;
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
      st.handler.header?.(record.map((h) => h.trim()));
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
 * One physical line on the fast path: false (nothing done) when csv-parse must read it, i.e. when it is not
 * certainly one complete record: a stray CR, a missing CR in a CRLF file, a quote that is not a well-formed
 * quoted field on this line, or a record longer than csv-parse would take.
 */
function fastLine(
  st: CsvState,
  raw: string,
  n: number,
  crlf: boolean,
  terminated: boolean,
  delimiter: string,
): boolean {
  let line = raw;
  if (crlf) {
    // A bare LF inside a CRLF file is data to csv-parse, and so is a CR at the very end (no LF after it).
    if (!terminated || line.charCodeAt(line.length - 1) !== 13) {
      if (terminated || line.indexOf('\r') !== -1) return false;
    } else line = line.slice(0, -1);
  }
  if (n === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1); // csv-parse's `bom`
  if (line.length === 0) return true; // skip_empty_lines
  if (line.length > MAX_CSV_RECORD_BYTES || line.indexOf('\r') !== -1) return false;
  const cells = line.indexOf('"') === -1 ? line.split(delimiter) : splitQuoted(line, delimiter);
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
      if (i === n) return cells;
      if (line[i] !== d) return undefined; // text after a closing quote
      i++;
    } else {
      const e = line.indexOf(d, i);
      const end = e === -1 ? n : e;
      const q = line.indexOf('"', i);
      if (q !== -1 && q < end) return undefined; // a quote inside an unquoted field
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
