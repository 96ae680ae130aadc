import { StringDecoder } from 'node:string_decoder';

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
 * without a newline. Memory is bounded by the chunk size plus the longest kept line.
 */
export async function* lineBatches(
  chunks: AsyncIterable<Buffer>,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncIterable<LineBatch> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let overflow = false; // inside a line that is already too long: drop until the next newline
  let lineNo = 1;
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    let pos = 0;
    const batch: LineBatch = { first: lineNo, lines: [] };
    let nl = text.indexOf('\n', pos);
    while (nl !== -1) {
      let line = overflow ? '' : carry.length > 0 ? carry + text.slice(pos, nl) : text.slice(pos, nl);
      if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (overflow || line.length > maxLineBytes) {
        // Keep lines[i] <-> first + i: an empty placeholder, and the number listed in tooLong.
        (batch.tooLong ??= []).push(lineNo);
        line = '';
      }
      batch.lines.push(line);
      carry = '';
      overflow = false;
      lineNo++;
      pos = nl + 1;
      nl = text.indexOf('\n', pos);
    }
    if (!overflow) {
      carry += text.slice(pos);
      if (carry.length > maxLineBytes) {
        overflow = true;
        carry = '';
      }
    }
    if (batch.lines.length > 0) yield batch;
  }
  const rest = carry + decoder.end();
  if (overflow) yield { first: lineNo, lines: [''], tooLong: [lineNo] };
  else if (rest.length > 0) {
    const line = rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest;
    if (line.length > maxLineBytes) yield { first: lineNo, lines: [''], tooLong: [lineNo] };
    else yield { first: lineNo, lines: [line] };
  }
}
