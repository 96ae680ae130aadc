import type { ParseItem, ParseProblem, UsageRecord } from '../core/record.ts';
import type { LineBatch } from '../io/lines.ts';
import { MAX_LINE_BYTES } from '../io/lines.ts';

/** Thrown inside a parser for one bad row; caught by the parser and turned into a problem. */
export class RowError extends Error {}

/**
 * The reason a row failed, for a problem: a RowError's message, or — for hostile input such as a value nested
 * 200,000 deep, which overflows the stack of any recursive walk (JSON.stringify included) — a RangeError turned
 * into "too deeply nested or too large". Anything else is a bug and is re-thrown.
 */
export function rowFailure(e: unknown): string {
  if (e instanceof RowError) return e.message;
  if (e instanceof RangeError) return `value too deeply nested or too large to read (${e.message})`;
  throw e;
}

/** A record item. */
export function rec(record: UsageRecord): ParseItem {
  return { kind: 'record', record };
}

/** A problem item for one row. */
export function problem(file: string, line: number, reason: string): ParseItem {
  const p: ParseProblem = { file, line, reason };
  return { kind: 'problem', problem: p };
}

/**
 * Reasons for ignored rows that are the format's normal structure (a Claude Code user line, a trace span without
 * usage, an empty day in a download): counted like every ignored row, but not worth a note in a report.
 */
export const QUIET_REASONS = new Set<string>();

/** Registers `reason` as quiet (see QUIET_REASONS) and returns it. */
export function quietReason(reason: string): string {
  QUIET_REASONS.add(reason);
  return reason;
}

/** An ignored-row item: a row of the export that is not AI usage (counted by reason, not priced). */
export function ignored(file: string, line: number, reason: string): ParseItem {
  return { kind: 'ignored', ignored: { file, line, reason } };
}

/** Problems for lines that `lineBatches` skipped because they were too long. */
export function tooLongProblems(batch: LineBatch, file: string, out: ParseItem[]): void {
  if (!batch.tooLong) return;
  for (const n of batch.tooLong)
    out.push(problem(file, n, `line longer than ${MAX_LINE_BYTES} bytes; skipped`));
}

const EPOCH_MS_FLOOR = 1e12; // numbers at or above this are milliseconds (2001-09-09 in ms), below are seconds

/**
 * A timestamp as an ISO-8601 UTC instant (`…Z`). Accepts ISO strings with or without a zone (no zone = UTC),
 * `YYYY-MM-DD HH:MM[:SS]`, a date alone, and epoch seconds or milliseconds as numbers or digit strings.
 * Throws RowError when it is none of these.
 */
export function toIsoInstant(value: unknown, field = 'timestamp'): string {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new RowError(`${field} is not a valid time: ${String(value)}`);
    ms = value >= EPOCH_MS_FLOOR ? value : value * 1000;
  } else if (typeof value === 'string') {
    const s = value.trim();
    const simple = simpleInstant(s);
    if (simple !== undefined) return simple;
    if (/^\d+(\.\d+)?$/.test(s)) return toIsoInstant(Number(s), field);
    let iso = s.replace(' ', 'T');
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
    else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso))
      throw new RowError(`${field} is not a valid time: ${JSON.stringify(value)}`);
    ms = Date.parse(iso);
  } else {
    throw new RowError(
      value === undefined || value === null ? `no ${field}` : `${field} is not a valid time`,
    );
  }
  if (!Number.isFinite(ms)) throw new RowError(`${field} is not a valid time: ${JSON.stringify(value)}`);
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (y < 2000 || y > 2200) throw new RowError(`${field} is out of range: ${JSON.stringify(value)}`);
  return d.toISOString();
}

/**
 * A copy of `s` that holds on to nothing else, for a key kept in a memo. A cell cut from a chunk of the input
 * (String#split, #slice) is, in V8, a view into the whole chunk: kept as a key, it would keep that chunk (256 KiB)
 * alive, and a memo of a few thousand keys would hold most of the file.
 */
export function detach(s: string): string {
  return (' ' + s).slice(1);
}

/** Most distinct timestamp texts an InstantMemo remembers (memory stays bounded on any input). */
export const INSTANT_MEMO_LIMIT = 10_000;

