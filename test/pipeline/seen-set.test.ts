import { describe, expect, it } from 'vitest';
import { SeenSet } from '../../src/pipeline/seen-set.ts';

describe('SeenSet', () => {
  it('answers like a Set<string>, through growth', () => {
    const s = new SeenSet(8);
    const ref = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const k = `req_${(i * 7919) % 30_011}`; // repeats after 30,011 distinct keys
      expect(s.add(k)).toBe(!ref.has(k));
      ref.add(k);
    }
    expect(s.size).toBe(ref.size);
    expect(s.size).toBe(30_011);
  });
});
