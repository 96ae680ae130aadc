import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { HEAD_BYTES, openInput } from '../../src/io/input.ts';

const dir = mkdtempSync(join(tmpdir(), 'finops-input-'));
async function all(path: string, stdin?: Readable) {
  const src = await openInput(path, stdin);
  const parts: Buffer[] = [];
  for await (const c of src.chunks()) parts.push(c);
  return { head: src.head, text: Buffer.concat(parts).toString('utf8'), name: src.name };
}

describe('openInput', () => {
  it('strips a UTF-8 BOM from head and content', async () => {
    const p = join(dir, 'bom.csv');
    writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\n')]));
    const r = await all(p);
    expect(r.head).toBe('a,b\n1,2\n');
    expect(r.text).toBe('a,b\n1,2\n');
  });

  it('reads gzip by its magic bytes, whatever the name', async () => {
    const body = Array.from({ length: 20000 }, (_, i) => `{"i":${i}}`).join('\n');
    const p = join(dir, 'log.data');
    writeFileSync(p, gzipSync(body));
    const r = await all(p);
    expect(r.text).toBe(body);
    expect(r.head.length).toBe(HEAD_BYTES);
    expect(r.head.startsWith('{"i":0}')).toBe(true);
  });

  it('refuses UTF-16 clearly', async () => {
    const p = join(dir, 'u16.csv');
    writeFileSync(p, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]));
    await expect(openInput(p)).rejects.toThrow(/UTF-16 text is not supported/);
  });

  it('names a missing file', async () => {
    await expect(openInput(join(dir, 'nope.json'))).rejects.toThrow(InputError);
    await expect(openInput(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: cannot read \(ENOENT\)/);
  });

  it('reads stdin as <stdin>, replaying the head', async () => {
    const r = await all('-', Readable.from([Buffer.from('line1\n'), Buffer.from('line2\n')]));
    expect(r).toEqual({ head: 'line1\nline2\n', text: 'line1\nline2\n', name: '<stdin>' });
  });

  it('handles an empty file', async () => {
    const p = join(dir, 'empty.jsonl');
    writeFileSync(p, '');
    expect(await all(p)).toMatchObject({ head: '', text: '' });
  });
});

describe('reusable chunks (a file read into the same buffers in turn)', () => {
  // Lines from empty to three chunks long, multi-byte characters across every boundary.
  const lines: string[] = [];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 400; i++) {
    const len = i % 97 === 0 ? 300_000 + rnd(500_000) : rnd(3000);
    lines.push(`${i}:` + 'aé€😀'.repeat(Math.ceil(len / 10)).slice(0, len));
  }
  const text = lines.join('\n') + '\n';
  const p = join(dir, 'long-lines.jsonl');
  writeFileSync(p, text);

  it('gives lineBatches every line intact, whole file and byte ranges', async () => {
    const { lineBatches } = await import('../../src/io/lines.ts');
    const { openInputRange } = await import('../../src/io/input.ts');
    const collect = async (chunks: AsyncIterable<Buffer>) => {
      const out: string[] = [];
      for await (const b of lineBatches(chunks)) out.push(...b.lines);
      return out;
    };
    const src = await openInput(p);
    expect(await collect(src.chunks({ reusable: true }))).toEqual(lines);
    const size = Buffer.byteLength(text);
    const cuts = [0, 1_000_000, 1_000_001, 2_500_000, size];
    const parts: string[] = [];
    for (let k = 0; k + 1 < cuts.length; k++)
      parts.push(
        ...(await collect(
          openInputRange(p, { start: cuts[k]!, end: cuts[k + 1]! }).chunks({ reusable: true }),
        )),
      );
    expect(parts).toEqual(lines);
  });
});
