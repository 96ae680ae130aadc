import type { GroupDim } from '../analysis/aggregate.ts';
import type { ZonedCalendar } from '../core/time.ts';
import { Combiner, ExactSum, type Bucket, type CombinedPart } from './combine.ts';
import type { PricedRecord } from './enrich.ts';

/**
 * What a small task of a parallel scan read with a de-duplication key, summed apart from its other records, with
 * what each record added: the scan takes out again those whose key an earlier task already had (`settleKeyed`),
 * so the first copy in input order is kept without reading anything twice. Plain data and typed arrays: it
 * crosses the worker boundary in a few copies, not one object per record.
 *
 * Records are in key order (the task's `keys`: one key, one record). Sums are exact to take out (token and request
 * counts are integers, stated costs an exact sum); a bucket's earliest start and latest end are not, so when a
 * copy held one of them, they are found again from the records that stay (`times`).
 */
export interface KeyedPart {
  /** The records' sums (buckets as the task's Combiner makes them). */
  part: CombinedPart;
  /** Per record: its bucket's index in `part.buckets`, or -1 when --filter left it out. */
  bucket: Int32Array;
  /** Per record, FIELDS numbers (see the F_ constants): counts, optional counts (-1: absent), stated cost (NaN: none). */
  nums: Float64Array;
  /** Per record: its bill-join key's index in `covers`, or -1 (no usage quantities, or a bill row). */
  cover: Int32Array;
  /** provider \0 model \0 UTC day, distinct. */
  covers: string[];
  /** Per record: start, then end (or start again), concatenated; record i's are times[at[2i]..at[2i+1]], times[at[2i+1]..at[2i+2]]. */
  times: string;
  at: Uint32Array;
}

const F_REQUESTS = 0;
const F_INPUT = 1;
const F_CACHE_READ = 2;
const F_CACHE_WRITE = 3;
const F_OUTPUT = 4;
const F_CACHE_WRITE_1H = 5;
const F_REASONING = 6;
const F_COST = 7;
/** Tokens counted locally for the record (text-only records), or -1. */
const F_TOKENIZED = 8;
const FIELDS = 9;

/** Collects a task's keyed records into a KeyedPart. */
export class KeyedCollector {
  private readonly combiner: Combiner;
  private readonly index = new Map<Bucket, number>();
  private bucket = new Int32Array(256);
  private nums = new Float64Array(256 * FIELDS);
  private cover = new Int32Array(256);
  private readonly covers: string[] = [];
  private readonly coverIndex = new Map<string, number>();
  private times = '';
  private at: number[] = [0];
  private n = 0;
  // Consecutive records mostly share provider, model and day: the cover key is built only when one changes.
  private lastProvider = '';
  private lastModel = '';
  private lastDay = '';
  private lastCover = -1;

  constructor(dims: readonly GroupDim[], calendar: ZonedCalendar) {
    this.combiner = new Combiner(dims, calendar);
  }

  /** Records collected. */
  get size(): number {
    return this.n;
  }

  /**
   * Adds a keyed record: summed when `keep` (the --filter verdict), its bill-join key when it has usage
   * quantities (`covers`), and `tokenized` (tokens counted locally, or -1).
   */
  add(p: PricedRecord, keep: boolean, covers: boolean, tokenized: number): void {
    const i = this.n++;
    if (i === this.bucket.length) this.grow();
    const r = p.record;
    let bi = -1;
    if (keep) {
      const b = this.combiner.add(p);
      const known = this.index.get(b);
      if (known === undefined) this.index.set(b, (bi = this.index.size));
      else bi = known;
    }
    this.bucket[i] = bi;
    const t = r.tokens;
    const o = i * FIELDS;
    const nums = this.nums;
    nums[o + F_REQUESTS] = r.requests;
    nums[o + F_INPUT] = t.input;
    nums[o + F_CACHE_READ] = t.cacheRead;
    nums[o + F_CACHE_WRITE] = t.cacheWrite;
    nums[o + F_OUTPUT] = t.output;
    nums[o + F_CACHE_WRITE_1H] = t.cacheWrite1h ?? -1;
    nums[o + F_REASONING] = t.reasoning ?? -1;
    nums[o + F_COST] = r.reportedCost === undefined ? NaN : r.reportedCost.amount;
    nums[o + F_TOKENIZED] = tokenized;
    let c = -1;
    if (covers) {
      if (
        r.provider !== this.lastProvider ||
        r.model !== this.lastModel ||
        !r.start.startsWith(this.lastDay)
      ) {
        this.lastProvider = r.provider;
        this.lastModel = r.model;
        this.lastDay = r.start.slice(0, 10);
        const key = `${this.lastProvider}\u0000${this.lastModel}\u0000${this.lastDay}`;
        let k = this.coverIndex.get(key);
        if (k === undefined) {
          k = this.covers.length;
          this.covers.push(key);
          this.coverIndex.set(key, k);
        }
        this.lastCover = k;
      }
      c = this.lastCover;
    }
    this.cover[i] = c;
    this.times += r.start;
    this.at.push(this.times.length);
    this.times += r.end ?? r.start;
    this.at.push(this.times.length);
  }

