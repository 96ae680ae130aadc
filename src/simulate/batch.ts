import { anyGlob } from '../attribution/glob.ts';
import { NONE } from '../analysis/aggregate.ts';
import type { UsageRecord } from '../core/record.ts';
import { isBatchTier } from '../pricing/index.ts';
import type { BatchConfig } from './config.ts';
import type { EngineResult, SimState, Step } from './engine.ts';
import { bySavings, savings, shownTotals, type Savings, type SimulationHeader } from './result.ts';

/** How long a batch may take: the batch APIs of OpenAI, Anthropic and Google promise results within 24 hours. */
export const BATCH_TURNAROUND = '24 h';

interface BatchSums {
  candidates: number;
  alreadyBatch: number;
  moved: number;
  latencySum: number;
  latencyN: number;
}

/** True when a request is work no one waits for, by `batch:` (workflow, app, or every tag given). */
export function isBatchCandidate(r: UsageRecord, c: BatchConfig): boolean {
  if (c.workflows.length > 0 && anyGlob(c.workflows, r.dims.workflow ?? NONE)) return true;
  if (c.apps.length > 0 && anyGlob(c.apps, r.dims.app ?? NONE)) return true;
  const tags = Object.entries(c.tags);
  return (
    tags.length > 0 && tags.every(([k, g]) => anyGlob(g, Object.hasOwn(r.tags, k) ? r.tags[k] : undefined))
  );
}

/** The batch lever: candidates not already on batch (or flex) are priced at the batch rates. */
export class BatchStep implements Step {
  readonly lever = 'batch';
  readonly config: BatchConfig;
  readonly stats = new Map<string, BatchSums>();

  constructor(config: BatchConfig) {
    this.config = config;
  }

  /** True when the config names any candidate at all. */
  get active(): boolean {
    const c = this.config;
    return c.workflows.length > 0 || c.apps.length > 0 || Object.keys(c.tags).length > 0;
  }

  apply(s: SimState): void {
    const r = s.record;
    if (!isBatchCandidate(r, this.config)) return;
    let g = this.stats.get(s.group);
    if (g === undefined) {
      g = { candidates: 0, alreadyBatch: 0, moved: 0, latencySum: 0, latencyN: 0 };
      this.stats.set(s.group, g);
    }
    g.candidates += r.requests;
    if (r.latencyMs !== undefined) {
      g.latencySum += r.latencyMs * r.requests;
      g.latencyN += r.requests;
    }
    if (isBatchTier(s.serviceTier)) {
      g.alreadyBatch += r.requests;
      return;
    }
    g.moved += r.requests;
    s.serviceTier = 'batch';
  }
}

export interface BatchGroup extends Savings {
  key: Record<string, string>;
  requests: number;
  /** Requests the batch policy names, those already on batch or flex, and those moved to batch. */
  candidates: number;
  alreadyBatch: number;
  moved: number;
  /** Mean latency of the candidates today (ms), where logged; batch turns this into up to 24 h. */
  meanLatencyMs: number | null;
}

export interface BatchResult extends SimulationHeader {
  command: 'simulate batch';
  candidates: { workflows: string[]; apps: string[]; tags: Record<string, string | string[]> };
  turnaround: string;
  totals: Omit<BatchGroup, 'key'>;
  groups: BatchGroup[];
}

/** The `simulate batch` result: groups with candidates. */
export function batchResult(head: SimulationHeader, engine: EngineResult, step: BatchStep): BatchResult {
  const days = head.period.days;
  const sum: BatchSums = { candidates: 0, alreadyBatch: 0, moved: 0, latencySum: 0, latencyN: 0 };
  const groups: BatchGroup[] = [];
  for (const g of engine.groups) {
    const st = step.stats.get(g.id);
    if (st === undefined) continue;
    for (const k of Object.keys(sum) as (keyof BatchSums)[]) sum[k] += st[k];
    groups.push(row(g.key, g.requests, st, savings(g.costs[0]!, g.costs[1]!, days)));
  }
  const t = shownTotals(engine.groups, (id) => step.stats.has(id));
  const { key: _k, ...totals } = row({}, t.requests, sum, savings(t.baseline, t.simulated, days));
  const result: BatchResult = {
    ...head,
    command: 'simulate batch',
    candidates: { workflows: step.config.workflows, apps: step.config.apps, tags: step.config.tags },
    turnaround: BATCH_TURNAROUND,
    totals,
    groups: bySavings(groups),
  };
  result.assumptions.push(...batchAssumptions(step));
  if (sum.candidates === 0) result.notes.push('No request matches the batch candidates.');
  return result;
}

function row(key: Record<string, string>, requests: number, st: BatchSums, sv: Savings): BatchGroup {
  return {
    key,
    requests,
    candidates: st.candidates,
    alreadyBatch: st.alreadyBatch,
    moved: st.moved,
    meanLatencyMs: st.latencyN > 0 ? Math.round(st.latencySum / st.latencyN) : null,
    ...sv,
  };
}

/** The batch assumptions, in words (shared with `simulate all`). */
export function batchAssumptions(step: BatchStep): string[] {
  const c = step.config;
  const what = [
    c.workflows.length > 0 ? `workflows ${c.workflows.join(', ')}` : undefined,
    c.apps.length > 0 ? `apps ${c.apps.join(', ')}` : undefined,
    Object.keys(c.tags).length > 0
      ? `tags ${Object.entries(c.tags)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : v.join('|')}`)
          .join(', ')}`
      : undefined,
  ].filter(Boolean);
  return [
    `Batch candidates (no one waits for the answer): ${what.length > 0 ? what.join('; ') : 'none configured'}. Requests already on batch or flex stay as they are.`,
    `Latency trade-off: batch results arrive within ${BATCH_TURNAROUND} (OpenAI, Anthropic and Google batch APIs; most finish sooner) instead of seconds.`,
    'Batch prices from the price list; where it gives none, 50 % of the standard price. Cache hits inside a batch are best effort.',
  ];
}
