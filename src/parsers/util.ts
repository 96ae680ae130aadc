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
