import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkRecord,
  isIsoInstant,
  stringMap,
  UsageRecordSchema,
  type UsageRecord,
} from '../../src/core/record.ts';

const good: UsageRecord = {
  start: '2026-10-01T00:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o',
  modelRaw: 'gpt-4o',
  requests: 1,
  tokens: { input: 10, cacheRead: 0, cacheWrite: 5, cacheWrite1h: 2, output: 7, reasoning: 3 },
  dims: {},
  tags: stringMap(),
  source: { file: 'f', line: 1, format: 'request-log' },
};

describe('checkRecord (the pipeline fast check)', () => {
  it('accepts a valid record', () => {
    expect(checkRecord(good)).toBeUndefined();
    expect(UsageRecordSchema.safeParse(good).success).toBe(true);
  });

  it('never accepts what the zod schema rejects, on mutated records', () => {
    const anyValue = fc.oneof(
      fc.integer({ min: -5, max: 20 }),
      fc.double(),
      fc.constant('x'),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(2 ** 60),
    );
    const field = fc.constantFrom(
      'start',
      'end',
      'provider',
      'model',
      'requests',
      'tokens.input',
      'tokens.cacheRead',
      'tokens.cacheWrite',
      'tokens.cacheWrite1h',
      'tokens.output',
      'tokens.reasoning',
    );
    fc.assert(
      fc.property(field, anyValue, (f, v) => {
        const r = structuredClone({ ...good, tags: {} }) as unknown as Record<string, unknown>;
        const [a, b] = f.split('.');
        if (b) (r[a!] as Record<string, unknown>)[b] = v;
        else r[a!] = v;
        if (v === undefined) {
          if (b) delete (r[a!] as Record<string, unknown>)[b];
          else delete r[a!];
        }
        const zodOk = UsageRecordSchema.safeParse(r).success;
        const fastOk = checkRecord(r as unknown as UsageRecord) === undefined;
        if (!zodOk) expect(fastOk).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('names the field', () => {
    expect(checkRecord({ ...good, tokens: { ...good.tokens, output: -1 } })).toBe(
      'tokens.output: expected a non-negative integer',
    );
    expect(checkRecord({ ...good, tokens: { ...good.tokens, reasoning: 8 } })).toBe(
      'tokens.reasoning: expected an integer between 0 and tokens.output',
    );
    expect(checkRecord({ ...good, start: '2026-10-01' })).toBe('start: expected an ISO-8601 UTC instant');
  });
});

describe('isIsoInstant', () => {
  const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  it('accepts exactly what the ISO-instant regex accepts', () => {
    const near = fc
      .tuple(
        fc.constantFrom(
          '2026-10-01T12:34:56',
          '1999-12-31T23:59:59',
          '2026-1-01T12:34:56',
          '2026-10-01 12:34:56',
        ),
        fc.constantFrom('', '.', '.1', '.123', '.123456789', '.12a', ',5'),
        fc.constantFrom('Z', 'z', '', 'Z\n', '+00:00', 'ZZ'),
      )
      .map(([a, b, c]) => a + b + c);
    const mutated = fc
      .tuple(
        fc.string({ minLength: 0, maxLength: 30 }),
        fc.nat(30),
        fc.constantFrom('0', '9', 'Z', '.', 'x', '٣'),
      )
      .map(([_, at, ch]) => {
        const base = '2026-10-01T12:34:56.789Z';
        return base.slice(0, at % base.length) + ch + base.slice((at % base.length) + 1);
      });
    fc.assert(
      fc.property(fc.oneof(near, mutated, fc.string()), (s) => {
        expect(isIsoInstant(s)).toBe(ISO_INSTANT.test(s));
      }),
      { numRuns: 3000 },
    );
  });
});
