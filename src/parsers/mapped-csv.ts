import type { CsvMapping } from '../config/csv-mapping.ts';
import type { Dims, ParseItem, Tokens, UsageRecord } from '../core/record.ts';
import { DIM_KEYS, stringMap } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import type { CsvRow } from './csv-rows.ts';
import { csvHeader, parseCsvRows } from './csv-rows.ts';
import type { Parser } from './types.ts';
import { ignored, MAX_TOKENS, quietReason, rec, requestKey, RowError, toIsoInstant } from './util.ts';

/** Confidence of a mapped format whose detect columns are all present: above every built-in parser's. */
export const MAPPED_CONFIDENCE = 0.99;

/** Reason for a row whose mapped cells are all empty (a spacer or a totals row's blank twin). */
export const EMPTY_ROW = quietReason('empty row');

type NumberFormat = CsvMapping['number_format'];

/**
 * A reader of numbers written as `number_format` says. Strict: a grouping separator must group by threes, and a
 * separator the format does not name is an error, so "1.234" is never read as 1.234 when 1234 was meant.
 */
export function numberReader(fmt: NumberFormat): (text: string) => number | undefined {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const dec = esc(fmt.decimal);
  // Spreadsheets group with no-break spaces (U+00A0, U+202F) where a plain space was asked for.
  const sep = fmt.thousands === ' ' ? '[ \\u00a0\\u202f]' : esc(fmt.thousands);
  const int = fmt.thousands === '' ? '\\d+' : `\\d{1,3}(?:${sep}\\d{3})+|\\d+`;
  const re = new RegExp(`^(-?)(${int})(?:${dec}(\\d+))?$`);
  const strip = fmt.thousands === '' ? undefined : new RegExp(sep, 'g');
  return (text) => {
    const m = re.exec(text);
    if (!m) return undefined;
    const digits = strip ? m[2]!.replace(strip, '') : m[2]!;
    const n = Number(`${m[1]}${digits}.${m[3] ?? '0'}`);
    return n === 0 ? 0 : n; // no -0
  };
}

function describeFormat(fmt: NumberFormat): string {
  return `number_format: decimal "${fmt.decimal}", thousands "${fmt.thousands}"`;
}

const DATE_LAYOUTS: Record<string, { re: RegExp; y: number; m: number; d: number }> = {
  'MM/DD/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})/, y: 3, m: 1, d: 2 },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})/, y: 3, m: 2, d: 1 },
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})/, y: 3, m: 2, d: 1 },
  'YYYY/MM/DD': { re: /^(\d{4})\/(\d{1,2})\/(\d{1,2})/, y: 1, m: 2, d: 3 },
};
const TIME_OF_DAY = /^(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function instantFromMs(ms: number, what: string, text: string): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!Number.isFinite(ms) || y < 2000 || y > 2200) {
    throw new RowError(`${what} is out of range: ${JSON.stringify(text)}`);
  }
  return d.toISOString();
}

/** A timestamp cell in the mapping's layout, as an ISO instant (times without a zone are UTC). */
function readTimestamp(text: string, format: CsvMapping['timestamp_format'], what: string): string {
  if (format === 'iso') return toIsoInstant(text, what);
  if (format === 'epoch_s' || format === 'epoch_ms') {
    if (!/^\d+(\.\d+)?$/.test(text))
      throw new RowError(`${what} is not ${format} (a number): ${JSON.stringify(text)}`);
    return instantFromMs(Number(text) * (format === 'epoch_s' ? 1000 : 1), what, text);
  }
  const layout = DATE_LAYOUTS[format]!;
  const m = layout.re.exec(text);
  const t = m ? TIME_OF_DAY.exec(text.slice(m[0].length)) : null;
  if (!m || !t) throw new RowError(`${what} is not ${format} [HH:MM[:SS]]: ${JSON.stringify(text)}`);
  const y = Number(m[layout.y]);
  const mo = Number(m[layout.m]);
  const d = Number(m[layout.d]);
  const h = Number(t[1] ?? 0);
  const mi = Number(t[2] ?? 0);
  const s = Number(t[3] ?? 0);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 31/02 over into March: reject instead of guessing.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new RowError(`${what} is not a valid ${format} date: ${JSON.stringify(text)}`);
  }
  return instantFromMs(ms, what, text);
}

