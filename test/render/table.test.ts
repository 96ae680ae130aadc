import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fmtUsd, hasTrend, sparkline, TREND_MAX_WIDTH } from '../../src/render/format.ts';
import { renderReportTable, terminalWidth } from '../../src/render/table.ts';
import { sampleReport } from './sample.ts';

const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);
const widest = (s: string) =>
  Math.max(
    ...stripVTControlCharacters(s)
      .split('\n')
      .map((l) => [...l].length),
  );

describe('sparkline', () => {
  it('scales a series to its own peak with ▁…█, a day without spend as a space', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▂▃▅█');
    expect(sparkline([5, 5, 5])).toBe('███');
    expect(sparkline([0, 0, 0])).toBe('   ');
    expect(sparkline([])).toBe('');
  });

  it('averages long series into at most TREND_MAX_WIDTH buckets', () => {
    const month = Array.from({ length: 31 }, (_, i) => i);
    const line = sparkline(month);
    expect([...line]).toHaveLength(TREND_MAX_WIDTH);
    expect(line.endsWith('█')).toBe(true);
    expect(sparkline(Array.from({ length: 365 }, () => 1)).length).toBeLessThanOrEqual(TREND_MAX_WIDTH);
  });
});

describe('renderReportTable', () => {
  it('adds a Trend column when the period has ≥ 3 days of series, aligned numbers with separators and currency', () => {
    const r = sampleReport();
    expect(hasTrend(r)).toBe(true);
    const out = renderReportTable(r, { color: false });
    expect(out).toContain('Trend');
    expect(out).toMatch(/│ support +│ helpdesk-bot +│ +5,224 │/);
    expect(out).toContain(fmtUsd(r.totals.cost));
    expect(out).toMatch(/[▁▂▃▄▅▆▇█]{8,}/);
    expect(out).not.toMatch(SGR);
    // Two days are too few for a trend.
    expect(renderReportTable(sampleReport(2), { color: false })).not.toContain('Trend');
  });

  it('colours only when the context allows it', () => {
    const r = sampleReport();
    expect(renderReportTable(r, { color: true })).toMatch(SGR);
    expect(renderReportTable(r, { color: false })).not.toMatch(SGR);
  });

  it('fits 80 columns by leaving out the least important columns, and says which', () => {
    const r = sampleReport();
    const wide = renderReportTable(r, { color: false });
    expect(widest(wide)).toBeGreaterThan(80);
    for (const color of [false, true]) {
      const out = renderReportTable(r, { color, width: 80 });
      const table = out.split('\n').filter((l) => /^[┌│├└]/.test(stripVTControlCharacters(l)));
      expect(Math.max(...table.map((l) => [...stripVTControlCharacters(l)].length))).toBeLessThanOrEqual(80);
      const plain = stripVTControlCharacters(out);
      expect(plain).toContain('80-column terminal: left out Cache write, Cache read, Input, Output');
      for (const keep of ['Team', 'App', 'Cost', 'Trend']) expect(plain).toContain(keep);
      expect(plain).not.toContain('Cache read │');
    }
    // Wide enough: nothing is left out and there is no footnote.
    expect(renderReportTable(r, { color: false, width: 200 })).not.toContain('left out');
  });

  it('wraps long names rather than breaking the table when even the key columns do not fit', () => {
    const r = sampleReport();
    r.groups[0]!.key.app = 'a-very-long-application-name-that-nobody-would-type-twice';
    const out = renderReportTable(r, { color: false, width: 60 });
    const table = out.split('\n').filter((l) => /^[┌│├└]/.test(l));
    expect(Math.max(...table.map((l) => [...l].length))).toBeLessThanOrEqual(60);
    expect(table.every((l) => l.endsWith('│') || l.endsWith('┐') || l.endsWith('┤') || l.endsWith('┘'))).toBe(
      true,
    );
    expect(out.replace(/[│\s]/g, '')).toContain('a-very-long');
  });
});

describe('terminalWidth', () => {
  it('takes COLUMNS, then the terminal width; none for a file or a pipe', () => {
    expect(terminalWidth(false, { COLUMNS: '80' }, { isTTY: false })).toBe(80);
    expect(terminalWidth(false, {}, { isTTY: true, columns: 100 })).toBe(100);
    expect(terminalWidth(false, {}, { isTTY: false })).toBeUndefined();
    expect(terminalWidth(true, { COLUMNS: '80' }, { isTTY: true, columns: 100 })).toBeUndefined();
    expect(terminalWidth(false, { COLUMNS: 'x' }, { isTTY: true, columns: 0 })).toBeUndefined();
  });
});