/**
 * toIsoInstant of the forms most logs and exports write, read without regular expressions or Date.parse:
 * `YYYY-MM-DD`, and `YYYY-MM-DD[T ]HH:MM:SS[.sss][Z]` with every field in range (a real day of the month,
 * hour ≤ 23 …) and the year in 2000..2200. Undefined for anything else, which the general reading decides.
 */
function simpleInstant(s: string): string | undefined {
  const n = s.length;
  if (n !== 10 && n !== 19 && n !== 20 && n !== 23 && n !== 24) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  if (y < 2000 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (n === 10) return `${s}T00:00:00.000Z`;
  const t = s.charCodeAt(10);
  if ((t !== 84 && t !== 32) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const zulu = n === 20 || n === 24;
  if (zulu && s.charCodeAt(n - 1) !== 90) return undefined;
  const frac = n >= 23;
  if (frac && (s.charCodeAt(19) !== 46 || digitsAt(s, 20, 3) < 0)) return undefined;
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  // Built from copies of its parts even when `s` is already in this form: `s` may be a view into a whole chunk of
  // the input, which a kept instant must not hold on to.
  return `${s.slice(0, 10)}T${s.slice(11, 19)}.${frac ? s.slice(20, 23) : '000'}Z`;
}

/** The number written by `len` ASCII digits at `at`; -1 when one of them is not a digit. */
export function digitsAt(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days in month `m` (1–12) of year `y`, Gregorian. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * `convert(text, field)` (toIsoInstant by default) remembered per distinct text: exports repeat the same bucket
 * boundaries on thousands of rows. The last text is checked first (rows come in time order), then a map of up to
 * INSTANT_MEMO_LIMIT texts. Only results are remembered, never failures, so a bad cell fails on every row with the
 * same message; `convert` must not depend on `field` except for its error messages.
 */
export class InstantMemo {
  private readonly convert: (v: unknown, field: string) => string;
  private readonly known = new Map<string, string>();
  private lastText: string | undefined;
  private lastIso = '';
  constructor(convert: (v: unknown, field: string) => string = toIsoInstant) {
    this.convert = convert;
  }
  /** The instant for `text`, or the RowError `convert` throws for it. */
  get(text: string, field: string): string {
    if (text === this.lastText) return this.lastIso;
    let iso = this.known.get(text);
    if (iso === undefined) {
      iso = this.convert(text, field);
      if (this.known.size < INSTANT_MEMO_LIMIT) this.known.set(detach(text), iso);
    }
    this.lastText = text;
    this.lastIso = iso;
    return iso;
  }
}

/** Upper bound for one token count: above it a row is rejected as absurd (10^12 tokens ≈ $10M on any list). */
export const MAX_TOKENS = 1e12;

/**
 * A token count from a JSON value: a non-negative integer (digit strings accepted), or 0 when absent.
 * Throws RowError naming the field when negative, fractional, absurd or not a number.
 */
export function tokenCount(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'string' ? numberText(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new RowError(`${field} is not a number: ${JSON.stringify(value)}`);
  if (n < 0) throw new RowError(`${field} is negative: ${n}`);
  if (!Number.isInteger(n)) throw new RowError(`${field} is not a whole number: ${n}`);
  if (n > MAX_TOKENS) throw new RowError(`${field} is absurdly large: ${n}`);
  return n;
}

/**
 * A count written as text: plain digits, digits grouped by thousands (`1,234,567`, `1 234 567`, `1_234`), or
 * scientific notation (`1.5e3`). Anything else is returned as is, for the caller to reject by type.
 */
function numberText(value: string): unknown {
  const t = value.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?\d{1,3}([,_\u00a0\u202f ]\d{3})+$/.test(t)) return Number(t.replace(/[,_\u00a0\u202f ]/g, ''));
  if (/^-?\d+(\.\d+)?[eE][+-]?\d+$/.test(t)) return Number(t);
  return value;
}

/** A string field, or undefined when absent/empty; numbers are stringified. */
export function optString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The de-duplication key of one provider request, shared by every request-level format (gateway logs,
 * observability exports, OTel spans): the same call seen by two tools is counted once.
 */
export function requestKey(provider: string, requestId: string): string {
  return `request:${provider}:${requestId}`;
}
