import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CsvMapping } from '../../src/config/csv-mapping.ts';
import { CsvFormatsSchema, CsvMappingSchema } from '../../src/config/csv-mapping.ts';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { anthropicConsoleCsvParser } from '../../src/parsers/anthropic-console-csv.ts';
import {
  createMappedCsvParser,
  EMPTY_ROW,
  MAPPED_CONFIDENCE,
  mappedCsvParsers,
  numberReader,
} from '../../src/parsers/mapped-csv.ts';
import { openaiBatchOutputParser } from '../../src/parsers/openai-batch-output.ts';
import { openaiConsoleCsvParser } from '../../src/parsers/openai-console-csv.ts';
import { PARSERS } from '../../src/parsers/registry.ts';
import { collect, memInput, parseFile, SAMPLES_DIR, sampleFiles, SHARED_DATA } from '../helpers/parse.ts';

// The sample is invented (no user's export can be shipped): a German spreadsheet export with semicolons, decimal
// commas and dotted thousands. The mapping is the one in fixtures/samples/mapped-csv/README.md.
const SAMPLE = join(SAMPLES_DIR, 'mapped-csv', 'acme-gateway-2026-04.csv');
const MAPPING_YAML = `
- id: acme-gateway
  detect: { columns: [Zeitpunkt, Anbieter, Eingabe-Tokens] }
  delimiter: ";"
  number_format: { decimal: ",", thousands: "." }
  timestamp: Zeitpunkt
  timestamp_format: DD.MM.YYYY
  provider: Anbieter
  model: Modell
  tokens: { input: Eingabe-Tokens, cache_read: Cache-Tokens, output: Ausgabe-Tokens }
  input_includes_cached: true
  cost: Kosten (EUR)
  currency: { value: EUR }
  request_id: Anfrage-ID
  dims: { team: Team, app: Anwendung }
  tags: [Kostenstelle]
`;
const MAPPINGS = CsvFormatsSchema.parse(YAML.parse(MAPPING_YAML));
const ACME = MAPPINGS[0]!;

/** A mapping from a partial one, the rest filled with a minimal valid mapping. */
const mapping = (over: Record<string, unknown>): CsvMapping =>
  CsvMappingSchema.parse({
    id: 'm',
    detect: { columns: ['ts'] },
    timestamp: 'ts',
    provider: { value: 'openai' },
    model: 'model',
    tokens: { input: 'in', output: 'out' },
    ...over,
  });

