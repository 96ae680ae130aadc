import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lineBatches } from '../../src/io/lines.ts';

async function collect(chunks: Buffer[], max?: number) {
  async function* gen() {
    for (const c of chunks) yield c;
  }
  const lines: { n: number; text: string }[] = [];
  const tooLong: number[] = [];
  for await (const b of lineBatches(gen(), max)) {
    b.lines.forEach((text, i) => lines.push({ n: b.first + i, text }));
    tooLong.push(...(b.tooLong ?? []));
  }
  return { lines, tooLong };
}

describe('lineBatches', () => {
  it('numbers lines, strips CR, keeps a last line without newline', async () => {
    const { lines } = await collect([Buffer.from('a\r\nb\n\nc')]);
    expect(lines).toEqual([
      { n: 1, text: 'a' },
      { n: 2, text: 'b' },
      { n: 3, text: '' },
      { n: 4, text: 'c' },
    ]);
  });

  it('is independent of chunk boundaries, including inside multi-byte characters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'é', '€', '😀', '\n', '\r\n', 'x'), { maxLength: 40 }),
        fc.array(fc.nat(60), { maxLength: 6 }),
        async (parts, cuts) => {
          const buf = Buffer.from(parts.join(''));
          const offsets = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const o of offsets) {
            chunks.push(buf.subarray(prev, o));
            prev = o;
          }
          chunks.push(buf.subarray(prev));
          const whole = await collect([buf]);
          const split = await collect(chunks.filter((c) => c.length > 0));
          expect(split).toEqual(whole);
        },
      ),
    );
  });

  it('gives the lines of the decoded text, split at \\n with one trailing \\r removed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', '{', '}', 'é', '😀', '\uFFFD', '\n', '\r', '\r\n', ' '), {
          maxLength: 60,
        }),
        fc.nat(20),
        async (parts, cut) => {
          const text = parts.join('');
          const buf = Buffer.from(text);
          const at = buf.length === 0 ? 0 : cut % buf.length;
          const { lines } = await collect(
            [buf.subarray(0, at), buf.subarray(at)].filter((c) => c.length > 0),
          );
          const expected = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
          if (text.endsWith('\n') || text === '') expected.pop();
          expect(lines.map((l) => l.text)).toEqual(expected);
          expect(lines.map((l) => l.n)).toEqual(expected.map((_, i) => i + 1));
        },
      ),
    );
  });

  it('replaces an over-long line by a numbered placeholder without buffering it', async () => {
    const long = 'x'.repeat(50);
    const { lines, tooLong } = await collect(
      [Buffer.from(`ok\n${long.slice(0, 20)}`), Buffer.from(`${long.slice(20)}\nnext\n`)],
      30,
    );
    expect(tooLong).toEqual([2]);
    expect(lines).toEqual([
      { n: 1, text: 'ok' },
      { n: 2, text: '' },
      { n: 3, text: 'next' },
    ]);
  });

  it('reports an over-long last line', async () => {
    const { tooLong } = await collect([Buffer.from('a\n' + 'y'.repeat(40))], 30);
    expect(tooLong).toEqual([2]);
  });
});
