import type { BudgetReport, BudgetStatus } from '../analysis/budget.ts';
import type { KpiUnit } from './config.ts';
import type { KpiPeriod, KpiReport } from './engine.ts';

/**
 * A what-if saving from the simulations (`finops simulate`, src/simulate, built separately): the hook the
 * executive summary reads. A structural subset of `SavingsOpportunity` in src/analysis/report.ts, so the
 * simulate results can be passed as they are. `saving` is USD over the summary's period.
 */
export interface SavingsInput {
  /** e.g. `routing`, `rag`, `cache`, `batch`. */
  simulation: string;
  /** What would change, in words. */
  description: string;
  /** USD saved over the period. */
  saving: number;
  caveat?: string;
}

/** A KPI in the summary: its value in the last period and its change against the one before. */
export interface KpiMover {
  name: string;
  title: string;
  unit: KpiUnit;
  better: 'lower' | 'higher';
  value: number | null;
  missing: string | null;
  previous: number | null;
  change: number | null;
  changePct: number | null;
  trend: 'better' | 'worse' | 'flat' | null;
  target: number | null;
  onTarget: boolean | null;
}

/** The executive view (`finops kpi --summary`): one period, one screen. */
export interface KpiSummary {
  /** The last period of the report (the one containing the last day covered); null without data. */
  period: KpiPeriod | null;
  previousPeriod: string | null;
  spend: {
    total: number;
    previous: number | null;
    /** (total − previous) ÷ previous; null without a previous period or when it had no spend. */
    changePct: number | null;
    unpricedRequests: number;
    byTeam: { team: string; cost: number; share: number | null; previous: number | null }[];
  };
  /**
   * Up to three KPIs, those whose value moved most against the previous period (by |changePct|). When fewer than
   * three have a change, the rest are filled with KPIs that have a value, in config order, with change null.
   */
  movers: KpiMover[];
  /** Budget status from the same scan (finops.yaml `budgets:`); null when there are none. */
  budgets: {
    asOf: string;
    items: {
      name: string;
      status: BudgetStatus;
      unit: 'usd' | 'tokens';
      spent: number;
      amount: number;
      share: number;
    }[];
  } | null;
  /** The largest saving among the simulation results given; null when none were given (or none saves). */
  topSaving: SavingsInput | null;
  /** False when no simulation results were given to the summary at all. */
  simulations: boolean;
}

/** Inputs the summary takes besides the KPI report. */
export interface SummaryInputs {
  /** Budgets evaluated in the same scan (BudgetTracker), when finops.yaml has `budgets:`. */
  budgets?: BudgetReport;
  /** Simulation results, when they exist: the top one by `saving` is shown. Hook for src/simulate. */
  savings?: readonly SavingsInput[];
}

/** Builds the executive summary from a KPI report (pure: no I/O). */
export function buildKpiSummary(report: KpiReport, inputs: SummaryInputs = {}): KpiSummary {
  const n = report.periods.length;
  const last = n > 0 ? n - 1 : -1;
  const period = last >= 0 ? report.periods[last]! : null;
  const spendNow = last >= 0 ? report.spend[last]! : undefined;
  const spendPrev = last >= 1 ? report.spend[last - 1]! : undefined;
  const total = spendNow?.cost ?? 0;
  const prevTeams = new Map(spendPrev?.byTeam.map((t) => [t.team, t.cost]));
  const byTeam = (spendNow?.byTeam ?? []).map((t) => ({
    team: t.team,
    cost: t.cost,
    share: total > 0 ? round4(t.cost / total) : null,
    previous: spendPrev ? (prevTeams.get(t.team) ?? 0) : null,
  }));

  const cells: KpiMover[] =
    last < 0
      ? []
      : report.kpis.map((k) => {
          const c = k.values[last]!;
          return {
            name: k.name,
            title: k.title,
            unit: k.unit,
            better: k.better,
            value: c.value,
            missing: c.missing,
            previous: c.previous,
            change: c.change,
            changePct: c.changePct,
            trend: c.trend,
            target: k.target,
            onTarget: c.onTarget,
          };
        });
  const moved = cells
    .filter((c) => c.changePct !== null)
    .sort((a, b) => Math.abs(b.changePct!) - Math.abs(a.changePct!) || a.name.localeCompare(b.name))
    .slice(0, 3);
  const fill = cells.filter((c) => c.changePct === null && c.value !== null).slice(0, 3 - moved.length);

  const savings = inputs.savings ?? [];
  const top = [...savings].filter((s) => s.saving > 0).sort((a, b) => b.saving - a.saving)[0];
  return {
    period,
    previousPeriod: last >= 1 ? report.periods[last - 1]!.label : null,
    spend: {
      total,
      previous: spendPrev ? spendPrev.cost : null,
      changePct: spendPrev && spendPrev.cost > 0 ? round4((total - spendPrev.cost) / spendPrev.cost) : null,
      unpricedRequests: spendNow?.unpricedRequests ?? 0,
      byTeam,
    },
    movers: [...moved, ...fill],
    budgets: inputs.budgets
      ? {
          asOf: inputs.budgets.asOf,
          items: inputs.budgets.budgets.map((b) => ({
            name: b.name,
            status: b.status,
            unit: b.unit,
            spent: b.spent,
            amount: b.amount,
            share: b.share,
          })),
        }
      : null,
    topSaving: top ?? null,
    simulations: inputs.savings !== undefined,
  };
}

/**
 * Cost-per-outcome KPIs of the last period in the shape `finops report --format html` reads (`Report.kpis`,
 * src/analysis/report.ts `KpiValue`): ratio KPIs whose numerator is AI cost. That shape has no room for a
 * missing cost or outcome count, so a KPI whose numerator or denominator is missing is left out (never shown as 0).
 */
export function reportKpiValues(report: KpiReport): {
  name: string;
  value: number | null;
  unit: string;
  cost: number;
  outcomes: number;
  previous?: number | null;
}[] {
  const last = report.periods.length - 1;
  if (last < 0) return [];
  return report.kpis
    .filter((k) => k.kind === 'ratio' && k.numerator === 'AI cost')
    .flatMap((k) => {
      const c = k.values[last]!;
      if (c.numerator === null || c.denominator === null) return [];
      return [
        {
          name: k.title,
          value: c.value,
          unit: k.denominator,
          cost: c.numerator,
          outcomes: c.denominator,
          previous: c.previous,
        },
      ];
    });
}

function round4(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}
