import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { InputError } from '../../src/core/errors.ts';
import { parserById } from '../../src/parsers/registry.ts';
import { collect, memInput, sampleFiles } from '../helpers/parse.ts';

// Property tests over every line-oriented sample: corrupted rows never throw out of a parser and each row still
// lands in exactly one bucket; row order, splitting a file in two and reading a file twice never change totals.

interface Totals {
  requests: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reported: number;
  records: number;
}

/** Sums what the pipeline would count: records de-duplicated by dedupKey, first seen wins. */
function totals(records: UsageRecord[]): Totals {
  const seen = new Set<string>();
  const t: Totals = {
    requests: 0,
    input: 0,
    cacheRead: 0,
    cacheWrite: 0,
    output: 0,
    reported: 0,
    records: 0,
  };
  for (const r of records) {
    if (r.dedupKey !== undefined) {
      if (seen.has(r.dedupKey)) continue;
      seen.add(r.dedupKey);
    }
    t.records++;
    t.requests += r.requests;
    t.input += r.tokens.input;
    t.cacheRead += r.tokens.cacheRead;
    t.cacheWrite += r.tokens.cacheWrite;
    t.output += r.tokens.output;
    t.reported += r.reportedCost?.amount ?? 0;
  }
  t.reported = Math.round(t.reported * 1e6) / 1e6;
  return t;
}

// JSON Lines and CSV samples whose rows stand alone (Claude Code groups consecutive lines into messages, so its
// order is meaningful; it has its own chunking property test).
const JSONL = [
  'request-log',
  'openai-batch-output',
  'aws-bedrock-invocations',
  'litellm-spend',
  'helicone',
  'gcp-billing',
  'langfuse',
];
const CSV = [
  'focus',
  'aws-cur',
  'azure-cost',
  'openai-console-csv',
  'anthropic-console-csv',
  'litellm-spend',
  'helicone',
  'gcp-billing',
  'langfuse',
];
const cases = sampleFiles()
  .filter(
    (s) =>
      (s.path.endsWith('.jsonl') && JSONL.includes(s.format)) ||
      (s.path.endsWith('.csv') && CSV.includes(s.format)),
  )
  .map((s) => {
    const text = readFileSync(s.path, 'utf8').replace(/^\uFEFF/, '');
    const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
    const csv = s.path.endsWith('.csv');
    // Only CSVs without quoted newlines: rows are lines, so they can be shuffled and split as lines.
    const simple = !csv || !/"[^"]*\n/.test(text);
    return { ...s, csv, header: csv ? lines[0]! : undefined, rows: csv ? lines.slice(1) : lines, simple };
  })
  .filter((c) => c.simple && c.rows.length > 0);

let currentFormat = '';
const JSON_DOCS = ['litellm-spend', 'langfuse', 'helicone'];

/** Rows in one line: an API page (`{"data": [...]}`) on one line holds several. */
function rowWeight(line: string): number {
  if (line.trim().length === 0) return 0;
  try {
    const v = JSON.parse(line) as { data?: unknown };
    // Readers of exports that may be JSON arrays (LiteLLM, Langfuse, Helicone) read a top-level array's elements.
    if (Array.isArray(v) && JSON_DOCS.includes(currentFormat)) return v.length;
    return v && typeof v === 'object' && Array.isArray(v.data) ? v.data.length : 1;
  } catch {
    return 1;
  }
}

async function parse(format: string, name: string, lines: string[]) {
  const parser = parserById(format)!;
  return collect(parser, memInput(name, Buffer.from(lines.join('\n') + '\n')));
}

function withHeader(c: (typeof cases)[number], rows: string[]): string[] {
  return c.header !== undefined ? [c.header, ...rows] : rows;
}

describe('parser properties on every line-oriented sample', () => {
  it('has cases for the line formats', () => {
    expect(new Set(cases.map((c) => c.format)).size).toBeGreaterThanOrEqual(8);
  });

  it.each(cases.map((c) => [c.path.split('/samples/')[1]!, c] as const))('%s', async (_, c) => {
    currentFormat = c.format;
    const base = await parse(c.format, 'a', withHeader(c, c.rows));
    const want = totals(base.records);

    // Corrupted rows: no throw escapes, and every row still yields exactly one item.
    const garbage = fc.oneof(
      fc.constant('{'),
      fc.constant('{"timestamp": "not a time"}'),
      fc.constant('[1,2,3]'),
      fc.constant('null'),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n"]/g, ' ') || 'x'),
      fc.constant(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), garbage), { minLength: 1, maxLength: 4 }),
        async (edits) => {
          const rows = [...c.rows];
          // The first row stays: it is what detection sees, and a different head is a different file.
          if (rows.length < 2) return;
          for (const [i, g] of edits) rows[1 + (i % (rows.length - 1))] = g;
          let out;
          try {
            out = await parse(c.format, 'bad', withHeader(c, rows));
          } catch (e) {
            if (e instanceof InputError) return; // a whole-file refusal is allowed, with its reason
            throw e;
          }
          const items = out.records.length + out.problems.length + out.ignored.length;
          if (c.csv) return;
          // Readers that also take pretty-printed JSON (LiteLLM, Langfuse, Helicone) cannot tell a broken line from
          // the start of a multi-line value: a lone `{` … `}` pair reads the lines between as one (bad) value,
          // reported as one problem at the `{` line. Nothing escapes and nothing is silent, but the one-row-one-item
          // identity only holds for pure line formats.
          if (JSON_DOCS.includes(c.format)) return;
          expect(items).toBe(rows.reduce((n, r) => n + rowWeight(r), 0));
        },
      ),
      { numRuns: 15 },
    );

    // Order: the same rows shuffled give the same totals.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: c.rows.length, maxLength: c.rows.length }),
        async (keys) => {
          const shuffled = c.rows
            .map((r, i) => ({ r, k: keys[i]! }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.r);
          expect(totals((await parse(c.format, 'a', withHeader(c, shuffled))).records)).toEqual(want);
        },
      ),
      { numRuns: 10 },
    );

    // Splitting into two files, and reading the whole file twice (de-duplication on).
    const cut = Math.floor(c.rows.length / 2);
    const first = await parse(c.format, 'a1', withHeader(c, c.rows.slice(0, cut)));
    const second = await parse(c.format, 'a2', withHeader(c, c.rows.slice(cut)));
    expect(totals([...first.records, ...second.records])).toEqual(want);
    if (base.records.every((r) => r.dedupKey !== undefined)) {
      const again = await parse(c.format, 'b', withHeader(c, c.rows));
      expect(totals([...base.records, ...again.records])).toEqual(want);
    }
  });
});
