import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/report.ts';
import { parseConfig } from '../../src/config/load.ts';
import { openInput } from '../../src/io/input.ts';
import { requestLogParser } from '../../src/parsers/request-log.ts';
import { csvCell, csvText } from '../../src/render/csv.ts';
import { collect } from '../helpers/parse.ts';

// Every case runs the built CLI as a user would, with a small heap: a crash, a hang or an unbounded buffer fails.
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'finops.js');
const CORPUS = join(import.meta.dirname, 'corpus');
const tmp = mkdtempSync(join(tmpdir(), 'finops-hostile-'));

function finops(args: string[], heapMb = 256) {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', FINOPS_HOME: join(tmp, 'home') },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function report(file: string, extra: string[] = []) {
  const r = finops(['report', file, '--by', 'team', '--format', 'json', ...extra]);
  return { ...r, report: r.code === 0 ? (JSON.parse(r.stdout) as Report) : undefined };
}

describe('encodings and shapes', () => {
  it.each([
    ['bom.jsonl', 1, 1000],
    ['crlf.jsonl', 2, 3000],
    ['compressed.jsonl.gz', 1, 1000],
  ])('%s is read: %d request(s), %d input tokens', (f, requests, input) => {
    const r = report(join(CORPUS, f));
    expect(r.code).toBe(0);
    expect(r.report!.totals).toMatchObject({ requests, tokens: { input } });
    expect(r.report!.problems.skipped).toBe(0);
  });

  it('refuses UTF-16 clearly, exit 2', () => {
    const r = report(join(CORPUS, 'utf16.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('UTF-16 text is not supported');
  });

  it('an empty or blank file is listed, not fatal; a header-only CSV has no rows', () => {
    for (const f of ['empty.jsonl', 'blank-lines.jsonl']) {
      const r = report(join(CORPUS, f));
      expect(r.code).toBe(0);
      expect(r.report!.inputs[0]).toMatchObject({ format: '(empty)', records: 0 });
      expect(r.report!.notes.join(' ')).toContain('1 input file(s) were empty');
    }
    const h = report(join(CORPUS, 'header-only.csv'));
    expect(h.code).toBe(0);
    expect(h.report!.inputs[0]).toMatchObject({ format: 'focus', records: 0, skipped: 0 });
  });

  it('numbers as strings, with thousands separators and in scientific notation; bad counts named by row', () => {
    const r = report(join(CORPUS, 'numbers.jsonl'));
    expect(r.code).toBe(0);
    // 1000 + 1,000,000 + 1e3 input; 10 + 1 000 + 1e1 output.
    expect(r.report!.totals.tokens).toMatchObject({ input: 1_002_000, output: 1020 });
    expect(r.report!.problems.shown).toEqual([
      expect.stringMatching(/numbers\.jsonl:4: tokens\.input is negative: -5$/),
      expect.stringMatching(/numbers\.jsonl:5: tokens\.input is absurdly large/),
      expect.stringMatching(/numbers\.jsonl:6: tokens\.input is not a whole number: 1\.5$/),
    ]);
  });

  it('timestamps with and without zones, epoch s and ms; a date before any price is unpriced, not $0', () => {
    const r = report(join(CORPUS, 'timestamps.jsonl'));
    expect(r.report!.totals.requests).toBe(5);
    expect(r.report!.problems.shown).toEqual([
      expect.stringMatching(/timestamps\.jsonl:5: timestamp is not a valid time/),
    ]);
    expect(r.report!.unpriced).toEqual([
      expect.objectContaining({
        model: 'gpt-4o-mini',
        reason: 'no price in force on 2019-01-01',
        requests: 1,
      }),
    ]);
    // +02:00 → 08:00Z; the zone-less one is UTC; epoch 1790000000 s = 2026-09-21T14:33:20Z.
    expect(r.report!.period.from).toBe('2019-01-01T00:00:00.000Z');
  });

  it('an unterminated CSV quote is one skipped row with its line', () => {
    const r = report(join(CORPUS, 'unterminated-quote.csv'));
    expect(r.code).toBe(0);
    expect(r.report!.problems.first).toMatch(
      /unterminated-quote\.csv:2: unreadable CSV record: Quote Not Closed/,
    );
    expect(finops(['report', join(CORPUS, 'unterminated-quote.csv'), '--strict']).code).toBe(2);
  });
});

describe('bounded resources', () => {
  it('a 200 MB line without a newline is skipped with its line number, in a 256 MB heap', async () => {
    const p = join(tmp, 'bigline.jsonl');
    const w = createWriteStream(p);
    const ok =
      '{"timestamp":"2026-10-01T00:00:00Z","provider":"openai","model":"gpt-4o","tokens":{"input":1,"output":1}}\n';
    w.write(ok);
    w.write('{"x":"');
    const chunk = 'a'.repeat(1 << 20);
    for (let i = 0; i < 200; i++)
      if (!w.write(chunk)) await new Promise<void>((r) => w.once('drain', () => r()));
    w.end(`"}\n${ok}`);
    await new Promise<void>((r) => w.once('finish', () => r()));
    const r = report(p);
    expect(r.code).toBe(0);
    expect(r.report!.totals.requests).toBe(2);
    expect(r.report!.problems.first).toMatch(/bigline\.jsonl:2: line longer than \d+ bytes; skipped/);
  });

  it('200,000 levels of nesting are a skipped row, not a stack overflow', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const p = join(tmp, 'deep.jsonl');
    writeFileSync(
      p,
      `{"timestamp":"2026-10-01T00:00:00Z","provider":"openai","model":"gpt-4o","tokens":{"input":1,"output":1},"metadata":{"x":${deep}}}\n`,
    );
    const r = report(p);
    expect(r.code).toBe(0);
    expect(r.report!.problems.first).toMatch(/deep\.jsonl:1: value too deeply nested or too large to read/);
  });

  it('a CSV with a million columns ends with a clear exit 2', () => {
    const cols = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    const p = join(tmp, 'wide.csv');
    writeFileSync(p, `${cols}\n${cols}\n`);
    const r = finops(['report', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wide\.csv: no known format matches its content/);
  });

  it('a YAML alias bomb in the config is refused with exit 2', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const cfg = join(tmp, 'bomb.yaml');
    writeFileSync(cfg, lines.join('\n'));
    const r = finops(['report', join(CORPUS, 'bom.jsonl'), '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bomb.yaml: not valid YAML');
  });
});

describe('data is never code', () => {
  it('__proto__, constructor and prototype keys stay plain tags and change nothing', async () => {
    const { records } = await collect(requestLogParser, await openInput(join(CORPUS, 'proto-keys.jsonl')));
    const tags = records[0]!.tags;
    expect(Object.getPrototypeOf(tags)).toBeNull();
    expect(Object.keys(tags).sort()).toEqual(['__proto__', 'constructor', 'prototype', 'toString']);
    expect(tags.constructor).toBe('c');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // An attribution rule on an inherited name matches only the data, never Object.prototype.
    const cfg = parseConfig(
      'attribution:\n  rules:\n    - match: { tags: { hasOwnProperty: "*" } }\n      set: { team: x }\n',
      'f.yaml',
    );
    expect(cfg.attribution.rules).toHaveLength(1);
  });

  it('CSV output neutralises formulas from input and keeps numbers numeric', () => {
    const r = finops([
      'report',
      join(CORPUS, 'formula-cells.jsonl'),
      '--by',
      'team,app,user,workflow',
      '--format',
      'csv',
    ]);
    const row = r.stdout.trim().split('\n')[1]!;
    expect(row.startsWith(`'=cmd|' /C calc'!A0,"'+SUM(1,1)",'@evil,'-2+3,1,1000,`)).toBe(true);
  });

  it('csvCell: every input-derived cell that starts like a formula is prefixed; numbers never are', () => {
    fc.assert(
      fc.property(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), (s, n) => {
        const cell = csvCell(csvText(s));
        const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
        if (/^[=+\-@\t\r]/.test(s)) expect(unquoted).toBe(`'${s}`);
        else expect(unquoted).toBe(s);
        expect(csvCell(n)).toBe(String(n));
      }),
    );
  });
});
