import { describe, expect, it } from 'vitest';
import { fitColumns, fold, leftOutLines } from '../../src/render/table.ts';

// Table width = each column's width + 2 padding + 1 border, plus 1.
const head = ['Name', 'A', 'B', 'Long note'];
const rows = [['alpha', '1111', '2222', 'a fairly long note that wants room']];

describe('fitColumns', () => {
  it('leaves the table as it is without a width or when it fits', () => {
    for (const width of [undefined, 200]) {
      const f = fitColumns(head, rows, width, { drop: ['B', 'A'], wrap: [0] });
      expect(f).toEqual({ head, rows, dropped: [], cols: [0, 1, 2, 3] });
    }
  });

  it('leaves out columns in the drop order until the table fits', () => {
    // Natural: 5 + 4 + 4 + 34 = 47 + 4 * 3 + 1 = 60.
    const f = fitColumns(head, rows, 53, { drop: ['B', 'A'], wrap: [0] });
    expect(f.dropped).toEqual(['B']);
    expect(f.head).toEqual(['Name', 'A', 'Long note']);
    expect(f.rows).toEqual([['alpha', '1111', 'a fairly long note that wants room']]);
    expect(f.cols).toEqual([0, 1, 3]);
    expect(f.colWidths).toBeUndefined();
  });

  it('never leaves out a kept column or one not in the drop list, and skips unknown titles', () => {
    const f = fitColumns(head, rows, 30, { drop: ['Nope', 'Name', 'A'], keep: [0], wrap: [] });
    expect(f.dropped).toEqual(['A']);
    expect(f.head).toEqual(['Name', 'B', 'Long note']);
  });

  it('wraps the wrap columns in what the others leave when leaving out is not enough', () => {
    const f = fitColumns(head, rows, 40, { drop: ['B'], wrap: [0, 3] });
    expect(f.dropped).toEqual(['B']);
    // Fixed: A (4 + 2 + 1) + 1 = 8; the wrap columns share 40 - 8 - 6 = 26: Name gets its minimum 6, the note 20.
    expect(f.colWidths).toEqual([8, 6, 22]);
    expect(f.colWidths!.reduce((a, w) => a + w + 1, 1)).toBe(40);
  });
});

describe('fold and the footnote', () => {
  it('folds prose at spaces with an indent, and leaves it alone without a width', () => {
    expect(fold('  - one two three four', 12, '    ')).toEqual(['  - one two', '    three', '    four']);
    expect(fold('one two three', undefined)).toEqual(['one two three']);
  });

  it('names what was left out, folded to the width; nothing when nothing was', () => {
    const lines = leftOutLines(80, ['Period', 'Alert']);
    expect(lines.join(' ')).toBe(
      '80-column terminal: left out Period, Alert; widen it, or use --format csv or json for every column.',
    );
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(leftOutLines(80, [])).toEqual([]);
  });
});
