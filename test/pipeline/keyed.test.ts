import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupDim } from '../../src/analysis/aggregate.ts';
import { ConfigSchema } from '../../src/config/schema.ts';
import { Combiner } from '../../src/pipeline/combine.ts';
import { settleKeyed } from '../../src/pipeline/keyed.ts';
import { parserSet } from '../../src/pipeline/read.ts';
import { SeenSet } from '../../src/pipeline/seen-set.ts';
import {
  planTasks,
  runTask,
  taskContext,
  type TaskContext,
  type TaskOutcome,
} from '../../src/pipeline/task.ts';
import { loadPriceBook, type PriceBook } from '../../src/pricing/index.ts';
import type { Filter } from '../../src/pipeline/filters.ts';

// A parallel scan runs small inputs as tasks that hold their keyed records apart and lets the main thread take
// out those an earlier task already had (keyed.ts). Whatever the copies — the earliest or latest record of a
// bucket, the only one with 1-hour cache writes or a stated cost, one left out by --filter — the settled sums
// must be those of reading the inputs in order with one de-duplication set (the --jobs 1 scan).

let dir: string;
let book: PriceBook;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'finops-keyed-'));
  book = await loadPriceBook({ importedPath: null });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMBINE: GroupDim[] = ['day', 'team', 'model'];

function context(filters: Filter[]): TaskContext {
  const config = ConfigSchema.parse({});
  const { parsers } = parserSet({});
  return taskContext(
    { tz: 'Europe/Berlin', filters, strict: false, config, combine: COMBINE },
    book,
    parsers,
    undefined,
  );
}

interface Line {
  id?: number;
  day: number;
  second: number;
  precision: number;
  model: number;
  team: number;
  input: number;
  cacheWrite: number;
  w1h: number;
  output: number;
  reasoning: number;
  cost?: number;
}

const MODELS = [
  ['anthropic', 'claude-sonnet-4-5'],
  ['openai', 'gpt-4.1-mini'],
  ['acme', 'no-such-model'],
];

function text(l: Line): string {
  const base = new Date(Date.UTC(2026, 9, 1 + l.day, 0, 0, l.second, 0)).toISOString();
  // Second, millisecond and microsecond precision: instants of unequal length must still compare right.
  const timestamp =
    l.precision === 0 ? base.replace('.000Z', 'Z') : l.precision === 1 ? base : base.replace('Z', '123Z');
  const [provider, model] = MODELS[l.model]!;
  const obj: Record<string, unknown> = {
    timestamp,
    provider,
    model,
    team: ['search', 'support'][l.team],
    tokens: {
      input: l.input,
      cache_write: l.cacheWrite + l.w1h,
      cache_write_1h: l.w1h,
      output: l.output + l.reasoning,
      reasoning: l.reasoning,
    },
  };
  if (l.id !== undefined) obj.request_id = `req-${l.id}`;
  if (l.cost !== undefined) obj.cost = l.cost;
  return JSON.stringify(obj);
}

const line: fc.Arbitrary<Line> = fc.record({
  id: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined, freq: 4 }),
  day: fc.integer({ min: 0, max: 2 }),
  second: fc.integer({ min: 0, max: 86_399 }),
  precision: fc.integer({ min: 0, max: 2 }),
  model: fc.integer({ min: 0, max: 2 }),
  team: fc.integer({ min: 0, max: 1 }),
  input: fc.integer({ min: 0, max: 5000 }),
  cacheWrite: fc.integer({ min: 0, max: 3 }),
  w1h: fc.constantFrom(0, 0, 7),
  output: fc.integer({ min: 0, max: 900 }),
  reasoning: fc.constantFrom(0, 0, 0, 11),
  cost: fc.option(fc.constantFrom(0.1, 0.2, 1e-9, 3.3, 1e6), { nil: undefined }),
});

