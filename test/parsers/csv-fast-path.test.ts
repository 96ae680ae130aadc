import { parse, type CsvError, type Options } from 'csv-parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputSource } from '../../src/io/input.ts';
import { MAX_CSV_RECORD_BYTES, parseCsvRows } from '../../src/parsers/csv-rows.ts';

type Event = [string, number, string];

/** What csv-parse alone (the reader before the fast path) makes of `chunks`: records and skips, with lines. */
async function reference(chunks: Buffer[], delimiter = ','): Promise<Event[]> {
  const events: Event[] = [];
  const parser = parse({
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
    on_skip: (err: CsvError | undefined) => {
      if (err) events.push(['problem', lineOf(err), `unreadable CSV record: ${err.message.split(':')[0]}`]);
      return undefined;
    },
    on_record: (record: string[], info: { lines: number }) => {
      events.push(['record', info.lines, JSON.stringify(record)]);
      return null;
    },
  } as unknown as Options);
  let failure: Error | undefined;
  parser.on('error', (e: Error) => (failure = e));
  parser.resume();
  for (const c of chunks) {
    parser.write(c);
    if (failure) break;
  }
  if (!failure) {
    await new Promise<void>((res) => {
      parser.once('end', () => res());
      parser.once('error', () => res());
      parser.end();
    });
  }
  if (failure) events.push(['problem', lineOf(failure), `CSV cannot be read past here: ${failure.message}`]);
  return events;
}

function lineOf(err: Error): number {
  const lines = (err as { lines?: unknown }).lines;
  return typeof lines === 'number' ? lines : 0;
}

/** What parseCsvRows reports, as events: the header and every row as a record, then problems. */
async function fast(chunks: Buffer[], delimiter = ','): Promise<{ events: Event[]; irregular: boolean }> {
  const events: Event[] = [];
  const input: InputSource = {
    name: 'x.csv',
    head: '',
    hints: { outOfPeriod: 0 },
    chunks: async function* () {
      yield* chunks;
    },
  };
  for await (const batch of parseCsvRows(
    input,
    {
      header: (cols) => void events.push(['record', 0, JSON.stringify(cols)]),
      row: (row, line) => {
        events.push(['record', line, JSON.stringify((row as unknown as { cells: string[] }).cells)]);
      },
    },
    { delimiter },
  )) {
    for (const item of batch) {
      if (item.kind === 'problem') events.push(['problem', item.problem.line, item.problem.reason]);
    }
  }
  return {
    events: [...events.filter((e) => e[0] === 'record'), ...events.filter((e) => e[0] === 'problem')],
    irregular: input.hints!.irregular === true,
  };
}

/**
 * The reference's events as the handler sees them: the header's cells trimmed and without a line; records and
 * problems apart (the handler sees rows at once, problems when a batch is yielded), each in order.
 */
function comparable(ref: Event[]): Event[] {
  let seenHeader = false;
  const mapped = ref.map((e): Event => {
    if (e[0] !== 'record' || seenHeader) return e;
    seenHeader = true;
    return ['record', 0, JSON.stringify((JSON.parse(e[2]) as string[]).map((h) => h.trim()))];
  });
  return [...mapped.filter((e) => e[0] === 'record'), ...mapped.filter((e) => e[0] === 'problem')];
}

function split(text: string, cuts: number[]): Buffer[] {
  const buf = Buffer.from(text, 'utf8');
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  return out.filter((b) => b.length > 0);
}

const PIECES = [
  'a',
  'b',
  'xy',
  ',',
  ',',
  '"',
  '""',
  '\n',
  '\n',
  '\r\n',
  '\r',
  ' ',
  'é',
  '€',
  '\uFEFF',
  '1.5',
];

