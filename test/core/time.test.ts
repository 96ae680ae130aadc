import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { mondayOf, parseBound, ZonedCalendar } from '../../src/core/time.ts';

describe('ZonedCalendar', () => {
  it('buckets instants by local date', () => {
    const utc = new ZonedCalendar('UTC');
    const ny = new ZonedCalendar('America/New_York');
    // 02:30 UTC on Oct 2 is 22:30 on Oct 1 in New York (EDT, UTC-4).
    expect(utc.date('2026-10-02T02:30:00.000Z')).toBe('2026-10-02');
    expect(ny.date('2026-10-02T02:30:00.000Z')).toBe('2026-10-01');
    expect(ny.bucket('2026-10-02T02:30:00.000Z', 'month')).toBe('2026-10');
    expect(ny.bucket('2026-11-01T03:30:00.000Z', 'month')).toBe('2026-10');
  });

  it('finds the start of a local day across a DST change', () => {
    const berlin = new ZonedCalendar('Europe/Berlin');
    expect(berlin.startOfDay('2026-10-24')).toBe('2026-10-23T22:00:00.000Z'); // CEST, UTC+2
    expect(berlin.startOfDay('2026-10-25')).toBe('2026-10-24T22:00:00.000Z'); // DST ends at 03:00 that day
    expect(berlin.startOfDay('2026-10-26')).toBe('2026-10-25T23:00:00.000Z'); // CET, UTC+1
    expect(new ZonedCalendar('America/Sao_Paulo').startOfDay('2026-01-15')).toBe('2026-01-15T03:00:00.000Z');
  });

  it('labels weeks by their Monday', () => {
    expect(mondayOf('2026-10-01')).toBe('2026-09-28'); // a Thursday
    expect(mondayOf('2026-10-05')).toBe('2026-10-05'); // a Monday
    expect(mondayOf('2026-10-11')).toBe('2026-10-05'); // a Sunday
  });
});

describe('parseBound', () => {
  const utc = new ZonedCalendar('UTC');
  it('reads dates inclusively and months whole', () => {
    expect(parseBound('2026-10-01', 'from', utc)).toBe('2026-10-01T00:00:00.000Z');
    expect(parseBound('2026-10-31', 'to', utc)).toBe('2026-11-01T00:00:00.000Z');
    expect(parseBound('2026-10', 'from', utc)).toBe('2026-10-01T00:00:00.000Z');
    expect(parseBound('2026-12', 'to', utc)).toBe('2027-01-01T00:00:00.000Z');
    expect(parseBound('2026-10-31', 'to', new ZonedCalendar('Asia/Tokyo'))).toBe('2026-10-31T15:00:00.000Z');
  });
  it('takes timestamps as they are', () => {
    expect(parseBound('2026-10-01T12:00:00+02:00', 'from', utc)).toBe('2026-10-01T10:00:00.000Z');
    expect(parseBound('2026-10-01T12:00:00', 'to', utc)).toBe('2026-10-01T12:00:00.000Z');
  });
  it('rejects anything else', () => {
    expect(() => parseBound('last month', 'from', utc)).toThrow(UsageError);
    expect(() => parseBound('2026-13-45', 'from', utc)).toThrow(UsageError);
  });
});
