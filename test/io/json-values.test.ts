import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValueItem } from '../../src/io/json-values.ts';
import { elementLines, jsonValues } from '../../src/io/json-values.ts';

async function* chunksOf(buf: Buffer, cuts: number[]): AsyncIterable<Buffer> {
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    if (c > at && c < buf.length) {
      yield buf.subarray(at, c);
      at = c;
    }
  }
  if (at < buf.length) yield buf.subarray(at);
}

/** All items of `doc` read in chunks cut at `cuts` (byte offsets). */
async function items(
  doc: string | Buffer,
  cuts: number[] = [],
  maxValueBytes?: number,
): Promise<JsonValueItem[]> {
  const buf = typeof doc === 'string' ? Buffer.from(doc) : doc;
  const out: JsonValueItem[] = [];
  const opts = maxValueBytes === undefined ? {} : { maxValueBytes };
  for await (const batch of jsonValues(chunksOf(buf, cuts), opts)) out.push(...batch);
  return out;
}

/** Items as `line: value` or `line: !error` pairs, for compact assertions. */
const brief = (xs: JsonValueItem[]) =>
  xs.map((x) => (x.error !== undefined ? [x.line, '!'] : [x.line, x.value]));

// Strings holding every character that could fool a bracket counter; multi-byte text for chunk splits.
const TRICKY =
  '{"a": "}]{[", "b": "say \\"hi\\" [x]", "c": "ends with backslash \\\\", "d": "\\\\\\"", "é": "日本語 😀",\r\n' +
  ' "e": ["\\u005b", {"f": "}"}]}\r\n' +
  'garbage here\n' +
  '[{"x": 1},\n {"y": "]"}]\n' +
  '"top string" 42 -1.5e3 true null\n' +
  '{"g": {"h": [[[]]]}}';

