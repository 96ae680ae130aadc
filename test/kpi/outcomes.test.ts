import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { formatProblem } from '../../src/core/record.ts';
import { parseBound, ZonedCalendar } from '../../src/core/time.ts';
import { readOutcomes, type OutcomeRow } from '../../src/kpi/outcomes.ts';
import { detectFormat } from '../../src/parsers/registry.ts';
import { DEMO_KPIS_YAML, outcomesCsv } from '../../fixtures/gen-outcomes.ts';
import { parseConfig } from '../../src/config/load.ts';
import { tempFile } from '../helpers/parse.ts';

async function read(csv: string, opts: { tz?: string; from?: string; to?: string; strict?: boolean } = {}) {
  const cal = new ZonedCalendar(opts.tz ?? 'UTC');
  const rows: OutcomeRow[] = [];
  const file = tempFile('outcomes.csv', csv);
  const stats = await readOutcomes(
    [file],
    {
      cal,
      from: opts.from ? parseBound(opts.from, 'from', cal) : undefined,
      to: opts.to ? parseBound(opts.to, 'to', cal) : undefined,
      strict: opts.strict,
    },
    (r) => rows.push(r),
  );
  return { rows, stats, file };
}

describe('outcomes file', () => {
  it('reads rows: dates in the zone, metric lower-cased, scope columns by name (any case)', async () => {
    const { rows, stats } = await read(
      [
        'Date,App,Team,Workflow,API_KEY,Metric,Value,Note',
        '2026-10-01,helpdesk-bot,support,answer,key_1,Tickets_Resolved,12,first day',
        '2026-10-01T23:30:00-05:00,,,,,revenue,1e3,', // 2026-10-02T04:30Z: Oct 2 in UTC
        '2026-10-03 10:00,docs-search,,,,documents_processed,2.5,', // no zone = UTC
      ].join('\n'),
    );
    expect(rows.map(({ file: _f, ...r }) => r)).toEqual([
      {
        day: '2026-10-01',
        metric: 'tickets_resolved',
        value: 12,
        scope: { app: 'helpdesk-bot', team: 'support', workflow: 'answer', apiKey: 'key_1' },
        line: 2,
      },
      { day: '2026-10-02', metric: 'revenue', value: 1000, scope: {}, line: 3 },
      {
        day: '2026-10-03',
        metric: 'documents_processed',
        value: 2.5,
        scope: { app: 'docs-search' },
        line: 4,
      },
    ]);
    expect(stats).toMatchObject({ rows: 3, skipped: 0, outside: 0 });
    expect(Object.fromEntries(stats.metrics)).toEqual({
      tickets_resolved: 1,
      revenue: 1,
      documents_processed: 1,
    });
  });

  it('a timestamp is placed on its local day in --tz; a date alone is a local day as it is', async () => {
    const { rows } = await read('date,metric,value\n2026-10-01T20:00:00Z,x,1\n2026-10-01,x,1\n', {
      tz: 'Asia/Tokyo',
    });
    expect(rows.map((r) => r.day)).toEqual(['2026-10-02', '2026-10-01']);
  });

  it('reports every bad row as file:line: reason, counts it and keeps reading', async () => {
    const { rows, stats, file } = await read(
      [
        'date,metric,value,currency',
        '2026-10-01,revenue,100,USD',
        ',revenue,1,', // 3
        '2026-02-30,revenue,1,', // 4
        '20261001,revenue,1,', // 5
        '2026-10-01,,1,', // 6
        '2026-10-01,revenue,,', // 7
        '2026-10-01,revenue,"1,234",', // 8
        '2026-10-01,revenue,-5,', // 9
        '2026-10-01,revenue,12 USD,', // 10
        '2026-10-01,revenue,100,EUR', // 11
        '2026-10-02,revenue,50,usd',
      ].join('\n'),
    );
    expect(rows.map((r) => r.value)).toEqual([100, 50]);
    expect(stats.skipped).toBe(9);
    expect(stats.problems.map(formatProblem)).toEqual([
      `${file}:3: no date`,
      `${file}:4: date "2026-02-30": expected YYYY-MM-DD or an ISO timestamp`,
      `${file}:5: date "20261001": expected YYYY-MM-DD or an ISO timestamp`,
      `${file}:6: no metric`,
      `${file}:7: no value`,
      `${file}:8: value "1,234" is not a plain number (write 1234.5: no thousands separators, no units)`,
      `${file}:9: value -5 is negative (outcome counts and amounts are ≥ 0)`,
      `${file}:10: value "12 USD" is not a plain number (write 1234.5: no thousands separators, no units)`,
      `${file}:11: currency EUR: only USD amounts are supported`,
    ]);
  });

  it('--strict stops at the first bad row', async () => {
    await expect(
      read('date,metric,value\n2026-10-01,x,1\n2026-10-01,x,oops\n', { strict: true }),
    ).rejects.toThrow(/outcomes\.csv:3: value "oops" is not a plain number .* \(--strict\)$/);
  });

  it('refuses a file without the required columns, and an empty one', async () => {
    const e = await read('day,app,count\n2026-10-01,a,1\n').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(
      /outcomes\.csv: not an outcomes file: missing column\(s\) date, metric, value/,
    );
    await expect(read('')).rejects.toThrow(/the outcomes file is empty/);
  });

  it('counts rows outside --from/--to apart, without reporting them as problems', async () => {
    const { rows, stats } = await read(
      'date,metric,value\n2026-09-30,x,1\n2026-10-01,x,2\n2026-10-31,x,3\n2026-11-01,x,4\n',
      { from: '2026-10-01', to: '2026-10-31' },
    );
    expect(rows.map((r) => r.value)).toEqual([2, 3]);
    expect(stats).toMatchObject({ rows: 2, outside: 2, skipped: 0 });
  });
});

describe('the demo outcomes file (fixtures/gen-outcomes.ts)', () => {
  const csv = outcomesCsv();

  it('is deterministic, covers October 2026 and reads without a problem', async () => {
    expect(outcomesCsv()).toBe(csv);
    const { rows, stats } = await read(csv);
    expect(stats).toMatchObject({ skipped: 0, outside: 0 });
    expect(rows[0]!.day).toBe('2026-10-01');
    expect(rows.at(-1)!.day).toBe('2026-10-31');
    // Every day: docs-search and ticket-summary; every weekday (22 in October 2026): 5 sales rows.
    expect(rows).toHaveLength(31 * 2 + 22 * 5);
  });

  it('matches the committed copy, once fixtures/generate.ts writes it', () => {
    const committed = join(import.meta.dirname, '..', '..', 'fixtures', 'outcomes-2026-10.csv');
    if (existsSync(committed)) expect(readFileSync(committed, 'utf8')).toBe(csv);
  });

  it('is not usage: no parser claims it, under any name', () => {
    for (const name of [
      'fixtures/outcomes-2026-10.csv',
      'fixtures/demo/outcomes/outcomes-2026-10.csv',
      'x.csv',
    ]) {
      expect(detectFormat(csv, name), name).toBeUndefined();
    }
  });

  it('ships a kpis: block that validates', () => {
    const config = parseConfig(DEMO_KPIS_YAML, 'finops.yaml');
    expect(config.kpis.map((k) => k.name)).toContain('cost-per-resolved-ticket');
  });
});
