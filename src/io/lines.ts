/** Longest line kept; a longer one is reported as a problem and skipped without being buffered. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Lines of one chunk: `lines[i]` is line number `first + i` (1-based); `tooLong` lists skipped line numbers. */
export interface LineBatch {
  first: number;
  lines: string[];
  tooLong?: number[];
}

/**
 * Splits a byte stream into lines, in batches (one per input chunk) so that per-line work is not paid an
 * `await` each. Handles `\n` and `\r\n`, multi-byte characters split across chunks, and a last line
 * without a newline. Memory is bounded by the chunk size plus the longest kept line. Keeps nothing of a chunk
 * once it asks for the next (a line's start is copied), so its source may reuse buffers.
 *
 * Lines are cut on the bytes and each is decoded on its own (a newline byte is never inside a UTF-8 sequence,
 * so this is exact): ~20 % faster on a request log than decoding a chunk and slicing the string, whose slices
 * JSON.parse must flatten first.
 */
export function lineBatches(
  chunks: AsyncIterable<Buffer>,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncIterable<LineBatch> {
  return splitLines(chunks, [], maxLineBytes);
}

/**
 * What filteredLineBatches puts in place of a line it skipped without decoding: a string no real line can be
 * (lines never contain a newline), so the caller can still count the row.
 */
export const SKIPPED_LINE = '\n(skipped)';

/**
 * `lineBatches` for formats where most lines carry nothing: a line that looks whole (`{` … `}`) and contains none
 * of the `absent` strings (ASCII, no newline) is never decoded, and comes out as SKIPPED_LINE (so line numbers
 * stay right and the parser can count it). Every other line comes out exactly as `lineBatches` gives it.
 * The search for the strings runs on the bytes, once forward per chunk.
 */
export function filteredLineBatches(
  chunks: AsyncIterable<Buffer>,
  absent: readonly string[],
  maxLineBytes = MAX_LINE_BYTES,
): AsyncIterable<LineBatch> {
  if (absent.length === 0) throw new Error('filteredLineBatches needs at least one string');
  return splitLines(chunks, absent, maxLineBytes);
}

/** lineBatches, and filteredLineBatches when `absent` is not empty. */
async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  absent: readonly string[],
  maxLineBytes: number,
): AsyncIterable<LineBatch> {
  const filter = absent.length > 0;
  const needles = absent.map((s) => Buffer.from(s, 'latin1'));
  const next = needles.map(() => 0);
  let carry: Buffer[] = [];
  let carryLen = 0;
  let overflow = false;
  let lineNo = 1;
  const skippable = (b: Buffer, s: number, e: number): boolean => {
    if (!filter || e - s < 2 || b[s] !== 123 || b[e - 1] !== 125) return false;
    for (let k = 0; k < needles.length; k++) {
      if (next[k]! < s) {
        const at = b.indexOf(needles[k]!, s);
        next[k] = at === -1 ? Infinity : at;
      }
      if (next[k]! < e) return false;
    }
    return true;
  };
  const text = (b: Buffer, s: number, e: number, own: boolean): string => {
    if (e > s && b[e - 1] === 13) e--;
    if (!own) return b.toString('utf8', s, e);
    // A line assembled from pieces: search it on its own.
    for (let k = 0; k < needles.length; k++) next[k] = -1;
    const skip = skippable(b, s, e);
    for (let k = 0; k < needles.length; k++) next[k] = -1;
    return skip ? SKIPPED_LINE : b.toString('utf8', s, e);
  };
  for await (const chunk of chunks) {
    for (let k = 0; k < needles.length; k++) next[k] = -1;
    const batch: LineBatch = { first: lineNo, lines: [] };
    let pos = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, pos)) {
      let line: string;
      if (overflow || carryLen + nl - pos > maxLineBytes) {
        (batch.tooLong ??= []).push(lineNo);
        line = '';
      } else if (carryLen > 0) {
        const whole = Buffer.concat([...carry, chunk.subarray(pos, nl)]);
        line = text(whole, 0, whole.length, true);
      } else {
        let e = nl;
        if (e > pos && chunk[e - 1] === 13) e--;
        line = skippable(chunk, pos, e) ? SKIPPED_LINE : chunk.toString('utf8', pos, e);
      }
      batch.lines.push(line);
      carry = [];
      carryLen = 0;
      overflow = false;
      lineNo++;
      pos = nl + 1;
    }
    if (!overflow && pos < chunk.length) {
      // A copy, not a view: no chunk is kept once the next is asked for (InputSource.chunks's `reusable`).
      carry.push(Buffer.from(chunk.subarray(pos)));
      carryLen += chunk.length - pos;
      if (carryLen > maxLineBytes) {
        overflow = true;
        carry = [];
        carryLen = 0;
      }
    }
    if (batch.lines.length > 0) yield batch;
  }
  if (overflow) yield { first: lineNo, lines: [''], tooLong: [lineNo] };
  else if (carryLen > 0) {
    const whole = Buffer.concat(carry);
    yield { first: lineNo, lines: [text(whole, 0, whole.length, true)] };
  }
}
