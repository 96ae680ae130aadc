import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aggregator, groupCost, type GroupDim } from '../../src/analysis/aggregate.ts';
import { ConfigSchema } from '../../src/config/schema.ts';
import { ZonedCalendar } from '../../src/core/time.ts';
import { scanUsage, type ScanOptions, type ScanResult } from '../../src/pipeline/scan.ts';
import { loadPriceBook } from '../../src/pricing/index.ts';
import { MAX_DEFERRED } from '../../src/pipeline/task.ts';
import { parallelInputs } from './parallel-data.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'finops.js');
// Small chunks, and workers however small the input: every splittable file is read in many pieces.
const SPLIT_ENV = { FINOPS_CHUNK_BYTES: '16384', FINOPS_PARALLEL_MIN_BYTES: '0' };

let dir: string;
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  dir = parallelInputs();
  for (const [k, v] of Object.entries(SPLIT_ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const BY: GroupDim[] = ['day', 'team', 'model'];

async function scan(extra: Partial<ScanOptions>): Promise<{ agg: string; scan: ScanResult }> {
  const config = ConfigSchema.parse({});
  const opts: ScanOptions = {
    paths: [dir],
    tz: 'Europe/Berlin',
    filters: [],
    config,
    book: await loadPriceBook({ importedPath: null }),
    priceSource: { importedPath: null },
    ...extra,
  };
  const agg = new Aggregator(BY, new ZonedCalendar(opts.tz));
  const result = await scanUsage(opts, (p) => agg.add(p));
  return { agg: describeAgg(agg), scan: result };
}

/** The aggregate as comparable text: groups sorted, every sum, cost per group; stated cost rounded to 1e-9. */
function describeAgg(agg: Aggregator): string {
  const { groups, total, unpriced } = agg.result();
  const row = (g: (typeof groups)[number]) =>
    JSON.stringify({
      key: g.key,
      requests: g.requests,
      tokens: g.tokens,
      unpricedRequests: g.unpricedRequests,
      unpricedTokens: g.unpricedTokens,
      estimated: g.estimated,
      models: [...g.models].sort(),
      first: g.firstStart,
      last: g.lastEnd,
      cost: groupCost(g),
      reported: Math.round(g.reportedCost * 1e9) / 1e9,
      hasReported: g.hasReported,
    });
  return [...groups.map(row).sort(), row(total), JSON.stringify(unpriced)].join('\n');
}

function plain(s: ScanResult): unknown {
  return { ...s, stats: { ...s.stats, ignored: [...s.stats.ignored] } };
}

describe('combined scan, in process (workers run the TypeScript source with tsx)', () => {
  it('gives the same sums and row accounting with 1 thread and with 3, and as the record-by-record scan', async () => {
    const one = await scan({ combine: BY, jobs: 1 });
    const three = await scan({ combine: BY, jobs: 3 });
    const serial = await scan({});
    expect(three.agg).toBe(one.agg);
    expect(plain(three.scan)).toEqual(plain(one.scan));
    expect(one.agg).toBe(serial.agg);
    expect(plain(one.scan)).toEqual(plain(serial.scan));
    // What the inputs hold: copies counted once (the first copy wins), problems with their lines, a bill join.
    const s = one.scan.stats;
    expect(s.duplicates).toBeGreaterThan(1000);
    expect(s.problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}`)).toEqual([
      'a.jsonl:3101',
      'a.jsonl:3501',
      'claude/projects/-home-dev-acme-api/3b1f6c2e-8d4a-4e9b-9c57-2a6e1f0d7b13.jsonl:10',
    ]);
    expect(one.scan.joined).toBeGreaterThan(0);
    expect(one.scan.enrich.tokenizedRecords).toBeGreaterThan(100);
    expect(s.files.find((f) => f.file.endsWith('empty.jsonl'))?.format).toBe('(empty)');
  }, 120_000);

  it('keeps the period the same way: --from/--to before de-duplication', async () => {
    const period = { from: '2026-10-02', to: '2026-10-03' };
    const one = await scan({ combine: BY, jobs: 1, ...period });
    const three = await scan({ combine: BY, jobs: 3, ...period });
    const serial = await scan(period);
    expect(three.agg).toBe(one.agg);
    expect(one.agg).toBe(serial.agg);
    expect(one.scan.stats.outOfPeriod).toBeGreaterThan(0);
    expect(plain(three.scan)).toEqual(plain(one.scan));
  }, 120_000);
});

function finops(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NO_COLOR: '1', TZ: 'UTC', ...SPLIT_ENV, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('finops report --jobs (the built CLI: workers run dist/pipeline/worker.js)', () => {
  const cases: [string, string[]][] = [
    ['by day and team', ['--by', 'day,team']],
    [
      'by model, a period, a filter',
      ['--by', 'model', '--from', '2026-10-02', '--to', '2026-10-04', '--filter', 'team=s*'],
    ],
    [
      'with reconcile and anomalies',
      ['--by', 'app', '--reconcile', '--anomalies', '--tz', 'America/New_York'],
    ],
    ['by task', ['--by', 'task,provider']],
  ];
  for (const [name, args] of cases) {
    it(`is byte-identical with --jobs 1, 2 and 5: ${name}`, () => {
      const runs = ['1', '2', '5'].map((j) =>
        finops(['report', dir, '--format', 'json', ...args, '--jobs', j]),
      );
      expect(runs[0]!.code).toBe(0);
      expect(JSON.parse(runs[0]!.stdout).totals.requests).toBeGreaterThan(1000);
      for (const r of runs.slice(1)) {
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(runs[0]!.stdout);
        expect(r.stderr).toBe(runs[0]!.stderr);
      }
    }, 120_000);
  }

  it('finops reconcile is byte-identical with --jobs 1 and 3, and agrees with report --reconcile', () => {
    const runs = ['1', '3'].map((j) => finops(['reconcile', dir, '--format', 'json', '--jobs', j]));
    expect(runs[0]!.code).toBe(0);
    expect(runs[1]).toEqual(runs[0]);
    const alone = JSON.parse(runs[0]!.stdout);
    expect(alone.rows.length).toBeGreaterThan(10);
    const inReport = JSON.parse(finops(['report', dir, '--reconcile', '--format', 'json']).stdout);
    expect(inReport.reconciliation).toEqual(alone);
  }, 120_000);

  it('gives the same report when a whole-file task has too many keyed records to hold apart (MAX_DEFERRED)', () => {
    // A file of 6,000 ids; one of MAX_DEFERRED + 1,000 whose first 1,000 lines copy some of them; one as big with new
    // ids. The big tasks add their keyed records at once (too many to hold apart); the one with copies is read
    // again without them.
    const d = join(dir, '..', `many-keys-${process.pid}`);
    mkdirSync(d, { recursive: true });
    const line = (i: number, second: number, team: string) =>
      JSON.stringify({
        timestamp: new Date(Date.UTC(2026, 9, 1 + (i % 5), 0, 0, second % 86_400)).toISOString(),
        provider: 'openai',
        model: 'gpt-4.1-mini',
        team,
        tokens: { input: 100 + (i % 50), output: 10 + (i % 7) },
        cost: 0.001 * (i % 9),
        request_id: `req-${i}`,
      });
    const range = (from: number, to: number, f: (i: number) => string) =>
      Array.from({ length: to - from }, (_, k) => f(from + k)).join('\n') + '\n';
    writeFileSync(
      join(d, 'a.jsonl'),
      range(0, 6000, (i) => line(i, i * 7, 'a')),
    );
    writeFileSync(
      join(d, 'b.jsonl'),
      range(5000, MAX_DEFERRED + 6000, (i) => line(i, i * 13, 'b')),
    );
    writeFileSync(
      join(d, 'c.jsonl'),
      range(1e6, 1e6 + MAX_DEFERRED + 1000, (i) => line(i, i * 11, 'c')),
    );
    const env = { FINOPS_CHUNK_BYTES: String(64 * 1024 * 1024), FINOPS_DEBUG_SCAN: '1' };
    const runs = ['1', '2'].map((j) =>
      finops(['report', d, '--by', 'day,team', '--format', 'json', '--jobs', j], env),
    );
    expect(runs[0]!.code).toBe(0);
    expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
    expect(runs[1]!.stderr).toMatch(
      /3 tasks, 1 worker\(s\) \+ this thread, 1 re-run\(s\) for copies across tasks/,
    );
    const r = JSON.parse(runs[0]!.stdout);
    expect(r.inputs.map((i: { records: number; duplicates: number }) => [i.records, i.duplicates])).toEqual([
      [6000, 0],
      [MAX_DEFERRED, 1000],
      [MAX_DEFERRED + 1000, 0],
    ]);
  }, 120_000);

  it('stops at the same first bad row under --strict', () => {
    const runs = ['1', '4'].map((j) => finops(['report', dir, '--strict', '--jobs', j]));
    expect(runs[0]!.code).toBe(2);
    expect(runs[0]!.stderr).toMatch(/a\.jsonl:3101: invalid JSON.*--strict/);
    expect(runs[1]).toEqual(runs[0]);
  }, 120_000);

  it('reads a CSV whose quoted field spans a chunk boundary the same way', () => {
    const head =
      'identity_line_item_id,line_item_usage_start_date,line_item_product_code,line_item_usage_type,line_item_resource_id,line_item_usage_amount,line_item_unblended_cost';
    const rows = [head];
    for (let i = 0; i < 4000; i++) {
      // Every 50th resource id is quoted over three lines: some of them straddle a 16 KiB boundary.
      const res = i % 50 === 7 ? `"arn:x:${i}\nmore\nend"` : `arn:x:${i}`;
      rows.push(
        `li-${i},2026-10-0${1 + (i % 9)}T00:00:00Z,AmazonBedrock,USE1-Claude4.5Sonnet-input-tokens,${res},${i % 97}.5,${i % 13}.25`,
      );
    }
    const p = join(dir, '..', `quoted-${process.pid}.csv`);
    writeFileSync(p, rows.join('\n') + '\n');
    const runs = ['1', '3'].map((j) => finops(['report', p, '--by', 'day', '--format', 'json', '--jobs', j]));
    expect(runs[0]!.code).toBe(0);
    expect(JSON.parse(runs[0]!.stdout).inputs[0].records).toBe(4000);
    expect(runs[1]).toEqual(runs[0]);
  }, 120_000);

  it('refuses a bad --jobs', () => {
    const r = finops(['report', dir, '--jobs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs: expected a whole number/);
  });
});