describe('jsonValues', () => {
  it('reads one pretty-printed value, keeping its raw text', async () => {
    const doc = '{\n  "object": "page",\n  "data": [1, 2]\n}\n';
    const [item, ...rest] = await items(doc);
    expect(rest).toEqual([]);
    expect(item).toEqual({ line: 1, text: doc.trimEnd(), value: { object: 'page', data: [1, 2] } });
  });

  it('reads concatenated pretty-printed values and JSON Lines, with the line each starts on', async () => {
    expect(brief(await items('{\n "a": 1\n}\n{\n "b": 2\n}'))).toEqual([
      [1, { a: 1 }],
      [4, { b: 2 }],
    ]);
    expect(brief(await items('{"a":1}\n\n{"b":2}{"c":3}\n  {"d":4}\n'))).toEqual([
      [1, { a: 1 }],
      [3, { b: 2 }],
      [3, { c: 3 }],
      [4, { d: 4 }],
    ]);
  });

  it('handles CRLF line ends', async () => {
    expect(brief(await items('{"a":1}\r\n{"b":\r\n  2}\r\n{"c":3}'))).toEqual([
      [1, { a: 1 }],
      [2, { b: 2 }],
      [4, { c: 3 }],
    ]);
  });

  it('yields the elements of a top-level array, not the array', async () => {
    const doc = '[\n  {"page": 1, "data": [[1], [2]]},\n  {"page": 2}\n]\n[{"page": 3}]';
    const xs = await items(doc);
    expect(brief(xs)).toEqual([
      [2, { page: 1, data: [[1], [2]] }],
      [3, { page: 2 }],
      [5, { page: 3 }],
    ]);
    expect(xs[1]!.text).toBe('{"page": 2}');
    expect(await items('[]\n[ ]')).toEqual([]);
  });

  it('keeps brackets, quotes and escapes inside strings out of the structure', async () => {
    const xs = await items(TRICKY);
    expect(brief(xs)).toEqual([
      [
        1,
        {
          a: '}]{[',
          b: 'say "hi" [x]',
          c: 'ends with backslash \\',
          d: '\\"',
          é: '日本語 😀',
          e: ['[', { f: '}' }],
        },
      ],
      [3, '!'],
      [4, { x: 1 }],
      [5, { y: ']' }],
      [6, 'top string'],
      [6, 42],
      [6, -1500],
      [6, true],
      [6, null],
      [7, { g: { h: [[[]]] } }],
    ]);
    expect(xs[1]!.error).toBe('not JSON: "garbage here"');
  });

  it('gives the same items for every split of the input into two chunks', async () => {
    const buf = Buffer.from(TRICKY);
    const whole = await items(buf);
    for (let k = 1; k < buf.length; k++) expect(await items(buf, [k]), `split at ${k}`).toEqual(whole);
  });

  it('gives the same items when every byte is its own chunk', async () => {
    const buf = Buffer.from(TRICKY);
    const cuts = Array.from({ length: buf.length }, (_, i) => i);
    expect(await items(buf, cuts)).toEqual(await items(buf));
  });

  it('reports each non-JSON line once and reads the values around it', async () => {
    const doc = 'Response:\n{"a":1}\n2025-06-01,gpt-4o,100\nnope\n{"b":2} trailing words\n{"c":3}\n';
    const xs = await items(doc);
    expect(brief(xs)).toEqual([
      [1, '!'],
      [2, { a: 1 }],
      [3, '!'],
      [4, '!'],
      [5, { b: 2 }],
      [5, '!'],
      [6, { c: 3 }],
    ]);
    expect(xs.filter((x) => x.error).map((x) => x.error)).toEqual([
      'not JSON: "Response:"',
      'not JSON: "2025-06-01,gpt-4o,100"',
      'not JSON: "nope"',
      'not JSON: "trailing words"',
    ]);
  });

  it('yields one error per line for a file that is not JSON at all', async () => {
    const xs = await items('date,model,tokens\n2025-06-01,gpt-4o,100\n2025-06-02,gpt-4o,200\n');
    expect(xs.map((x) => [x.line, x.error !== undefined])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });

  it('reports a value that does not parse, with line and column, and goes on', async () => {
    const xs = await items('{"a": 1,}\n{\n  "b": 2,\n  "c": 3,\n}\n{"d": 4}');
    expect(brief(xs)).toEqual([
      [1, '!'],
      [2, '!'],
      [6, { d: 4 }],
    ]);
    expect(xs[0]!.error).toBe(
      'invalid JSON: Expected double-quoted property name in JSON (line 1, character 9 of the value)',
    );
    expect(xs[1]!.error).toBe(
      'invalid JSON: Expected double-quoted property name in JSON (line 5, column 1)',
    );
  });

  it('resyncs after a JSON Lines record that was cut off', async () => {
    const doc = '{"a":1}\n{"b":[1,2\n{"c":"cut\n{"d":4}\n';
    const xs = await items(doc);
    expect(brief(xs)).toEqual([
      [1, { a: 1 }],
      [2, '!'],
      [3, '!'],
      [4, { d: 4 }],
    ]);
    expect(xs[1]!.error).toBe('the value is not closed: line 3 ends inside a string');
    expect(xs[2]!.error).toBe('the line ends inside a string (the value is cut off)');
  });

  it('resyncs after a mismatched bracket, at the next line starting with { or [', async () => {
    const doc = '{\n  "a": [1, 2},\n  "b": 3\n}\n{\n  "c": 4\n}\n';
    const xs = await items(doc);
    expect(brief(xs)).toEqual([
      [1, '!'],
      [5, { c: 4 }],
    ]);
    expect(xs[0]!.error).toBe(`'}' does not match the open bracket (line 2)`);
  });

  it('reports a value left open at the end of the input once', async () => {
    const xs = await items('{"a":1}\n{\n  "data": [\n    {"x": 1},\n');
    expect(brief(xs)).toEqual([
      [1, { a: 1 }],
      [2, '!'],
    ]);
    expect(xs[1]!.error).toBe('the value is not closed: the input ends inside it');
  });

  it('reports a top-level array left open, after yielding its complete elements', async () => {
    const xs = await items('[\n {"a":1},\n {"b":2}');
    expect(brief(xs)).toEqual([
      [2, { a: 1 }],
      [3, { b: 2 }],
      [1, '!'],
    ]);
  });

  it('reports a missing or extra comma in a top-level array but keeps the elements', async () => {
    const xs = await items('[{"a":1}\n {"b":2},\n {"c":3},\n]');
    expect(brief(xs)).toEqual([
      [1, { a: 1 }],
      [2, '!'],
      [2, { b: 2 }],
      [3, { c: 3 }],
      [4, '!'],
    ]);
  });

  it('skips a value larger than maxValueBytes with an error, and reads the next', async () => {
    const big = `{"s": "${'x'.repeat(500)}"}`;
    for (const cuts of [[], [10], [100, 200, 300, 400]]) {
      const xs = await items(`{"a":1}\n${big}\n{"b":2}\n`, cuts, 100);
      expect(brief(xs)).toEqual([
        [1, { a: 1 }],
        [2, '!'],
        [3, { b: 2 }],
      ]);
      expect(xs[1]!.error).toBe('value is larger than 100 bytes; skipped');
    }
  });

  it('stops with one error when a too-large value never closes', async () => {
    const xs = await items(`{"a":1}\n{"s": [${'1,'.repeat(200)}`, [50], 100);
    expect(brief(xs)).toEqual([
      [1, { a: 1 }],
      [2, '!'],
    ]);
  });

  it('bounds the re-reading after broken values (every line opens a brace)', async () => {
    // Each value that ends open is re-read from its next line: quadratic without a bound.
    const doc = '{\n'.repeat(2000);
    const xs = await items(doc, [], 5000);
    expect(xs.length).toBeLessThan(20);
    expect(xs.at(-1)!.error).toBe('too many broken values; stopped reading here');
  });

  // Documents built from random JSON values in each layout the parsers meet, with the line each value starts on.
  type Layout = 'jsonl' | 'pretty' | 'array' | 'array-compact' | 'garbage';
  function build(values: unknown[], layout: Layout): { doc: string; lines: number[] } {
    let doc = '';
    const lines: number[] = [];
    const lineNow = () => doc.split('\n').length;
    if (layout === 'array' || layout === 'array-compact') {
      doc += layout === 'array' ? '[\n' : '[';
      values.forEach((v, i) => {
        if (i > 0) doc += layout === 'array' ? ',\n' : ',';
        lines.push(lineNow());
        doc += layout === 'array' ? JSON.stringify(v, null, 2) : JSON.stringify(v);
      });
      doc += layout === 'array' ? '\n]\n' : ']';
      return { doc, lines };
    }
    for (const v of values) {
      if (layout === 'garbage') doc += '# a comment line\r\n';
      lines.push(lineNow());
      doc +=
        (layout === 'pretty' ? JSON.stringify(v, null, 2) : JSON.stringify(v)) +
        (layout === 'jsonl' ? '\n' : '\r\n');
    }
    return { doc, lines };
  }

  it('property: any chunking gives the values, in order, on their lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 6 }),
        fc.constantFrom<Layout>('jsonl', 'pretty', 'array', 'array-compact', 'garbage'),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (values, layout, rawCuts) => {
          // Top-level arrays and scalars would be split or glued in some layouts: wrap each value in an object.
          const wrapped = values.map((v) => ({ v }));
          const { doc, lines } = build(wrapped, layout);
          const buf = Buffer.from(doc);
          const cuts = rawCuts.map((c) => c % (buf.length + 1));
          const xs = await items(buf, cuts);
          const good = xs.filter((x) => x.error === undefined);
          expect(good.map((x) => x.value)).toEqual(JSON.parse(JSON.stringify(wrapped)));
          expect(good.map((x) => x.line)).toEqual(lines);
          expect(xs.length - good.length).toBe(layout === 'garbage' ? wrapped.length : 0);
          expect(xs).toEqual(await items(buf));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: chunking never changes the result, even for broken input', async () => {
    const piece = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      '\\',
      ',',
      ':',
      '\n',
      '\r\n',
      ' ',
      'a',
      '1',
      'é',
      '"x"',
      '{"a":[1]}',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (ps, rawCuts) => {
          const buf = Buffer.from(ps.join(''));
          const cuts = rawCuts.map((c) => c % (buf.length + 1));
          expect(await items(buf, cuts, 64)).toEqual(await items(buf, [], 64));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('elementLines', () => {
  const page = [
    '{', // 10
    '  "object": "page",', // 11
    '  "note": "\\"results\\": [not, these]",', // 12
    '  "data": [', // 13
    '    {', // 14
    '      "results": [', // 15
    '        {"a": 1},', // 16
    '        {"b": {"results": [{"nested": true}]}}', // 17
    '      ]', // 18
    '    },', // 19
    '    {"results": []},', // 20
    '    {"results": [{"c": "}"}, {"d": 4}]}', // 21
    '  ]', // 22
    '}', // 23
  ].join('\n');

  it('finds the line of every element at a path', () => {
    expect(elementLines(page, 10, ['data', '*', 'results', '*'])).toEqual([16, 17, 21, 21]);
    expect(elementLines(page, 10, ['data', '*'])).toEqual([14, 20, 21]);
    expect(elementLines(page, 10, ['data'])).toEqual([13]);
    expect(elementLines(page, 10, [])).toEqual([10]);
  });

  it('finds nothing where the path does not match the types', () => {
    expect(elementLines(page, 1, ['object', '*'])).toEqual([]);
    expect(elementLines(page, 1, ['missing', '*'])).toEqual([]);
    expect(elementLines('[1, 2]', 1, ['data'])).toEqual([]);
    expect(elementLines('{"data": {"0": 1}}', 1, ['data', '*'])).toEqual([]);
  });

  it('reads escaped keys and compact text', () => {
    expect(elementLines('{"d\\u0061ta":[{"x":1},{"x":2}]}', 7, ['data', '*'])).toEqual([7, 7]);
    expect(elementLines('{"data":[1,\r\n2]}', 1, ['data', '*'])).toEqual([1, 2]);
  });

  it('matches the elements JSON.parse sees, for random pages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ results: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) }), {
          maxLength: 4,
        }),
        fc.boolean(),
        (data, pretty) => {
          const text = pretty ? JSON.stringify({ data }, null, 2) : JSON.stringify({ data });
          const lines = elementLines(text, 1, ['data', '*', 'results', '*']);
          const elements = data.flatMap((b) => b.results);
          expect(lines.length).toBe(elements.length);
          if (!pretty) {
            expect(lines.every((l) => l === 1)).toBe(true);
            return;
          }
          // Pretty-printed, each element starts its own line: that line is the element's first printed line.
          const textLines = text.split('\n');
          lines.forEach((l, i) => {
            const first = JSON.stringify(elements[i], null, 2).split('\n')[0];
            expect(textLines[l - 1]!.trim().replace(/,$/, '')).toBe(first);
          });
        },
      ),
    );
  });
});
