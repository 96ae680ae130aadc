import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonElement, jsonString, reportDedupKey } from '../../src/parsers/report-pages.ts';
import { detach, INSTANT_MEMO_LIMIT, InstantMemo, RowError, toIsoInstant } from '../../src/parsers/util.ts';

/** toIsoInstant as it was before its fast path (regular expressions and Date.parse only): the reference. */
function referenceInstant(value: unknown, field = 'timestamp'): string {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new RowError(`${field} is not a valid time: ${String(value)}`);
    ms = value >= 1e12 ? value : value * 1000;
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (/^\d+(\.\d+)?$/.test(s)) return referenceInstant(Number(s), field);
    let iso = s.replace(' ', 'T');
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
    else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso))
      throw new RowError(`${field} is not a valid time: ${JSON.stringify(value)}`);
    ms = Date.parse(iso);
  } else {
    throw new RowError(
      value === undefined || value === null ? `no ${field}` : `${field} is not a valid time`,
    );
  }
  if (!Number.isFinite(ms)) throw new RowError(`${field} is not a valid time: ${JSON.stringify(value)}`);
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (y < 2000 || y > 2200) throw new RowError(`${field} is out of range: ${JSON.stringify(value)}`);
  return d.toISOString();
}

const outcome = (f: (v: unknown, field: string) => string, v: unknown): string => {
  try {
    return f(v, 'ts');
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Timestamp-like text: mostly well-formed, with fields out of range, other separators and zones, and noise. */
const timestampText = fc
  .record({
    y: fc.oneof(fc.integer({ min: 1995, max: 2210 }), fc.integer({ min: 0, max: 9999 })),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 61 }),
    s: fc.integer({ min: 0, max: 61 }),
    ms: fc.integer({ min: 0, max: 999 }),
    form: fc.integer({ min: 0, max: 4 }),
    sep: fc.constantFrom('T', ' ', 't'),
    zone: fc.constantFrom('', 'Z', 'z', '+00:00', '-05:00'),
    noise: fc.constantFrom('', ' ', '\t', '.5', 'Z', '0', ':', '\u00a0'),
    at: fc.nat(30),
  })
  .map((r) => {
    let t = `${pad(r.y, 4)}-${pad(r.mo, 2)}-${pad(r.d, 2)}`;
    if (r.form > 0) t += `${r.sep}${pad(r.h, 2)}:${pad(r.mi, 2)}`;
    if (r.form > 1) t += `:${pad(r.s, 2)}`;
    if (r.form > 2) t += `.${pad(r.ms, 3)}`;
    if (r.form > 3) t += `${pad(r.ms % 10, 1)}`;
    t += r.zone;
    const k = r.at % (t.length + 1);
    return t.slice(0, k) + r.noise + t.slice(k);
  });

describe('toIsoInstant', () => {
  it('gives what the regular-expression reading gives, value or message, on timestamp-like text', () => {
    fc.assert(
      fc.property(timestampText, (t) => {
        expect(outcome(toIsoInstant, t)).toBe(outcome(referenceInstant, t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees on the edges of the calendar and of its range', () => {
    for (const t of [
      '2024-02-29T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2100-02-29',
      '2000-02-29',
      '2026-04-31',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:59:60Z',
      '1999-12-31T23:59:59.999Z',
      '2200-12-31T23:59:59.999Z',
      '2201-01-01',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01 00:00:00.000Z',
      '2026-01-01T00:00:00',
      '2026-01-01T00:00:00.12Z',
      ' 2026-01-01T00:00:00Z ',
      '1767225600',
      '',
    ])
      expect(outcome(toIsoInstant, t), t).toBe(outcome(referenceInstant, t));
  });
});

describe('InstantMemo', () => {
  it('gives each text its own instant, whatever came before (never a stale one)', () => {
    const m = new InstantMemo();
    expect(m.get('1767225600', 'start_time')).toBe('2026-01-01T00:00:00.000Z');
    expect(m.get('1767312000', 'start_time')).toBe('2026-01-02T00:00:00.000Z');
    expect(m.get('1767225600', 'start_time')).toBe('2026-01-01T00:00:00.000Z'); // from the map, not the last
    expect(m.get('1767225600', 'start_time')).toBe('2026-01-01T00:00:00.000Z'); // the last
    expect(m.get('2026-01-03', 'start_time')).toBe('2026-01-03T00:00:00.000Z');
  });

  it('fails a bad text every time, with its field, and reads the good one after it', () => {
    const m = new InstantMemo();
    expect(m.get('2026-01-01T00:00:00Z', 'a')).toBe('2026-01-01T00:00:00.000Z');
    expect(() => m.get('last week', 'a')).toThrow('a is not a valid time: "last week"');
    expect(() => m.get('last week', 'b')).toThrow('b is not a valid time: "last week"');
    expect(m.get('2026-01-01T00:00:00Z', 'a')).toBe('2026-01-01T00:00:00.000Z');
    expect(() => m.get('1999-01-01', 'c')).toThrow('c is out of range: "1999-01-01"');
    expect(m.get('2026-01-02', 'c')).toBe('2026-01-02T00:00:00.000Z');
    expect(() => m.get('1999-01-01', 'c')).toThrow(RowError);
  });

  it('converts with the function it is given, and stays right past its size limit', () => {
    const calls: string[] = [];
    const m = new InstantMemo((v, field) => {
      calls.push(String(v));
      return toIsoInstant(v, field);
    });
    const n = INSTANT_MEMO_LIMIT + 50;
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < n; i += 1 + round)
        expect(m.get(String(1767225600 + i), 't')).toBe(new Date((1767225600 + i) * 1000).toISOString());
    // The first round converted every text; the second only those past the limit (every other one of them).
    expect(calls.length).toBe(n + 25);
  });

  it('keeps a copy of a text that holds on to nothing else', () => {
    const big = 'x'.repeat(1000) + '2026-01-01T00:00:00Z';
    expect(detach(big.slice(1000))).toBe('2026-01-01T00:00:00Z');
    expect(detach('')).toBe('');
  });
});

describe('reportDedupKey', () => {
  it('is the format and JSON of [start, end, …values], whatever the values hold', () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\ud800', '\udfff', '\u2028', 'é'),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.integer(),
      fc.double(),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        fc.array(value, { maxLength: 8 }),
        (start, end, values) => {
          const fields = values.map((_, i) => `f${i}`);
          const result = Object.fromEntries(values.map((v, i) => [`f${i}`, v]));
          const parts = [
            start,
            end ?? null,
            ...fields.map((f) => (result[f] === undefined ? null : result[f])),
          ];
          const bucket = end === undefined ? { start } : { start, end };
          expect(reportDedupKey('fmt', bucket, result, fields)).toBe(`fmt:${JSON.stringify(parts)}`);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('writes strings and elements as JSON.stringify does', () => {
    for (const s of ['', 'plain', 'a"b', 'a\\b', 'tab\t', '\u0001', 'é€😀', '\ud83d', 'x\udc00y'])
      expect(jsonString(s), JSON.stringify(s)).toBe(JSON.stringify(s));
    for (const v of [null, undefined, true, false, 0, -1.5, Number.NaN, Infinity, [1, 'a'], { a: 1 }, 'x'])
      expect(jsonElement(v)).toBe(JSON.stringify([v]).slice(1, -1));
  });
});