/** Every column the mapping names, with the key that names it (for header checks and messages). */
function mappedColumns(m: CsvMapping): [key: string, column: string][] {
  const out: [string, string][] = [['timestamp', m.timestamp]];
  if (typeof m.provider === 'string') out.push(['provider', m.provider]);
  if (typeof m.model === 'string') out.push(['model', m.model]);
  for (const [k, c] of Object.entries(m.tokens)) if (c !== undefined) out.push([`tokens.${k}`, c]);
  if (m.requests !== undefined) out.push(['requests', m.requests]);
  if (m.cost !== undefined) out.push(['cost', m.cost]);
  if (typeof m.currency === 'string') out.push(['currency', m.currency]);
  if (m.request_id !== undefined) out.push(['request_id', m.request_id]);
  for (const k of DIM_KEYS) {
    const c = m.dims[k];
    if (c !== undefined) out.push([`dims.${k}`, c]);
  }
  m.tags.forEach((c, i) => out.push([`tags.${i}`, c]));
  return out;
}

/** Reads one row with a mapping; every error names the mapping key and the column. */
class RowReader {
  private readonly m: CsvMapping;
  private readonly num: (text: string) => number | undefined;
  private readonly columns: [string, string][];
  constructor(m: CsvMapping) {
    this.m = m;
    this.num = numberReader(m.number_format);
    this.columns = mappedColumns(m);
  }

  /** Throws RowError (reported at line 1) naming every mapped column the header lacks. */
  checkHeader(header: readonly string[]): void {
    const have = new Set(header.map((h) => h.toLowerCase()));
    const missing = this.columns.filter(([, c]) => !have.has(c.toLowerCase()));
    if (missing.length > 0) {
      throw new RowError(
        `csv_formats "${this.m.id}": ${missing.map(([k, c]) => `${k} column ${JSON.stringify(c)}`).join(', ')} ` +
          `not in the header (it has: ${header.join(', ')})`,
      );
    }
  }

  isEmpty(row: CsvRow): boolean {
    return this.columns.every(([, c]) => row.get(c) === undefined);
  }

  private number(row: CsvRow, key: string, col: string): number | undefined {
    const text = row.get(col);
    if (text === undefined) return undefined;
    const n = this.num(text);
    if (n === undefined) {
      throw new RowError(
        `${key} column ${JSON.stringify(col)} is not a number: ${JSON.stringify(text)} (${describeFormat(this.m.number_format)})`,
      );
    }
    return n;
  }

  private count(row: CsvRow, key: string, col: string | undefined): number {
    if (col === undefined) return 0;
    const n = this.number(row, key, col);
    if (n === undefined) return 0;
    if (n < 0) throw new RowError(`${key} column ${JSON.stringify(col)} is negative: ${row.get(col)}`);
    if (!Number.isInteger(n))
      throw new RowError(`${key} column ${JSON.stringify(col)} is not a whole number: ${row.get(col)}`);
    if (n > MAX_TOKENS)
      throw new RowError(`${key} column ${JSON.stringify(col)} is absurdly large: ${row.get(col)}`);
    return n;
  }

  private text(row: CsvRow, key: string, spec: string | { value: string }): string {
    if (typeof spec !== 'string') return spec.value;
    const v = row.get(spec);
    if (v === undefined) throw new RowError(`${key} column ${JSON.stringify(spec)} is empty`);
    return v;
  }

  private tokens(row: CsvRow): Tokens {
    const t = this.m.tokens;
    const total = this.count(row, 'tokens.input', t.input);
    const cacheRead = this.count(row, 'tokens.cache_read', t.cache_read);
    const cacheWrite = this.count(row, 'tokens.cache_write', t.cache_write);
    const w1h = this.count(row, 'tokens.cache_write_1h', t.cache_write_1h);
    const output = this.count(row, 'tokens.output', t.output);
    const reasoning = this.count(row, 'tokens.reasoning', t.reasoning);
    let input = total;
    if (this.m.input_includes_cached) {
      // OpenAI's convention: input counts cache reads and writes; keep only the uncached part.
      input = total - cacheRead - cacheWrite;
      if (input < 0) {
        throw new RowError(
          `tokens.cache_read + tokens.cache_write (${cacheRead + cacheWrite}) exceed tokens.input (${total}), ` +
            'but input_includes_cached says input includes them',
        );
      }
    }
    if (w1h > cacheWrite) {
      throw new RowError(`tokens.cache_write_1h (${w1h}) exceeds tokens.cache_write (${cacheWrite})`);
    }
    if (reasoning > output) {
      throw new RowError(
        `tokens.reasoning (${reasoning}) exceeds tokens.output (${output}): reasoning must be a part of output`,
      );
    }
    const tokens: Tokens = { input, cacheRead, cacheWrite, output };
    if (t.cache_write_1h !== undefined) tokens.cacheWrite1h = w1h;
    if (t.reasoning !== undefined && reasoning > 0) tokens.reasoning = reasoning;
    return tokens;
  }

