import type { ParseItem } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { filteredLineBatches, lineBatches, SKIPPED_LINE } from '../io/lines.ts';
import { isObject, problem, quietReason, rowFailure, tooLongProblems } from './util.ts';

/** Default reason for lines a parser's fast path skipped because they provably hold no usage. */
export const SKIPPED_REASON = quietReason('line without usage (skipped unparsed)');

/** What a JSON Lines parser does with each object line; it pushes records or problems into `out`. */
export interface JsonLineHandler {
  /** One parsed object at 1-based `line`. A thrown RowError becomes a problem for that line. */
  line(obj: Record<string, unknown>, line: number, out: ParseItem[]): void;
  /** After the last line (for formats that hold state across lines). */
  end?(out: ParseItem[]): void;
  /**
   * Optional, for speed: true when the raw line provably yields nothing in this run (judged from its text
   * alone), so it is skipped without JSON.parse. Must never be true for a line that would yield a record. The
   * handler accounts for such lines itself (request-log: `input.hints.outOfPeriod`, like records parsed and then
   * found outside --from/--to); they are not ignored rows.
   */
  skip?(text: string): boolean;
  /**
   * Optional, for speed: a line that looks whole (`{` … `}`) and contains none of these strings (ASCII) provably
   * yields nothing, so it is skipped without being decoded or parsed (see filteredLineBatches).
   */
  skipLinesWithout?: readonly string[];
  /** The (quiet) reason under which lines skipped by `skipLinesWithout` are counted as ignored. */
  skippedReason?: string;
}

/**
 * The loop every JSON Lines format shares: stream lines in batches, skip blank ones, report over-long lines,
 * invalid JSON and non-objects as problems with their line, hand each object to the handler.
 */
export async function* parseJsonLines(
  input: InputSource,
  handler: JsonLineHandler,
): AsyncIterable<ParseItem[]> {
  const file = input.name;
  const skip = handler.skip?.bind(handler);
  const lines = handler.skipLinesWithout
    ? filteredLineBatches(input.chunks({ reusable: true }), handler.skipLinesWithout)
    : lineBatches(input.chunks({ reusable: true }));
  const skippedReason = handler.skippedReason ?? SKIPPED_REASON;
  for await (const batch of lines) {
    const out: ParseItem[] = [];
    tooLongProblems(batch, file, out);
    const lines = batch.lines;
    // Skipped lines are counted (one item per batch with a count), so the row accounting still adds up.
    let skipped = 0;
    let firstSkipped = 0;
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (text === SKIPPED_LINE) {
        if (skipped++ === 0) firstSkipped = batch.first + i;
        continue;
      }
      if (skip !== undefined && !isBlank(text) && skip(text)) continue;
      if (isBlank(text)) continue;
      const n = batch.first + i;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        out.push(problem(file, n, `invalid JSON: ${(e as Error).message}`));
        continue;
      }
      if (!isObject(obj)) {
        out.push(problem(file, n, 'not a JSON object'));
        continue;
      }
      try {
        handler.line(obj, n, out);
      } catch (e) {
        out.push(problem(file, n, rowFailure(e)));
      }
    }
    if (skipped > 0)
      out.push({
        kind: 'ignored',
        ignored: { file, line: firstSkipped, reason: skippedReason, count: skipped },
      });
    if (out.length > 0) yield out;
  }
  if (handler.end) {
    const out: ParseItem[] = [];
    handler.end(out);
    if (out.length > 0) yield out;
  }
}

/** True for an empty or whitespace-only line (checked without allocating a trimmed copy). */
export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 32) return false;
  return true;
}
