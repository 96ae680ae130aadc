import type { GroupDim } from '../analysis/aggregate.ts';
import { money, SCHEMA_VERSION } from '../core/output.ts';
import { formatProblem } from '../core/record.ts';
import type { ScanResult } from '../pipeline/scan.ts';
import type { EngineResult, GroupCosts } from './engine.ts';

/** The `command` value of each simulation's JSON. */
export type SimulateCommandName =
  'simulate routing' | 'simulate rag' | 'simulate cache' | 'simulate batch' | 'simulate all';

/** An average month, for savings "per month": 365.25 / 12 days. */
export const MONTH_DAYS = 365.25 / 12;

/** Costs and savings of one group or of the totals (USD, rounded to a millionth). */
export interface Savings {
  baselineCost: number;
  simulatedCost: number;
  savings: number;
  /** savings / baselineCost, 0..1 (negative when the what-if costs more); null when the baseline is 0. */
  savingsShare: number | null;
  /** savings scaled to an average month (30.44 days) from the days read. */
  savingsPerMonth: number;
}

/** Fields every simulation result carries (docs/simulate.md "JSON"). */
export interface SimulationHeader {
  schemaVersion: typeof SCHEMA_VERSION;
  command: SimulateCommandName;
  currency: 'USD';
  /** The period read: --from/--to when given, else the first and last instant of the usage simulated. */
  period: { from: string | null; to: string | null; days: number };
  timezone: string;
  by: GroupDim[];
  pricing: { source: string; snapshot: string };
  /** All priced usage read (after --filter and the period): what the savings can be compared with. */
  spend: { requests: number; baselineCost: number };
  /** What the simulation took for granted, in words: part of the contract, so a reader can judge the numbers. */
  assumptions: string[];
  /** Facts about this run worth knowing (usage left out, policies not given, …). */
  notes: string[];
  /** Usage that is not simulated: no price (never at $0), or a cost-only row with no tokens. */
  excluded: { unpricedRequests: number; unpricedModels: string[]; costOnlyRecords: number };
  problems: { skipped: number; duplicates: number; first: string | null };
}

/** A share rounded to 6 digits, or null for a zero base. */
export function share(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.round((part / whole) * 1e6) / 1e6;
}

/** Savings fields from a baseline and a simulated cost over `days`. */
export function savings(baseline: number, simulated: number, days: number): Savings {
  const s = baseline - simulated;
  return {
    baselineCost: money(baseline),
    simulatedCost: money(simulated),
    savings: money(s),
    savingsShare: share(s, baseline),
    savingsPerMonth: perMonth(s, days),
  };
}

/** An amount over `days` scaled to an average month. */
export function perMonth(amount: number, days: number): number {
  return money((amount * MONTH_DAYS) / Math.max(days, 1));
}

/** The common header of a simulation result. */
export function header(
  command: SimulateCommandName,
  scan: ScanResult,
  engine: EngineResult,
  meta: { tz: string; by: GroupDim[]; pricing: { source: string; snapshot: string } },
): SimulationHeader {
  const from = scan.from ?? engine.first ?? null;
  const to = scan.to ?? engine.last ?? null;
  const notes: string[] = [];
  const ex = engine.excluded;
  if (ex.unpricedRequests > 0) {
    notes.push(
      `${ex.unpricedRequests} request(s) have no price and are left out of every figure: ${ex.unpricedModels.join(', ')}.`,
    );
  }
  if (ex.costOnlyRecords > 0) {
    notes.push(
      `${ex.costOnlyRecords} row(s) without token counts (cost-only, or bill rows whose usage another source reports) are left out: nothing to simulate.`,
    );
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    command,
    currency: 'USD',
    period: { from, to, days: periodDays(from, to, scan.from !== undefined && scan.to !== undefined) },
    timezone: meta.tz,
    by: meta.by,
    pricing: meta.pricing,
    spend: { requests: engine.total.requests, baselineCost: money(engine.total.costs[0] ?? 0) },
    assumptions: [],
    notes,
    excluded: ex,
    problems: {
      skipped: scan.stats.skipped,
      duplicates: scan.stats.duplicates,
      first: scan.stats.problems[0] ? formatProblem(scan.stats.problems[0]) : null,
    },
  };
}

/**
 * Days in the period: between the bounds when both were given, else whole UTC days from the first record's
 * day to the last instant (a bucket's exclusive end counts up to it). At least 1.
 */
export function periodDays(from: string | null, to: string | null, bounded: boolean): number {
  if (from === null || to === null) return 1;
  const f = Date.parse(from);
  const t = Date.parse(to);
  const start = bounded ? f : Math.floor(f / 86_400_000) * 86_400_000;
  const days = bounded ? Math.round((t - start) / 86_400_000) : Math.ceil((t - start) / 86_400_000);
  return Math.max(1, days);
}

/** Sorts rows by savings (largest first), then by key text, for a stable order. */
export function bySavings<T extends { key: Record<string, string>; savings: number }>(rows: T[]): T[] {
  return rows.sort(
    (a, b) =>
      b.savings - a.savings ||
      Object.values(a.key).join('\u0000').localeCompare(Object.values(b.key).join('\u0000')),
  );
}

/** USD for an assumption text: `$1,234.57`. */
export function usd(n: number): string {
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A percentage for an assumption text: `20 %`. */
export function pct(f: number): string {
  return `${Number((f * 100).toPrecision(6))} %`;
}

/**
 * Requests, baseline and simulated cost (after `stage`) summed over the groups a lever's table shows: a lever
 * lists only the groups it touches, and its total row adds up those rows (`spend` holds all usage read).
 */
export function shownTotals(
  groups: readonly GroupCosts[],
  shown: (id: string) => boolean,
  stage = 1,
): { requests: number; baseline: number; simulated: number } {
  let requests = 0;
  let baseline = 0;
  let simulated = 0;
  for (const g of groups) {
    if (!shown(g.id)) continue;
    requests += g.requests;
    baseline += g.costs[0]!;
    simulated += g.costs[stage]!;
  }
  return { requests, baseline, simulated };
}
