import { dimValue, NONE, type GroupDim } from '../analysis/aggregate.ts';
import type { Tokens, UsageRecord } from '../core/record.ts';
import type { ZonedCalendar } from '../core/time.ts';
import type { PriceEntry } from '../pricing/types.ts';
import type { PricedRecord } from './enrich.ts';

/**
 * Exact sum of doubles (Shewchuk's non-overlapping partials, as Python's `math.fsum`): the value is the sum
 * correctly rounded, whatever the order of the additions. Stated costs are summed this way, so a report
 * is byte-identical however the input was split between workers.
 */
export class ExactSum {
  /** Non-overlapping partial sums, increasing in magnitude; their exact total is the sum. */
  readonly partials: number[];

  constructor(partials: number[] = []) {
    this.partials = partials;
  }

  /** Adds `x` exactly. */
  add(x: number): void {
    const p = this.partials;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
  }

  /** Adds another sum exactly. */
  addAll(o: readonly number[]): void {
    for (const x of o) this.add(x);
  }

  /** The sum, correctly rounded. */
  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // Round half-even across the remaining partials, as fsum does.
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/**
 * Sums of the records that agree on everything an additive consumer can tell apart: the grouping dimensions
 * asked for, the local day, provider, model, price (key, tier), service tier, the unpriced reason, the
 * estimate flag, the stated cost's currency, and — for bill rows — the UTC day the bill join looks at.
 * Plain data: crosses the worker boundary by structured clone.
 */
export interface Bucket {
  /** Identity, as a string (sort key and map key). */
  id: string;
  bill: boolean;
  /** The UTC day of a bill row (the bill join compares it with usage). */
  billDay?: string;
  day: string;
  /** dimValue of each combine dimension that is not day/week/month/provider/model (see Combiner.dims). */
  values: string[];
  provider: string;
  model: string;
  serviceTier?: string;
  key?: string;
  tier: number;
  unpriced?: string;
  estimated: boolean;
  currency?: string;
  /** Records summed. */
  n: number;
  requests: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  cacheWrite1h?: number;
  reasoning?: number;
  /** Stated cost: ExactSum partials. */
  cost: number[];
  /** Earliest start and latest end (or start) of the records. */
  start: string;
  end: string;
}

/** A Combiner's contents, for the worker boundary. */
export interface CombinedPart {
  buckets: Bucket[];
  /** The price entry of every price key used (entries are data). */
  entries: [string, PriceEntry][];
}

interface PriceClass {
  index: number;
  id: string;
  provider: string;
  model: string;
  tier: number;
  serviceTier: string | undefined;
  estimated: boolean;
  bill: boolean;
  currency: string | undefined;
  unpriced: string | undefined;
}

const TIME_OR_ALWAYS: ReadonlySet<string> = new Set(['day', 'week', 'month', 'provider', 'model']);

/**
 * Reduces priced records to Buckets (memory: one per distinct identity, never per record), merges parts
 * exactly (integers summed, stated costs as ExactSum, earliest/latest instants), and replays the result as one
 * combined PricedRecord per bucket, in a fixed order. A consumer that only sums records by `dims` (the
 * Aggregator, and what is built on it: report, reconcile, spikes) gets the same result from the combined
 * records as from the records themselves.
 */
export class Combiner {
  /** The combine dimensions kept in `Bucket.values` (time dimensions come from the day; provider and model are always kept). */
  readonly dims: readonly GroupDim[];
  private readonly calendar: ZonedCalendar;
  private readonly buckets = new Map<string, Bucket>();
  private readonly sums = new Map<Bucket, ExactSum>();
  private readonly entries = new Map<string, PriceEntry>();
  // Hot path (millions of records): a record's price "class" (provider, model, price key, tier, flags) is found
  // by its price key string (one instance per entry, so hashing it is cached) and a few comparisons; buckets
  // are then keyed by day (+ dimension values) within the class. The canonical id is built per new bucket only.
  private readonly classes = new Map<string, PriceClass[]>();
  private readonly byClass: Map<string, Bucket>[] = [];

  constructor(dims: readonly GroupDim[], calendar: ZonedCalendar) {
    this.dims = [...new Set(dims)].filter((d) => !TIME_OR_ALWAYS.has(d));
    this.calendar = calendar;
  }

