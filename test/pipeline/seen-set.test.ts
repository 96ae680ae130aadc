import { describe, expect, it } from 'vitest';
import { keyHashA, keyHashB, keyHashes, SeenSet } from '../../src/pipeline/seen-set.ts';

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

describe('keyHashes', () => {
  it('computes both hashes of keyHashA and keyHashB in one pass', () => {
    const out = new Uint32Array(2);
    for (const k of ['', 'a', 'request:openai:req_1', 'é€\u0000x', 'claude-code:msg_01:req_02'.repeat(9)]) {
      keyHashes(k, out);
      expect([out[0], out[1]]).toEqual([keyHashA(k), keyHashB(k)]);
    }
  });
});