/** Every bucket, as text: identity, sums, instants, stated cost. */
function describe_(c: Combiner): string {
  return [...c.records()]
    .map(({ bucket: b, priced }) =>
      JSON.stringify([
        b.id,
        priced.record.requests,
        priced.record.tokens,
        b.start,
        b.end,
        b.n,
        priced.record.reportedCost,
      ]),
    )
    .join('\n');
}

/**
 * The tasks' sums: `inOrder`, one after another with one de-duplication set (the --jobs 1 scan); otherwise each
 * alone, then settled in input order, as the parallel scan's main thread does.
 */
async function sumUp(
  files: string[],
  ctx: TaskContext,
  inOrder: boolean,
): Promise<{ sums: string; covered: string[]; dups: number; tokenized: number }> {
  const { parsers } = parserSet({});
  const seen = new SeenSet();
  const c = new Combiner(COMBINE, ctx.calendar);
  const covered = new Set<string>();
  let dups = 0;
  let tokenized = 0;
  const outcomes: TaskOutcome[] = [];
  for (const task of await planTasks(files, parsers, undefined, Infinity))
    outcomes.push(await runTask(task, ctx, inOrder ? seen : undefined));
  for (const o of outcomes) {
    c.merge(o.part);
    for (const k of o.covered) covered.add(k);
    dups += o.stats.duplicates;
    tokenized += o.enrich.tokenizedRecords;
    if (inOrder) continue;
    const keys = o.keys!;
    expect(o.keyed).toBeDefined();
    const s = settleKeyed(o.keyed!, (i) => seen.addHash(keys[2 * i]!, keys[2 * i + 1]!));
    c.merge(s.part);
    for (const k of s.covered) covered.add(k);
    dups += s.copies.copies;
    tokenized -= s.copies.tokenizedRecords;
  }
  return { sums: describe_(c), covered: [...covered].sort(), dups, tokenized };
}

let run = 0;
function write(inputs: Line[][]): string[] {
  run++;
  return inputs.map((lines, f) => {
    const p = join(dir, `r${run}-f${f}.jsonl`);
    writeFileSync(p, lines.map(text).join('\n') + '\n');
    return p;
  });
}

describe('settleKeyed: copies taken out of a task held apart', () => {
  it('gives the sums, instants, bill-join keys and counts of the in-order scan (property)', async () => {
    const ctx = context([]);
    const filtered = context([{ key: 'team', glob: 'search' }]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(line, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (inputs, filter) => {
          const files = write(inputs);
          const c = filter ? filtered : ctx;
          const a = await sumUp(files, c, true);
          const b = await sumUp(files, c, false);
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('finds a bucket’s instants and sums again when a copy held them (hand-made case)', async () => {
    // File 1 logs req-1 at 10:00. File 2 logs it again at 09:00 (the first in input order wins), with the only
    // 1-hour cache writes, and req-2 at 11:00; its bucket starts at the copy's 09:00 until the copy is taken out.
    const original: Line = {
      id: 1,
      day: 0,
      second: 36_000,
      precision: 1,
      model: 0,
      team: 0,
      input: 100,
      cacheWrite: 0,
      w1h: 0,
      output: 10,
      reasoning: 0,
      cost: 0.5,
    };
    const copy: Line = { ...original, second: 32_400, w1h: 7, cost: 0.3 };
    const other: Line = { ...original, id: 2, second: 39_600, input: 40, cost: 0.25 };
    const files = write([[original], [copy, other]]);
    const ctx = context([]);
    const a = await sumUp(files, ctx, true);
    const b = await sumUp(files, ctx, false);
    expect(b).toEqual(a);
    expect(a.dups).toBe(1);
    expect(
      b.sums
        .split('\n')
        .map((r) => JSON.parse(r) as unknown[])
        .map((r) => r.slice(1)),
    ).toEqual([
      [
        2,
        { input: 140, cacheRead: 0, cacheWrite: 0, output: 20 },
        '2026-10-01T10:00:00.000Z',
        '2026-10-01T11:00:00.000Z',
        2,
        { amount: 0.75, currency: 'USD' },
      ],
    ]);
  });
});