describe('parseCsvRows fast path', () => {
  it('reads exactly what csv-parse reads, on random CSV-like text cut into random chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }),
        fc.array(fc.nat(400), { maxLength: 4 }),
        fc.constantFrom('', 'h1,h2\n', 'h1,h2\r\n', '"h,1",h2\n', '\uFEFFh1,h2\n'),
        async (pieces, cuts, header) => {
          const text = header + pieces.join('');
          const chunks = split(text, cuts);
          expect((await fast(chunks)).events).toEqual(comparable(await reference(chunks)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads well-formed exports on the fast path, quoted fields included', async () => {
    const text =
      'id,name,tags,cost\n' +
      '1,alpha,"{""team"":""support""}",1.5\n' +
      '2,"beta, gamma","",2\n' +
      '\n' +
      '3,delta,,\n';
    const r = await fast([Buffer.from(text)]);
    expect(r.irregular).toBe(false);
    expect(r.events).toEqual(comparable(await reference([Buffer.from(text)])));
    expect(r.events[1]).toEqual(['record', 2, JSON.stringify(['1', 'alpha', '{"team":"support"}', '1.5'])]);
  });

  it('hands a quoted field that spans lines to csv-parse, with the right line numbers after it', async () => {
    const text = 'a,b\n1,2\n3,"x\ny"\n5,6\n';
    const r = await fast([Buffer.from(text)]);
    expect(r.irregular).toBe(true);
    expect(r.events).toEqual(comparable(await reference([Buffer.from(text)])));
    expect(r.events.at(-1)).toEqual(['record', 5, JSON.stringify(['5', '6'])]);
  });

  it('gives handlers the column positions get() reads, and at() reads cells as get() does', async () => {
    const text = 'Model, cost ,model,NAME\n gpt ,NULL,x,  \n\u00a0a\u00a0,2,y\n1\n';
    const seen: unknown[] = [];
    const input: InputSource = {
      name: 'x.csv',
      head: '',
      chunks: async function* () {
        yield Buffer.from(text);
      },
    };
    const names = ['Model', 'model', 'MODEL', 'cost', 'COST', 'name', 'missing'];
    let at: number[] = [];
    for await (const batch of parseCsvRows(input, {
      header: (_cols, column) => void (at = names.map((n) => column(n))),
      row: (row) => void seen.push(names.map((n, i) => [row.get(n), row.at(at[i]!), row.has(n)])),
    }))
      expect(batch).toEqual([]);
    expect(at).toEqual([0, 0, 0, 1, 1, 3, -1]);
    for (const r of seen as [unknown, unknown, boolean][][]) for (const [g, a] of r) expect(a).toBe(g);
    expect((seen as unknown[][]).map((r) => r.map((c) => (c as unknown[])[0]))).toEqual([
      ['gpt', 'gpt', 'gpt', undefined, undefined, undefined, undefined],
      ['a', 'a', 'a', '2', '2', undefined, undefined],
      ['1', '1', '1', undefined, undefined, undefined, undefined],
    ]);
  });

  it('reads ASCII chunks, then UTF-8 cut inside a character, and lines across chunks, as csv-parse does', async () => {
    const text = 'h1,h2\n' + 'ab,cd\n'.repeat(50) + 'é€,x\n' + 'a,"b,c"\n'.repeat(20) + 'z,€\n';
    const bytes = Buffer.from(text);
    const e = bytes.indexOf(Buffer.from('€'));
    for (const cuts of [
      [7, 40, e + 1, e + 2, e + 5],
      [e - 1, e + 1],
      [3, 9, 11, 13, e + 2, bytes.length - 2],
    ]) {
      const chunks = split(text, cuts);
      expect((await fast(chunks)).events).toEqual(comparable(await reference(chunks)));
    }
  });

  it('reads large chunks in pieces: lines, characters and a 200 KB field across the cuts, as csv-parse does', async () => {
    const rows: string[] = ['id,text,n'];
    for (let i = 0; i < 9000; i++) rows.push(`${i},${i % 50 === 0 ? '"q,""r"""' : 'é€x'.repeat(i % 7)},${i}`);
    rows.push(`long,${'ab€'.repeat(70_000)},1`, `quoted,"${'x,"" '.repeat(20_000)}",2`, 'last,é,3');
    const text = rows.join('\n') + '\n';
    for (const cuts of [[], [100_000, 300_000], [65_535, 65_537, 131_071, 200_001]]) {
      const chunks = split(text, cuts);
      const r = await fast(chunks);
      expect(r.irregular).toBe(false);
      expect(r.events).toEqual(comparable(await reference(chunks)));
    }
  });

  it('keeps nothing of a chunk once it asks for the next (reusable chunks)', async () => {
    const text = 'id,name,tags\n' + '1,"a ""b""",é€\n2,plain,x\n'.repeat(3000) + '3,"multi\nline",z\n4,€,w\n';
    const bytes = Buffer.from(text);
    for (const size of [7, 4096, 70_000]) {
      // One buffer, overwritten for every chunk and scribbled over when the next is asked for: what `reusable` allows.
      const shared = Buffer.alloc(size);
      let asked: { reusable?: boolean } | undefined;
      const input: InputSource = {
        name: 'x.csv',
        head: '',
        hints: { outOfPeriod: 0 },
        chunks: (opts) => {
          asked = opts;
          return (async function* () {
            for (let at = 0; at < bytes.length; at += size) {
              const n = bytes.copy(shared, 0, at, at + size);
              yield shared.subarray(0, n);
              shared.fill(0x3f);
            }
          })();
        },
      };
      const rows: string[] = [];
      for await (const batch of parseCsvRows(input, {
        row: (row) => void rows.push(JSON.stringify((row as unknown as { cells: string[] }).cells)),
      }))
        expect(batch).toEqual([]);
      expect(asked).toEqual({ reusable: true });
      const expected = (await reference([bytes])).filter((e) => e[0] === 'record').slice(1);
      expect(rows).toEqual(expected.map((e) => e[2]));
      expect(rows.length).toBe(6002);
    }
  });

  it('keeps another delimiter', async () => {
    const text = 'a;b\n1;"2;3"\n';
    expect((await fast([Buffer.from(text)], ';')).events).toEqual(
      comparable(await reference([Buffer.from(text)], ';')),
    );
  });
});