  /** Number of buckets so far. */
  get size(): number {
    return this.buckets.size;
  }

  /** Adds one priced record; returns its bucket. */
  add(p: PricedRecord): Bucket {
    const r = p.record;
    const c = this.classOf(p);
    const day = this.calendar.date(r.start);
    let inner = c.bill ? `${day}\u0000${r.start.slice(0, 10)}` : day;
    let values: string[] | undefined;
    const dims = this.dims;
    if (dims.length > 0) {
      values = [];
      for (const d of dims) {
        const v = dimValue(r, d, this.calendar);
        values.push(v);
        inner += `\u0000${v}`;
      }
    }
    const m = this.byClass[c.index]!;
    let b = m.get(inner);
    if (b === undefined) {
      b = this.newBucket(p, c, day, values);
      const known = this.buckets.get(b.id);
      if (known)
        b = known; // (the same bucket reached through an equal class: cannot happen, but stay exact)
      else this.buckets.set(b.id, b);
      m.set(inner, b);
    }
    this.accumulate(b, p);
    return b;
  }

  private newBucket(p: PricedRecord, c: PriceClass, day: string, values: string[] | undefined): Bucket {
    const r = p.record;
    // Usage sorts before bill rows ('0' < '1'), as the serial scan sends bills last.
    let id = `${c.bill ? '1' : '0'}\u0000${day}\u0000${c.id}`;
    const billDay = c.bill ? r.start.slice(0, 10) : undefined;
    if (billDay !== undefined) id += `\u0000${billDay}`;
    if (values) for (const v of values) id += `\u0000${v}`;
    const b: Bucket = {
      id,
      bill: c.bill,
      day,
      values: values ?? [],
      provider: r.provider,
      model: r.model,
      tier: p.tier,
      estimated: c.estimated,
      n: 0,
      requests: 0,
      input: 0,
      cacheRead: 0,
      cacheWrite: 0,
      output: 0,
      cost: [],
      start: r.start,
      end: r.end ?? r.start,
    };
    if (r.serviceTier !== undefined) b.serviceTier = r.serviceTier;
    if (p.key !== undefined) {
      b.key = p.key;
      if (p.entry && !this.entries.has(p.key)) this.entries.set(p.key, p.entry);
    }
    if (p.unpriced !== undefined) b.unpriced = p.unpriced;
    if (c.currency !== undefined) b.currency = c.currency;
    if (billDay !== undefined) b.billDay = billDay;
    return b;
  }

  private accumulate(b: Bucket, p: PricedRecord): void {
    const r = p.record;
    b.n++;
    b.requests += r.requests;
    const t = r.tokens;
    b.input += t.input;
    b.cacheRead += t.cacheRead;
    b.cacheWrite += t.cacheWrite;
    b.output += t.output;
    if (t.cacheWrite1h !== undefined) b.cacheWrite1h = (b.cacheWrite1h ?? 0) + t.cacheWrite1h;
    if (t.reasoning !== undefined) b.reasoning = (b.reasoning ?? 0) + t.reasoning;
    if (r.reportedCost !== undefined) this.sum(b).add(r.reportedCost.amount);
    if (r.start < b.start) b.start = r.start;
    const end = r.end ?? r.start;
    if (end > b.end) b.end = end;
  }

  private classOf(p: PricedRecord): PriceClass {
    const r = p.record;
    const k = p.key ?? (p.unpriced !== undefined ? `\u0002${p.unpriced}` : '\u0003');
    let list = this.classes.get(k);
    const estimated = r.estimated === true;
    const bill = r.fromBill === true;
    const currency = r.reportedCost?.currency;
    if (list) {
      for (const c of list) {
        if (
          c.provider === r.provider &&
          c.model === r.model &&
          c.tier === p.tier &&
          c.serviceTier === r.serviceTier &&
          c.estimated === estimated &&
          c.bill === bill &&
          c.currency === currency &&
          c.unpriced === p.unpriced
        )
          return c;
      }
    } else this.classes.set(k, (list = []));
    const c: PriceClass = {
      index: this.byClass.length,
      id: `${r.provider}\u0000${r.model}\u0000${p.key ?? ''}\u0000${p.tier}\u0000${p.unpriced ?? ''}\u0000${r.serviceTier ?? '\u0001'}\u0000${estimated ? 1 : 0}\u0000${currency ?? '\u0001'}`,
      provider: r.provider,
      model: r.model,
      tier: p.tier,
      serviceTier: r.serviceTier,
      estimated,
      bill,
      currency,
      unpriced: p.unpriced,
    };
    list.push(c);
    this.byClass.push(new Map());
    return c;
  }

