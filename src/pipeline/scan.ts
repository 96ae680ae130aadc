import { createAttributor } from '../attribution/rules.ts';
import type { Config } from '../config/schema.ts';
import { UsageError } from '../core/errors.ts';
import type { UsageRecord } from '../core/record.ts';
import { parseBound, ZonedCalendar } from '../core/time.ts';
import type { GroupDim } from '../analysis/aggregate.ts';
import type { LoadPriceBookOptions, PriceBook } from '../pricing/index.ts';
import type { Parser } from '../parsers/types.ts';
import { Enricher, type EnrichStats, type PricedRecord } from './enrich.ts';
import { compileFilters, type Filter } from './filters.ts';
import { scanCombined } from './parallel.ts';
import { emptyStats, readRecords, type ReadStats } from './read.ts';

export { compileFilters, type Filter };

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
  /** Called once per batch read, with the live (not copied) read stats: for a progress display; keep it cheap. */
  onProgress?: (stats: Readonly<ReadStats>) => void;
  /**
   * Set when `sink` only sums records by these dimensions (the Aggregator, and Reconciler / SpikeFinder built on
   * it): the scan may then give it one combined record per group of records that agree on these dimensions and on
   * local day, provider, model, price key and tier, unpriced reason, service tier, estimate flag and stated-cost
   * currency (sums of requests, tokens and stated cost; earliest start, latest end; no tags, source or ids). Such
   * a scan runs in parallel (see `jobs`) and its result does not depend on how many threads ran it.
   * Unset: the sink gets every record, in input order, on this thread.
   */
  combine?: readonly GroupDim[];
  /** Threads for a combined scan (this one included); default: the machine's cores. 1 = no worker threads. */
  jobs?: number;
  /**
   * Where `book` came from, so that a worker thread can load the same prices; parsers are rebuilt from
   * `config.csv_formats`. Set by the CLI (scanOptionsFrom). Without it a combined scan stays on this thread.
   */
  priceSource?: LoadPriceBookOptions;
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
 * The shared front half of every command: read → validate → keep the period → de-duplicate → tokenize, price,
 * attribute → keep what the filters match → `sink`. Streams; `sink` decides what to keep in memory. With
 * `combine`, the sink gets combined records, computed in parallel (parallel.ts).
 */
export async function scanUsage(opts: ScanOptions, sink: (p: PricedRecord) => void): Promise<ScanResult> {
  const cal = new ZonedCalendar(opts.tz);
  const from = opts.from ? parseBound(opts.from, 'from', cal) : undefined;
  const to = opts.to ? parseBound(opts.to, 'to', cal) : undefined;
  if (from && to && from >= to) throw new UsageError(`--from ${opts.from} is not before --to ${opts.to}`);
  if (opts.combine) return scanCombined(opts, sink, { from, to, calendar: cal });
  const stats: ReadStats = emptyStats();
  const enricher = new Enricher(
    opts.book,
    createAttributor(opts.config.attribution.rules, opts.config.attribution.default),
  );
  const keep = compileFilters(opts.filters, cal);
  const read = readRecords(
    opts.paths,
    { strict: opts.strict, format: opts.format, parsers: opts.parsers, from, to },
    stats,
  );
  // Bill rows wait until every usage record has been seen: a bill's tokens count only where no usage source
  // covers the same provider, model and UTC day (otherwise the same spend would be counted twice).
  const covered = new Set<string>();
  const bills: PricedRecord[] = [];
  for await (const batch of read) {
    opts.onProgress?.(stats);
    for (const p of await enricher.enrich(batch)) {
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
