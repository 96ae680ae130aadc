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
  private readonly index: ReadonlyMap<string, number>;
  constructor(cells: string[], index: ReadonlyMap<string, number>) {
    this.cells = cells;
    this.index = index;
  }
  /** The cell under `column`, trimmed; undefined when the column is absent or the cell empty (or `NULL`). */
  get(column: string): string | undefined {
    const i = this.index.get(column) ?? this.index.get(column.toLowerCase());
    if (i === undefined) return undefined;
    const v = this.cells[i]?.trim();
    return v === undefined || v === '' || v === 'NULL' ? undefined : v;
  }
  /** True when the header has this column. */
  has(column: string): boolean {
    return this.index.has(column) || this.index.has(column.toLowerCase());
  }
}

/** What a CSV parser does with its header and each row. */
export interface CsvHandler {
  /** Called with the header once; throw RowError to refuse the whole file (reported at line 1). */
  header?(columns: readonly string[]): void;
  /** One data row at 1-based `line`; push records (or ignored/problem items). A RowError becomes a problem. */
  row(row: CsvRow, line: number, out: ParseItem[]): void;
}

/**
 * Streams a CSV file with a header row through csv-parse, synchronously per chunk (no `await` per row): BOM,
 * quoted fields with newlines, CRLF. A malformed record (unterminated quote, too long) becomes a problem with its
 * line and the rest of the file is still read where csv-parse can resume.
 */
export async function* parseCsvRows(
  input: InputSource,
  handler: CsvHandler,
  opts: { delimiter?: string } = {},
): AsyncIterable<ParseItem[]> {
  const file = input.name;
  let out: ParseItem[] = [];
  let index: Map<string, number> | undefined;
  let refused = false;
  const parser = parse({
    bom: true,
    delimiter: opts.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
    on_skip: (err: CsvError | undefined) => {
      if (err) out.push(problem(file, lineOf(err), `unreadable CSV record: ${err.message.split(':')[0]}`));
      return undefined;
    },
    on_record: (record: string[], info: { lines: number }) => {
      if (refused) return null;
      if (!index) {
        index = new Map();
        record.forEach((h, i) => {
          const name = h.trim();
          if (!index!.has(name)) index!.set(name, i);
          if (!index!.has(name.toLowerCase())) index!.set(name.toLowerCase(), i);
        });
        try {
          handler.header?.(record.map((h) => h.trim()));
        } catch (e) {
          out.push(problem(file, info.lines, rowFailure(e)));
          refused = true;
        }
        return null;
      }
      try {
        handler.row(new CsvRow(record, index), info.lines, out);
      } catch (e) {
        out.push(problem(file, info.lines, rowFailure(e)));
      }
      return null; // handled here: nothing is queued in the stream
    },
  } as unknown as Options);
  let failure: Error | undefined;
  parser.on('error', (e: Error) => (failure = e));
  parser.resume(); // nothing is emitted (on_record returns null), but keep the stream flowing
  for await (const chunk of input.chunks()) {
    if (!parser.write(chunk)) await new Promise<void>((r) => parser.once('drain', () => r()));
    if (failure) break;
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  if (!failure) {
    await new Promise<void>((res) => {
      parser.once('end', () => res());
      parser.once('error', () => res());
      parser.end();
    });
  }
  if (failure) {
    out.push(problem(file, lineOf(failure), `CSV cannot be read past here: ${failure.message}`));
  }
  if (out.length > 0) yield out;
}

function lineOf(err: Error): number {
  const lines = (err as { lines?: unknown }).lines;
  return typeof lines === 'number' ? lines : 0;
}

/** The header row of a CSV head (first record), trimmed; [] when the head is not CSV. For `detect`. */
export function csvHeader(head: string, delimiter = ','): string[] {
  const nl = head.indexOf('\n');
  const first = (nl === -1 ? head : head.slice(0, nl)).replace(/^\uFEFF/, '').replace(/\r$/, '');
  if (first.length === 0) return [];
  try {
    const rows = parseSync(first, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
    return (rows[0] ?? []).map((h) => h.trim());
  } catch {
    return [];
  }
}
