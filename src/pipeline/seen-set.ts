/**
 * A set of de-duplication keys stored as 64-bit hashes in an open-addressing table: 8 bytes a slot instead of
 * a JS string (~50+ bytes) a key. Tables are kept 35–70 % full, so a key costs 11–23 bytes (~130 MB at 10 M
 * distinct request ids): the one part of a scan's memory that grows with the input. The set is split into 64
 * tables that grow one at a time, so growing never holds two copies of the whole set. Two independent
 * 32-bit hashes make a false "already seen" (two different keys with the same 64 bits) about n²/2⁶⁵
 * likely: 3 × 10⁻⁶ at 10 M keys.
 */
const SCRATCH = new Uint32Array(2);

/** Tables a set is split into (by the top bits of the first hash): each grows on its own, so a doubling never needs twice the memory of the whole set at once. */
const SEGMENT_BITS = 6;

export class SeenSet {
  private readonly segments: Segment[] = [];
  private count = 0;

  constructor(capacity = 1 << 16) {
    const per = Math.max(16, 2 ** Math.ceil(Math.log2(capacity / (1 << SEGMENT_BITS))));
    for (let i = 0; i < 1 << SEGMENT_BITS; i++) this.segments.push(new Segment(per));
  }

  /** Number of distinct keys added. */
  get size(): number {
    return this.count;
  }

  /** Adds `key`; returns false when it was already present. */
  add(key: string): boolean {
    keyHashes(key, SCRATCH);
    return this.addHash(SCRATCH[0]!, SCRATCH[1]!);
  }

  /** Adds a key by its two hashes (keyHashA, keyHashB), as worker threads send them; false when present. */
  addHash(a: number, b: number): boolean {
    const added = this.segments[a >>> (32 - SEGMENT_BITS)]!.add(a, b);
    if (added) this.count++;
    return added;
  }
}

/**
 * One open-addressing table of 64-bit hashes (linear probing), kept at most 70 % full. A slot is two adjacent
 * 32-bit words (second hash, then first), so a probe touches one cache line, not one in each of two arrays: at
 * millions of keys nearly every probe is a cache miss.
 */
class Segment {
  // The second hash is never 0 (see keyHashB): a 0 there marks an empty slot, so no separate "used" array.
  private slots: Uint32Array;
  private count = 0;

  constructor(capacity: number) {
    this.slots = new Uint32Array(capacity * 2);
  }

  add(a: number, b: number): boolean {
    if ((this.count + 1) * 20 > this.slots.length * 7) this.grow();
    return this.insert(a, b);
  }

  private insert(a: number, b: number): boolean {
    const t = this.slots;
    const mask = (t.length >>> 1) - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (let l = t[2 * i]!; l !== 0; l = t[2 * i]!) {
      if (l === b && t[2 * i + 1] === a) return false;
      i = (i + 1) & mask;
    }
    t[2 * i] = b;
    t[2 * i + 1] = a;
    this.count++;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.insert(old[i + 1]!, old[i]!);
  }
}

/** First 32-bit hash of a de-duplication key (FNV-1a). */
export function keyHashA(key: string): number {
  return fnv1a(key, 0x811c9dc5);
}

/** Second, independent 32-bit hash of a key (murmur-style), never 0. */
export function keyHashB(key: string): number {
  return murmurish(key, 0x9747b28c) || 1;
}

/** Both hashes of a key in one pass over it, into `out[0]` (keyHashA) and `out[1]` (keyHashB). */
export function keyHashes(key: string, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let h = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a ^= c;
    a = Math.imul(a, 0x01000193);
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  out[0] = a >>> 0;
  out[1] = h >>> 0 || 1;
}

function fnv1a(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function murmurish(s: string, seed: number): number {
  let h = seed ^ s.length;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