  /** Gives up holding the records apart: their sums go into `combiner` and their bill-join keys into `covered`. */
  drainInto(combiner: Combiner, covered: Set<string>): void {
    combiner.merge(this.combiner.part());
    for (const c of this.covers) covered.add(c);
  }

  result(): KeyedPart {
    const part = this.combiner.part();
    // part() lists buckets in the order they were made, which is the order `index` numbered them.
    return {
      part,
      bucket: this.bucket.slice(0, this.n),
      nums: this.nums.slice(0, this.n * FIELDS),
      cover: this.cover.slice(0, this.n),
      covers: this.covers,
      times: this.times,
      at: Uint32Array.from(this.at),
    };
  }

  private grow(): void {
    const size = this.bucket.length * 2;
    const bucket = new Int32Array(size);
    bucket.set(this.bucket);
    this.bucket = bucket;
    const cover = new Int32Array(size);
    cover.set(this.cover);
    this.cover = cover;
    const nums = new Float64Array(size * FIELDS);
    nums.set(this.nums);
    this.nums = nums;
  }
}

/** The typed arrays of a KeyedPart, to transfer rather than copy. */
export function keyedBuffers(k: KeyedPart): ArrayBuffer[] {
  return [k.bucket.buffer, k.nums.buffer, k.cover.buffer, k.at.buffer] as ArrayBuffer[];
}

/** What settling found: copies (duplicates, not records), and the local token counts that went with them. */
export interface KeyedCopies {
  copies: number;
  tokenizedRecords: number;
  tokenizedTokens: number;
}

/**
 * Settles a KeyedPart: `isNew(i)` tells, in key order, whether record i's key is new to the scan (a SeenSet's
 * add). Copies are taken out of the sums and of the bill-join keys; returns what stays (a part to merge, bill-join
 * keys) and what the copies were (for the row accounting).
 */
export function settleKeyed(
  k: KeyedPart,
  isNew: (i: number) => boolean,
): { part: CombinedPart; covered: string[]; copies: KeyedCopies } {
  const n = k.bucket.length;
  const copies: KeyedCopies = { copies: 0, tokenizedRecords: 0, tokenizedTokens: 0 };
  let copy: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    if (isNew(i)) continue;
    (copy ??= new Uint8Array(n))[i] = 1;
  }
  if (copy === undefined) return { part: k.part, covered: k.covers, copies };

  const buckets = k.part.buckets;
  const coverCount = new Int32Array(k.covers.length);
  for (let i = 0; i < n; i++) if (k.cover[i]! >= 0) coverCount[k.cover[i]!]!++;
  const extremes = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (copy[i] === 0) continue;
    copies.copies++;
    const o = i * FIELDS;
    const nums = k.nums;
    const tokenized = nums[o + F_TOKENIZED]!;
    if (tokenized >= 0) {
      copies.tokenizedRecords++;
      copies.tokenizedTokens += tokenized;
    }
    if (k.cover[i]! >= 0) coverCount[k.cover[i]!]!--;
    const bi = k.bucket[i]!;
    if (bi < 0) continue;
    const b = buckets[bi]!;
    b.n--;
    b.requests -= nums[o + F_REQUESTS]!;
    b.input -= nums[o + F_INPUT]!;
    b.cacheRead -= nums[o + F_CACHE_READ]!;
    b.cacheWrite -= nums[o + F_CACHE_WRITE]!;
    b.output -= nums[o + F_OUTPUT]!;
    const w1h = nums[o + F_CACHE_WRITE_1H]!;
    if (w1h >= 0) b.cacheWrite1h! -= w1h;
    const reasoning = nums[o + F_REASONING]!;
    if (reasoning >= 0) b.reasoning! -= reasoning;
    const cost = nums[o + F_COST]!;
    if (!Number.isNaN(cost)) {
      const sum = new ExactSum(b.cost);
      sum.add(-cost); // exact: the partials' total is the sum of the records that stay
      b.cost = sum.partials;
    }
    if (startOf(k, i) === b.start || endOf(k, i) === b.end) extremes.add(bi);
  }
  if (extremes.size > 0) {
    // A copy held a bucket's earliest start or latest end: found again from the records that stay.
    const found = new Map<number, { start: string; end: string }>();
    for (let i = 0; i < n; i++) {
      const bi = k.bucket[i]!;
      if (copy[i] === 1 || !extremes.has(bi)) continue;
      const start = startOf(k, i);
      const end = endOf(k, i);
      const f = found.get(bi);
      if (f === undefined) found.set(bi, { start, end });
      else {
        if (start < f.start) f.start = start;
        if (end > f.end) f.end = end;
      }
    }
    for (const [bi, f] of found) {
      buckets[bi]!.start = f.start;
      buckets[bi]!.end = f.end;
    }
  }
  return {
    part: { buckets: buckets.filter((b) => b.n > 0), entries: k.part.entries },
    covered: k.covers.filter((_, c) => coverCount[c]! > 0),
    copies,
  };
}

function startOf(k: KeyedPart, i: number): string {
  return k.times.slice(k.at[2 * i]!, k.at[2 * i + 1]!);
}

function endOf(k: KeyedPart, i: number): string {
  return k.times.slice(k.at[2 * i + 1]!, k.at[2 * i + 2]!);
}