  record(row: CsvRow, source: UsageRecord['source']): UsageRecord {
    const m = this.m;
    const ts = row.get(m.timestamp);
    if (ts === undefined) throw new RowError(`timestamp column ${JSON.stringify(m.timestamp)} is empty`);
    const start = readTimestamp(ts, m.timestamp_format, `timestamp column ${JSON.stringify(m.timestamp)}`);
    // Provider ids are lower-case everywhere in finops (`openai`, `aws-bedrock`); a column may say "OpenAI".
    const provider = this.text(row, 'provider', m.provider).toLowerCase();
    const model = this.text(row, 'model', m.model);
    const dims: Dims = {};
    for (const k of DIM_KEYS) {
      const c = m.dims[k];
      const v = c === undefined ? undefined : row.get(c);
      if (v !== undefined) dims[k] = v;
    }
    const tags = stringMap();
    for (const c of m.tags) {
      const v = row.get(c);
      if (v !== undefined) tags[c] = v;
    }
    const r: UsageRecord = {
      start,
      provider,
      model,
      modelRaw: model,
      requests: m.requests === undefined ? 1 : this.count(row, 'requests', m.requests),
      tokens: this.tokens(row),
      dims,
      tags,
      source,
    };
    if (m.cost !== undefined) {
      const amount = this.number(row, 'cost', m.cost);
      if (amount !== undefined) {
        const currency =
          m.currency === undefined ? 'USD' : this.text(row, 'currency', m.currency).toUpperCase();
        r.reportedCost = { amount, currency };
      }
    }
    if (m.request_id !== undefined) {
      const id = row.get(m.request_id);
      if (id !== undefined) {
        r.requestId = id;
        r.dedupKey = requestKey(provider, id);
      }
    }
    return r;
  }
}

/** A parser for one `csv_formats` entry: detected by its columns (above every built-in parser), id `csv:<id>`. */
export function createMappedCsvParser(mapping: CsvMapping): Parser {
  const id = `csv:${mapping.id}`;
  const want = mapping.detect.columns.map((c) => c.toLowerCase());
  const delimiterName = mapping.delimiter === '\t' ? 'tab' : `"${mapping.delimiter}"`;
  return {
    id,
    title: `your CSV format "${mapping.id}" (csv_formats in finops.yaml)`,
    detection: `header (delimiter ${delimiterName}) has all of: ${mapping.detect.columns.join(', ')}`,
    origin: 'your own export, described under csv_formats in finops.yaml',
    detect(head) {
      const have = new Set(csvHeader(head, mapping.delimiter).map((h) => h.toLowerCase()));
      return want.every((c) => have.has(c)) ? MAPPED_CONFIDENCE : 0;
    },
    parse(input: InputSource): AsyncIterable<ParseItem[]> {
      const file = input.name;
      const reader = new RowReader(mapping);
      return parseCsvRows(
        input,
        {
          header: (cols) => reader.checkHeader(cols),
          row(row, line, out) {
            if (reader.isEmpty(row)) out.push(ignored(file, line, EMPTY_ROW));
            else out.push(rec(reader.record(row, { file, line, format: id })));
          },
        },
        { delimiter: mapping.delimiter },
      );
    },
  };
}

/** Parsers for every `csv_formats` entry, in config order (for readRecords' `parsers` option). */
export function mappedCsvParsers(mappings: readonly CsvMapping[]): Parser[] {
  return mappings.map(createMappedCsvParser);
}
