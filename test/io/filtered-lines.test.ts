import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filteredLineBatches, lineBatches, SKIPPED_LINE, type LineBatch } from '../../src/io/lines.ts';

async function lines(batches: AsyncIterable<LineBatch>): Promise<{ lines: string[]; tooLong: number[] }> {
  const out: string[] = [];
  const tooLong: number[] = [];
  for await (const b of batches) {
    expect(b.first).toBe(out.length + 1);
    out.push(...b.lines);
    tooLong.push(...(b.tooLong ?? []));
  }
  return { lines: out, tooLong };
}

async function* chunked(buf: Buffer, cuts: number[]): AsyncIterable<Buffer> {
  let prev = 0;
  for (const c of [...new Set(cuts.map((x) => x % (buf.length + 1)))].sort((a, b) => a - b)) {
    if (c > prev) yield buf.subarray(prev, c);
    prev = Math.max(prev, c);
  }
  if (prev < buf.length) yield buf.subarray(prev);
}

const PIECES = [
  '{',
  '}',
  'a',
  'assistant',
  'assist',
  '\\u0061',
  '\\',
  'u',
  '\n',
  '\r\n',
  '\r',
  ' ',
  'é',
  '€',
  '"x"',
  '{"type":"user"}',
];

describe('filteredLineBatches', () => {
  it('gives every line lineBatches gives, except whole-looking lines without the strings (SKIPPED_LINE)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }),
        fc.array(fc.nat(300), { maxLength: 5 }),
        async (pieces, cuts) => {
          const buf = Buffer.from(pieces.join(''));
          const ref = await lines(lineBatches(chunked(buf, cuts)));
          const got = await lines(filteredLineBatches(chunked(buf, cuts), ['assistant', '\\u']));
          expect(got.tooLong).toEqual(ref.tooLong);
          expect(got.lines.length).toBe(ref.lines.length);
          got.lines.forEach((l, i) => {
            const r = ref.lines[i]!;
            const skip =
              r.startsWith('{') &&
              r.endsWith('}') &&
              r.length >= 2 &&
              !r.includes('assistant') &&
              !r.includes('\\u');
            expect(l).toBe(skip ? SKIPPED_LINE : r);
          });
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('numbers lines across batches and reports over-long ones', async () => {
    const text = Buffer.from('{"a":1}\n' + 'x'.repeat(50) + '\n{"assistant":2}\nlast');
    const got = await lines(filteredLineBatches(chunked(text, [3, 20, 40]), ['assistant'], 20));
    expect(got).toEqual({ lines: [SKIPPED_LINE, '', '{"assistant":2}', 'last'], tooLong: [2] });
  });
});
