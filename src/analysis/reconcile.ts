import { formatProblem } from '../core/record.ts';
import { ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import type { ScanResult } from '../pipeline/scan.ts';
import type { PriceBook } from '../pricing/index.ts';
import { Aggregator, groupCost, type GroupDim, type GroupSums } from './aggregate.ts';
import { money, SCHEMA_VERSION } from '../core/output.ts';

/** How a computed cost compares with what the source billed. */
export type ReconcileStatus = 'ok' | 'over' | 'under' | 'no-bill' | 'no-usage';

/** One day × provider × model line of a reconciliation. */
export interface ReconcileRow {
  period: string;
  provider: string;
  model: string;
  /** Cost computed from tokens at the dated list price (plus overrides). */
  computed: number;
  /** Cost the sources state; null when none did. */
  reported: number | null;
  /** computed − reported; null without a reported cost. */
  difference: number | null;
  /** difference ÷ reported; null when reported is null or 0. */
  share: number | null;
  status: ReconcileStatus;
  /** The likely cause of a mismatch, in words; null when the line reconciles or no cause is evident. */
  cause: string | null;
}

/** `finops reconcile` result (also `report --reconcile`'s `reconciliation`). */
export interface Reconciliation {
  schemaVersion: typeof SCHEMA_VERSION;
  command: 'reconcile';
  currency: 'USD';
  by: 'day' | 'month';
  tolerance: { absolute: number; relative: number };
  pricing: { source: string; snapshot: string };
  /** Sums over all lines; `difference` compares only lines that have a bill (no-bill lines are not a gap). */
  totals: { computed: number; reported: number; difference: number; lines: number; mismatched: number };
  rows: ReconcileRow[];
  problems: { skipped: number; duplicates: number; first: string | null };
}

/** A difference within both max(absolute, relative × reported) counts as reconciled. */
export const DEFAULT_TOLERANCE = { absolute: 0.01, relative: 0.01 };

/** Collects per-period × provider × model sums during a scan; `result` turns them into a Reconciliation. */
export class Reconciler {
  private readonly agg: Aggregator;
  private readonly by: 'day' | 'month';
  constructor(tz: string, by: 'day' | 'month' = 'day') {
    this.by = by;
    this.agg = new Aggregator([by, 'provider', 'model'] as GroupDim[], new ZonedCalendar(tz));
  }

  /** Adds one priced record. */
  add(p: PricedRecord): void {
    this.agg.add(p);
  }

  /** The reconciliation, sorted by period, then by the size of the difference. */
  result(scan: ScanResult, book: PriceBook, tolerance = DEFAULT_TOLERANCE): Reconciliation {
    const snapshot = book.describe().snapshot;
    const rows = this.agg
      .result()
      .groups.filter((g) => g.requests > 0 || g.hasReported || g.byPrice.size > 0 || g.unpricedRequests > 0)
      .map((g) => row(g, this.by, scan, snapshot, tolerance))
      .sort(
        (a, b) =>
          a.period.localeCompare(b.period) ||
          Math.abs(b.difference ?? b.computed) - Math.abs(a.difference ?? a.computed) ||
          `${a.provider}/${a.model}`.localeCompare(`${b.provider}/${b.model}`),
      );
    const computed = rows.reduce((s, r) => s + r.computed, 0);
    const reported = rows.reduce((s, r) => s + (r.reported ?? 0), 0);
    const billedComputed = rows.reduce((s, r) => s + (r.reported === null ? 0 : r.computed), 0);
    return {
      schemaVersion: SCHEMA_VERSION,
      command: 'reconcile',
      currency: 'USD',
      by: this.by,
      tolerance,
      pricing: book.describe(),
      totals: {
        computed: money(computed),
        reported: money(reported),
        difference: money(billedComputed - reported),
        lines: rows.length,
        mismatched: rows.filter((r) => r.status === 'over' || r.status === 'under' || r.status === 'no-usage')
          .length,
      },
      rows,
      problems: {
        skipped: scan.stats.skipped,
        duplicates: scan.stats.duplicates,
        first: scan.stats.problems[0] ? formatProblem(scan.stats.problems[0]) : null,
      },
    };
  }
}

function row(
  g: GroupSums,
  by: 'day' | 'month',
  scan: ScanResult,
  snapshot: string,
  tol: { absolute: number; relative: number },
): ReconcileRow {
  const computed = groupCost(g);
  const reported = g.hasReported ? g.reportedCost : null;
  const difference = reported === null ? null : computed - reported;
  const tokens = g.tokens.input + g.tokens.cacheRead + g.tokens.cacheWrite + g.tokens.output;
  let status: ReconcileStatus;
  if (reported === null) status = 'no-bill';
  else if (tokens === 0 && g.unpricedRequests === 0 && g.requests === 0) status = 'no-usage';
  else if (Math.abs(difference!) <= Math.max(tol.absolute, tol.relative * Math.abs(reported))) status = 'ok';
  else status = difference! > 0 ? 'over' : 'under';
  return {
    period: g.key[by]!,
    provider: g.key.provider!,
    model: g.key.model!,
    computed: money(computed),
    reported: reported === null ? null : money(reported),
    difference: difference === null ? null : money(difference),
    share: difference === null || !reported ? null : Math.round((difference / reported) * 1e6) / 1e6,
    status,
    cause: cause(g, status, computed, reported, scan, snapshot),
  };
}

/** The most likely reason for a mismatch, from what the data shows; null when nothing points anywhere. */
function cause(
  g: GroupSums,
  status: ReconcileStatus,
  computed: number,
  reported: number | null,
  scan: ScanResult,
  snapshot: string,
): string | null {
  if (status === 'ok') return null;
  if (status === 'no-bill') return null; // nothing to compare: the status says it
  if (status === 'no-usage') return 'billed, but no usage export or log covers this line';
  if (g.unpricedRequests > 0 || g.unpricedTokens.input + g.unpricedTokens.output > 0) {
    return 'the model has no price: its usage is not in the computed cost (add a price override or import a price list)';
  }
  if (reported !== null && reported > 0 && computed > 1.8 * reported && computed < 2.2 * reported) {
    return 'computed is about twice the bill: the same usage may be read twice (overlapping exports without ids)';
  }
  if (status === 'under' && g.tokens.cacheRead + g.tokens.cacheWrite === 0) {
    return 'computed below the bill with no cache tokens: the usage source may leave out cache writes/reads or other billed items';
  }
  if (g.lastEnd !== undefined && g.lastEnd.slice(0, 10) > snapshot) {
    return `usage is newer than the price list (${snapshot}): prices may have changed (refresh with \`finops pricing import\`)`;
  }
  if (scan.stats.duplicates > 0 && status === 'under') {
    return 'rows were removed as duplicates: check that the removed rows were true duplicates';
  }
  if (status === 'under')
    return 'billed above list price: surcharges (regional, priority tier) or a price change not in the catalog';
  return 'billed below list price: a discount, credits or a price change not in the catalog (add it under pricing.overrides)';
}
