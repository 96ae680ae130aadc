import { createAttributor } from '../attribution/rules.ts';
import { anyGlob } from '../attribution/glob.ts';
import type { Config } from '../config/schema.ts';
import { UsageError } from '../core/errors.ts';
import type { UsageRecord } from '../core/record.ts';
import { parseBound, ZonedCalendar } from '../core/time.ts';
import { dimValue, type GroupDim } from '../analysis/aggregate.ts';
import type { PriceBook } from '../pricing/index.ts';
import type { Parser } from '../parsers/types.ts';
import { Enricher, type EnrichStats, type PricedRecord } from './enrich.ts';
import { emptyStats, readRecords, type ReadStats } from './read.ts';

/** A `--filter key=glob` condition. */
export interface Filter {
  key: GroupDim | `tags.${string}`;
  glob: string;
}

/** What every usage-reading command takes: inputs, period, filters, config and prices. */
export interface ScanOptions {
  paths: string[];
  tz: string;
  from?: string;
  to?: string;
  filters: Filter[];
  strict?: boolean;
  /** Force a parser id instead of detecting. */
  format?: string;
  /** Parsers made from the config (generic CSV mappings), tried after the built-in ones. */
  parsers?: readonly Parser[];
  config: Config;
  book: PriceBook;
}

/** The row accounting and bounds of one scan. */
export interface ScanResult {
  stats: ReadStats;
  enrich: EnrichStats;
  /** The period bounds as ISO instants (from inclusive, to exclusive), when given. */
  from?: string;
  to?: string;
  /** Bill rows whose tokens were not counted because a usage source covers the same provider, model and day. */
  joined: number;
}

/**
 * The shared front half of every command: read → validate → de-duplicate → keep the period → tokenize,
 * price, attribute → keep what the filters match → `sink`. Streams; `sink` decides what to keep in memory.
 */
export async function scanUsage(opts: ScanOptions, sink: (p: PricedRecord) => void): Promise<ScanResult> {
  const cal = new ZonedCalendar(opts.tz);
  const from = opts.from ? parseBound(opts.from, 'from', cal) : undefined;
  const to = opts.to ? parseBound(opts.to, 'to', cal) : undefined;
  if (from && to && from >= to) throw new UsageError(`--from ${opts.from} is not before --to ${opts.to}`);
  const stats: ReadStats = emptyStats();
  const enricher = new Enricher(
    opts.book,
    createAttributor(opts.config.attribution.rules, opts.config.attribution.default),
  );
  const keep = compileFilters(opts.filters, cal);
  const read = readRecords(
    opts.paths,
    { strict: opts.strict, format: opts.format, parsers: opts.parsers },
    stats,
  );
  // Bill rows wait until every usage record has been seen: a bill's tokens count only where no usage source
  // covers the same provider, model and UTC day (otherwise the same spend would be counted twice).
  const covered = new Set<string>();
  const bills: PricedRecord[] = [];
  for await (const batch of read) {
    const inRange =
      from || to ? batch.filter((r) => (!from || r.start >= from) && (!to || r.start < to)) : batch;
    if (inRange.length === 0) continue;
    for (const p of await enricher.enrich(inRange)) {
      const r = p.record;
      if (r.fromBill) {
        if (keep(r)) bills.push(p);
        continue;
      }
      if (r.requests > 0 || r.tokens.input + r.tokens.cacheRead + r.tokens.cacheWrite + r.tokens.output > 0) {
        covered.add(coverKey(r));
      }
      if (keep(r)) sink(p);
    }
  }
  let joined = 0;
  for (const p of bills) {
    if (covered.has(coverKey(p.record))) {
      joined++;
      sink(billOnly(p));
    } else sink(p);
  }
  return { stats, enrich: enricher.stats, from, to, joined };
}

function coverKey(r: UsageRecord): string {
  return `${r.provider}\u0000${r.model}\u0000${r.start.slice(0, 10)}`;
}

/** A bill row whose usage another source reports: keep its cost, drop its quantities. */
function billOnly(p: PricedRecord): PricedRecord {
  const r = p.record;
  r.tokens = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
  r.requests = 0;
  return { record: r, tier: -1 };
}

/** A predicate for records matching all filter keys (a key repeated matches any of its globs). */
export function compileFilters(filters: readonly Filter[], cal: ZonedCalendar): (r: UsageRecord) => boolean {
  if (filters.length === 0) return () => true;
  // Same key repeated = any of its globs (OR); different keys = all must hold (AND).
  const byKey = new Map<string, string[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.glob]);
  const tests = [...byKey].map(([key, globs]) => {
    const get = valueOf(key, cal);
    return (r: UsageRecord) => anyGlob(globs, get(r));
  });
  return (r) => tests.every((t) => t(r));
}

function valueOf(key: string, cal: ZonedCalendar): (r: UsageRecord) => string | undefined {
  if (key.startsWith('tags.')) {
    const t = key.slice(5);
    return (r) => (Object.hasOwn(r.tags, t) ? r.tags[t] : undefined);
  }
  return (r) => dimValue(r, key as GroupDim, cal);
}