/** Issues as the config loader prints them: `path: message`. */
function errors(raw: unknown): string[] {
  const r = CsvFormatsSchema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('csv_formats: invalid mappings name the key path', () => {
  const ok = YAML.parse(MAPPING_YAML)[0] as Record<string, unknown>;
  const cases: { name: string; entry: Record<string, unknown>; errors: string[] }[] = [
    {
      name: 'id not kebab-case',
      entry: { ...ok, id: 'Acme_Gateway' },
      errors: ['0.id: expected a kebab-case id (a-z, 0-9 and -, e.g. "acme-gateway")'],
    },
    {
      name: 'unknown key (typo)',
      entry: { ...ok, timestmap: 'x' },
      errors: ['0: Unrecognized key: "timestmap"'],
    },
    {
      name: 'no detect columns',
      entry: { ...ok, detect: { columns: [] } },
      errors: ['0.detect.columns: name at least one column'],
    },
    {
      name: 'detect not a list',
      entry: { ...ok, detect: { columns: 'Zeitpunkt' } },
      errors: ['0.detect.columns: expected a list of column names'],
    },
    {
      name: 'missing timestamp',
      entry: { ...ok, timestamp: undefined },
      errors: ['0.timestamp: expected a column name'],
    },
    {
      name: 'unknown timestamp format',
      entry: { ...ok, timestamp_format: 'YYYY-DD-MM' },
      errors: [
        '0.timestamp_format: Invalid option: expected one of "iso"|"epoch_s"|"epoch_ms"|"MM/DD/YYYY"|"DD/MM/YYYY"|"DD.MM.YYYY"|"YYYY/MM/DD"',
      ],
    },
    {
      name: 'provider neither column nor value',
      entry: { ...ok, provider: { name: 'openai' } },
      errors: ['0.provider: expected a column name or { value: <provider> }'],
    },
    {
      name: 'no output column',
      entry: { ...ok, tokens: { input: 'Eingabe-Tokens' } },
      errors: ['0.tokens.output: expected a column name'],
    },
    {
      name: 'unknown token bucket',
      entry: { ...ok, input_includes_cached: false, tokens: { input: 'a', output: 'b', cached: 'c' } },
      errors: ['0.tokens: Unrecognized key: "cached"'],
    },
    {
      name: 'cache_write_1h without cache_write',
      entry: {
        ...ok,
        input_includes_cached: false,
        tokens: { input: 'a', output: 'b', cache_write_1h: 'c' },
      },
      errors: ['0.tokens.cache_write_1h: cache_write_1h is a part of cache_write: map cache_write too'],
    },
    {
      name: 'input_includes_cached with nothing to subtract',
      entry: { ...ok, tokens: { input: 'a', output: 'b' } },
      errors: [
        '0.input_includes_cached: input_includes_cached needs tokens.cache_read or tokens.cache_write to subtract',
      ],
    },
    {
      name: 'input_includes_cached not a boolean',
      entry: { ...ok, input_includes_cached: 'yes' },
      errors: ['0.input_includes_cached: Invalid input: expected boolean, received string'],
    },
    {
      name: 'currency without cost',
      entry: { ...ok, cost: undefined },
      errors: ['0.currency: currency is the unit of cost: map cost too'],
    },
    {
      name: 'unknown dimension',
      entry: { ...ok, dims: { squad: 'Team' } },
      errors: ['0.dims: Unrecognized key: "squad"'],
    },
    { name: 'empty tag column', entry: { ...ok, tags: [''] }, errors: ['0.tags.0: expected a column name'] },
    {
      name: 'bad delimiter',
      entry: { ...ok, delimiter: ':' },
      errors: ['0.delimiter: Invalid option: expected one of ","|";"|"\t"|"|"|"tab"|"\\t"'],
    },
    {
      name: 'same decimal and thousands',
      entry: { ...ok, number_format: { decimal: ',', thousands: ',' } },
      errors: ['0.number_format.thousands: the decimal and thousands separators must differ'],
    },
    {
      name: 'unknown decimal',
      entry: { ...ok, number_format: { decimal: ';' } },
      errors: ['0.number_format.decimal: Invalid option: expected one of "."|","'],
    },
  ];
  it.each(cases)('$name', ({ entry, errors: want }) => {
    expect(errors([entry])).toEqual(want);
  });

  it('rejects two entries with one id', () => {
    expect(errors([ok, ok])).toEqual(['1.id: duplicate id "acme-gateway" (also entry 0)']);
  });

  it('accepts the sample mapping and fills defaults', () => {
    expect(errors([ok])).toEqual([]);
    const m = mapping({});
    expect(m).toMatchObject({
      timestamp_format: 'iso',
      input_includes_cached: false,
      dims: {},
      tags: [],
      delimiter: ',',
      number_format: { decimal: '.', thousands: '' },
    });
    expect(mapping({ delimiter: 'tab' }).delimiter).toBe('\t');
  });
});

describe('mapped-csv: detection', () => {
  const parser = createMappedCsvParser(ACME);

  it('claims a file whose header has every detect column, above every built-in parser', async () => {
    const { head } = await openInput(SAMPLE);
    expect(parser.id).toBe('csv:acme-gateway');
    expect(parser.detect(head, SAMPLE)).toBe(MAPPED_CONFIDENCE);
    for (const p of PARSERS) expect(p.detect(head, SAMPLE), p.id).toBeLessThan(MAPPED_CONFIDENCE);
    // column names are matched case-insensitively
    expect(parser.detect('zeitpunkt;ANBIETER;eingabe-tokens\n', 'x')).toBe(MAPPED_CONFIDENCE);
    expect(parser.detect('Zeitpunkt;Anbieter\n', 'x')).toBe(0);
  });

  it('claims no other sample and no shared OpenAI file; built-in and new parsers do not claim its sample', async () => {
    for (const s of sampleFiles().filter((x) => x.format !== 'mapped-csv')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    const shared = join(SHARED_DATA, 'openai');
    for (const f of readdirSync(shared).filter((n) => n.endsWith('.json'))) {
      expect(parser.detect(readFileSync(join(shared, f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    const { head } = await openInput(SAMPLE);
    for (const p of [openaiBatchOutputParser, openaiConsoleCsvParser, anthropicConsoleCsvParser]) {
      expect(p.detect(head, SAMPLE), p.id).toBeLessThan(0.5);
    }
  });

  it('makes one parser per entry, in order', () => {
    const ps = mappedCsvParsers([ACME, mapping({ id: 'other' })]);
    expect(ps.map((p) => p.id)).toEqual(['csv:acme-gateway', 'csv:other']);
  });
});

const row = (r: UsageRecord) => ({
  line: r.source.line,
  start: r.start,
  provider: r.provider,
  model: r.modelRaw,
  requests: r.requests,
  cost: r.reportedCost,
  ...r.tokens,
});

describe('mapped-csv: the semicolon / decimal-comma sample', () => {
  it('yields the hand-computed records', async () => {
    const { records, problems, ignored } = await parseFile(createMappedCsvParser(ACME), SAMPLE);
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // "1.250.000" includes "250.000" cached (input_includes_cached): input = 1,250,000 − 250,000
      { line: 2, start: '2026-04-01T09:15:00.000Z', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', requests: 1, cost: eur(0.45), input: 1_000_000, cacheRead: 250_000, cacheWrite: 0, output: 48_500 },
      { line: 3, start: '2026-04-01T10:00:00.000Z', provider: 'anthropic', model: 'claude-sonnet-4-5', requests: 1, cost: eur(0.07), input: 12_400, cacheRead: 0, cacheWrite: 0, output: 1830 },
      // 980 − 512 cached = 468
      { line: 4, start: '2026-04-02T17:45:00.000Z', provider: 'openai', model: 'gpt-4o-2024-08-06', requests: 1, cost: eur(0), input: 468, cacheRead: 512, cacheWrite: 0, output: 120 },
      // "1.234,50" → 1234.5
      { line: 7, start: '2026-04-03T08:30:00.000Z', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', requests: 1, cost: eur(1234.5), input: 2_000_000, cacheRead: 0, cacheWrite: 0, output: 10_000 },
    ]);
    expect(ignored).toEqual([{ file: SAMPLE, line: 5, reason: EMPTY_ROW }]);
    expect(problems).toEqual([
      {
        file: SAMPLE,
        line: 6,
        reason:
          'tokens.input column "Eingabe-Tokens" is not a number: "1.2a4" (number_format: decimal ",", thousands ".")',
      },
    ]);
    for (const r of records) expect(UsageRecordSchema.parse(r)).toEqual(r);
    expect(records[0]).toMatchObject({
      requestId: 'req_7f3a01',
      dedupKey: 'request:openai:req_7f3a01',
      dims: { team: 'support', app: 'helpdesk' },
      tags: { Kostenstelle: 'KST-4711' },
      source: { file: SAMPLE, line: 2, format: 'csv:acme-gateway' },
    });
    expect(records[2]!.tags).toEqual({}); // empty Kostenstelle: no tag
  });

  it('refuses a file whose header lacks a mapped column, naming the key and the column', async () => {
    const m = { ...ACME, tokens: { ...ACME.tokens, output: 'Ausgabe' } };
    const { problems, records } = await parseFile(createMappedCsvParser(m), SAMPLE);
    expect(records).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 1 });
    expect(problems[0]!.reason).toMatch(
      /^csv_formats "acme-gateway": tokens.output column "Ausgabe" not in the header \(it has: Zeitpunkt, /,
    );
  });
});

describe('mapped-csv: numbers, times and buckets', () => {
  it('reads numbers strictly per number_format', () => {
    const de = numberReader({ decimal: ',', thousands: '.' });
    expect(['1.234.567', '1234567', '1.234,5', '0,25', '-3,5', '12'].map(de)).toEqual([
      1234567, 1234567, 1234.5, 0.25, -3.5, 12,
    ]);
    expect(['1.23.456', '1,234.5', '1.234.5', '', 'x', '1e3'].map(de)).toEqual(Array(6).fill(undefined));
    const fr = numberReader({ decimal: ',', thousands: ' ' });
    expect(['1 234 567', '1\u00a0234', '1\u202f234,5'].map(fr)).toEqual([1234567, 1234, 1234.5]);
    const plain = numberReader({ decimal: '.', thousands: '' });
    expect(['1234', '1234.5', '1,234'].map(plain)).toEqual([1234, 1234.5, undefined]);
    const us = numberReader({ decimal: '.', thousands: ',' });
    expect(['1,234,567.89', "1'234"].map(us)).toEqual([1234567.89, undefined]);
    expect(numberReader({ decimal: '.', thousands: "'" })("1'234'567")).toBe(1234567);
  });

  const csv = (mappingOver: Record<string, unknown>, lines: string[]) =>
    collect(createMappedCsvParser(mapping(mappingOver)), memInput('u.csv', Buffer.from(lines.join('\n'))));

  it('reads every timestamp format, and rejects impossible dates', async () => {
    const cases: [string, string, string][] = [
      ['iso', '2026-04-01T09:15:00+02:00', '2026-04-01T07:15:00.000Z'],
      ['iso', '2026-04-01 09:15', '2026-04-01T09:15:00.000Z'],
      ['epoch_s', '1775034900', '2026-04-01T09:15:00.000Z'],
      ['epoch_ms', '1775034900000', '2026-04-01T09:15:00.000Z'],
      ['MM/DD/YYYY', '04/01/2026', '2026-04-01T00:00:00.000Z'],
      ['DD/MM/YYYY', '01/04/2026 9:15', '2026-04-01T09:15:00.000Z'],
      ['DD.MM.YYYY', '1.4.2026 09:15:30', '2026-04-01T09:15:30.000Z'],
      ['YYYY/MM/DD', '2026/04/01', '2026-04-01T00:00:00.000Z'],
    ];
    for (const [format, text, want] of cases) {
      const { records, problems } = await csv({ timestamp_format: format }, [
        'ts,model,in,out',
        `"${text}",m,1,1`,
      ]);
      expect(problems, `${format} ${text}`).toEqual([]);
      expect(records[0]!.start, `${format} ${text}`).toBe(want);
    }
    const bad = await csv({ timestamp_format: 'MM/DD/YYYY' }, [
      'ts,model,in,out',
      '02/30/2026,m,1,1',
      '2026-02-01,m,1,1',
    ]);
    expect(bad.problems.map((p) => p.reason)).toEqual([
      'timestamp column "ts" is not a valid MM/DD/YYYY date: "02/30/2026"',
      'timestamp column "ts" is not MM/DD/YYYY [HH:MM[:SS]]: "2026-02-01"',
    ]);
  });

  it('maps every bucket, keeps reasoning inside output, and checks the parts against their wholes', async () => {
    const over = {
      tokens: {
        input: 'in',
        output: 'out',
        cache_read: 'cr',
        cache_write: 'cw',
        cache_write_1h: 'cw1h',
        reasoning: 'rs',
      },
      requests: 'n',
      cost: 'usd',
      provider: 'vendor',
    };
    const { records, problems } = await csv(over, [
      'ts,vendor,model,in,cr,cw,cw1h,out,rs,n,usd',
      '2026-04-01,Anthropic,claude-x,100,900,50,20,300,120,3,0.01',
      '2026-04-01,anthropic,claude-x,100,0,50,60,300,0,1,0.01',
      '2026-04-01,anthropic,claude-x,100,0,50,0,300,301,1,0.01',
      '2026-04-01,anthropic,claude-x,100,0,0,0,1.5,0,1,0.01',
      '2026-04-01,anthropic,claude-x,-1,0,0,0,1,0,1,0.01',
      '2026-04-01,,claude-x,1,0,0,0,1,0,1,0.01',
    ]);
    // Anthropic-style (input_includes_cached false): buckets are taken as they are
    expect(records.map((r) => [r.provider, r.requests, r.tokens, r.reportedCost])).toEqual([
      [
        'anthropic',
        3,
        { input: 100, cacheRead: 900, cacheWrite: 50, cacheWrite1h: 20, output: 300, reasoning: 120 },
        { amount: 0.01, currency: 'USD' },
      ],
    ]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'tokens.cache_write_1h (60) exceeds tokens.cache_write (50)'],
      [4, 'tokens.reasoning (301) exceeds tokens.output (300): reasoning must be a part of output'],
      [5, 'tokens.output column "out" is not a whole number: 1.5'],
      [6, 'tokens.input column "in" is negative: -1'],
      [7, 'provider column "vendor" is empty'],
    ]);
  });

  it('subtracts cached tokens only when told, and reports when they exceed input', async () => {
    const over = {
      tokens: { input: 'in', output: 'out', cache_read: 'cr', cache_write: 'cw' },
      input_includes_cached: true,
    };
    const { records, problems } = await csv(over, [
      'ts,model,in,cr,cw,out',
      '2026-04-01,m,1000,400,100,5',
      '2026-04-01,m,100,400,0,5',
    ]);
    expect(records.map((r) => r.tokens)).toEqual([
      { input: 500, cacheRead: 400, cacheWrite: 100, output: 5 },
    ]);
    expect(problems.map((p) => p.reason)).toEqual([
      'tokens.cache_read + tokens.cache_write (400) exceed tokens.input (100), but input_includes_cached says input includes them',
    ]);
  });

  it('reads tab-separated files, and reads "1.000" as the number_format says', async () => {
    const text = Buffer.from('ts\tmodel\tin\tout\n2026-04-01\tm\t1.000\t2\n');
    const p = createMappedCsvParser(mapping({ delimiter: 'tab' }));
    expect(p.detect('ts\tmodel\tin\tout\n', 'x')).toBe(MAPPED_CONFIDENCE);
    // The default format has "." as the decimal point: "1.000" is one token…
    const a = await collect(p, memInput('t.tsv', text));
    expect(a.records.map((x) => x.tokens.input)).toEqual([1]);
    // …with "." as the thousands separator it is a thousand. No request_id column: no dedup key; one request a row.
    const q = createMappedCsvParser(
      mapping({ delimiter: 'tab', number_format: { decimal: ',', thousands: '.' } }),
    );
    const b = await collect(q, memInput('t.tsv', text));
    expect(b.records.map((x) => [x.tokens.input, x.dedupKey, x.requests])).toEqual([[1000, undefined, 1]]);
  });
});
