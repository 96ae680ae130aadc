import type { Config } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { ZonedCalendar } from '../core/time.ts';
import type { PricedRecord } from '../pipeline/enrich.ts';
import type { ScanResult } from '../pipeline/scan.ts';
import type { PriceBook } from '../pricing/index.ts';
import { Simulation } from '../simulate/engine.ts';
import { header } from '../simulate/result.ts';
import { RoutingStep, routingResult } from '../simulate/routing.ts';

/** What the routing policy would move, per workflow, for the audit's `routing-opportunity` policy. */
export interface RoutingOpportunity {
  workflow: string;
  requests: number;
  routed: number;
  /** Models of the policy's most capable tier (the "frontier" the work runs on today). */
  frontierModels: string[];
  monthlySavingUsd: number;
}

/** A sink for the audit's scan that runs the routing simulation of finops.yaml; undefined without a policy. */
export function routingAudit(
  config: Config,
  book: PriceBook,
  tz: string,
): { add(p: PricedRecord): void; result(scan: ScanResult): RoutingOpportunity[] } | undefined {
  const routing = config.routing;
  if (routing.rules.length === 0) return undefined;
  const step = new RoutingStep({
    config: routing,
    source: 'finops.yaml',
    book,
    error: (m) => new ConfigError(m),
  });
  const sim = new Simulation([step], ['workflow'], new ZonedCalendar(tz));
  return {
    add: (p) => sim.add(p),
    result(scan) {
      const engine = sim.finish();
      const r = routingResult(
        header('simulate routing', scan, engine, { tz, by: ['workflow'], pricing: book.describe() }),
        engine,
        step,
      );
      const frontier = r.policy.tiers[0]?.models ?? [];
      return r.groups
        .filter((g) => g.routed > 0)
        .map((g) => ({
          workflow: g.key.workflow!,
          requests: g.requests,
          routed: g.routed,
          frontierModels: frontier,
          monthlySavingUsd: g.savingsPerMonth,
        }));
    },
  };
}