  /** The buckets and the entries they price with, as plain data. */
  part(): CombinedPart {
    for (const [b, s] of this.sums) b.cost = s.partials;
    return { buckets: [...this.buckets.values()], entries: [...this.entries] };
  }

  /** Merges a part (from a worker, or another Combiner) in; exact, so the order of merges does not matter. */
  merge(part: CombinedPart): void {
    for (const [k, e] of part.entries) if (!this.entries.has(k)) this.entries.set(k, e);
    for (const o of part.buckets) {
      const b = this.buckets.get(o.id);
      if (b === undefined) {
        const copy = { ...o, cost: [] };
        this.buckets.set(o.id, copy);
        if (o.cost.length > 0) this.sum(copy).addAll(o.cost);
        continue;
      }
      b.n += o.n;
      b.requests += o.requests;
      b.input += o.input;
      b.cacheRead += o.cacheRead;
      b.cacheWrite += o.cacheWrite;
      b.output += o.output;
      if (o.cacheWrite1h !== undefined) b.cacheWrite1h = (b.cacheWrite1h ?? 0) + o.cacheWrite1h;
      if (o.reasoning !== undefined) b.reasoning = (b.reasoning ?? 0) + o.reasoning;
      if (o.cost.length > 0) this.sum(b).addAll(o.cost);
      if (o.start < b.start) b.start = o.start;
      if (o.end > b.end) b.end = o.end;
    }
  }

  /**
   * One combined record per bucket, usage first and then bill rows, each in identity order: a fixed order,
   * whatever the order of the input or of the merges.
   */
  *records(): Iterable<{ bucket: Bucket; priced: PricedRecord }> {
    const all = [...this.buckets.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const b of all) yield { bucket: b, priced: this.priced(b) };
  }

  private priced(b: Bucket): PricedRecord {
    const tokens: Tokens = {
      input: b.input,
      cacheRead: b.cacheRead,
      cacheWrite: b.cacheWrite,
      output: b.output,
    };
    // Only when not zero: a sum that a copy taken out brought back to 0 (keyed.ts) reads as no such tokens, as it
    // would had the copy never been added (every consumer reads an absent count as 0).
    if (b.cacheWrite1h) tokens.cacheWrite1h = b.cacheWrite1h;
    if (b.reasoning) tokens.reasoning = b.reasoning;
    const dims: UsageRecord['dims'] = {};
    const r: UsageRecord = {
      start: b.start,
      end: b.end,
      provider: b.provider,
      model: b.model,
      modelRaw: b.model,
      requests: b.requests,
      tokens,
      dims,
      tags: {},
      source: { file: '', line: 0, format: 'combined' },
    };
    this.dims.forEach((d, i) => {
      const v = b.values[i]!;
      if (d === 'task') {
        if (v !== NONE) r.taskId = v;
      } else if (v !== NONE) (dims as Record<string, string>)[d] = v;
    });
    if (b.serviceTier !== undefined) r.serviceTier = b.serviceTier;
    if (b.estimated) r.estimated = true;
    if (b.bill) r.fromBill = true;
    if (b.currency !== undefined) {
      const s = this.sums.get(b);
      r.reportedCost = { amount: s ? s.value() : 0, currency: b.currency };
    }
    const p: PricedRecord = { record: r, tier: b.tier };
    if (b.key !== undefined) {
      p.key = b.key;
      const e = this.entries.get(b.key);
      if (e) p.entry = e;
    }
    if (b.unpriced !== undefined) p.unpriced = b.unpriced;
    return p;
  }

  private sum(b: Bucket): ExactSum {
    let s = this.sums.get(b);
    if (s === undefined) {
      s = new ExactSum(b.cost.length > 0 ? [...b.cost] : []);
      this.sums.set(b, s);
    }
    return s;
  }
}
