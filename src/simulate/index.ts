import type { GroupDim } from '../analysis/aggregate.ts';
import { ZonedCalendar } from '../core/time.ts';
import { scanUsage, type ScanOptions, type ScanResult } from '../pipeline/scan.ts';
import { allResult, orderedSteps, type AllResult, type AllSteps } from './all.ts';
import { batchResult, BatchStep, type BatchResult } from './batch.ts';
import { cacheResult, CacheStep, type CacheResult } from './cache.ts';
import { Simulation, type EngineResult, type Step } from './engine.ts';
import { ragResult, RagStep, type RagResult } from './rag.ts';
import { header, type SimulateCommandName, type SimulationHeader } from './result.ts';
import { routingResult, RoutingStep, type RoutingResult } from './routing.ts';

/** `finops simulate`: what-ifs priced from a company's own usage (docs/simulate.md). */
export type { AllResult, BatchResult, CacheResult, RagResult, RoutingResult };
export { BatchStep, CacheStep, RagStep, RoutingStep };
export type { AllSteps };

/** What a simulation reads and how it groups. */
export interface SimulateOptions extends ScanOptions {
  by: GroupDim[];
}

/** Any simulation result. */
export type SimulationResult = RoutingResult | RagResult | CacheResult | BatchResult | AllResult;

async function run(
  command: SimulateCommandName,
  opts: SimulateOptions,
  steps: Step[],
): Promise<{ head: SimulationHeader; engine: EngineResult; scan: ScanResult }> {
  const sim = new Simulation(steps, opts.by, new ZonedCalendar(opts.tz));
  const scan = await scanUsage(opts, (p) => sim.add(p));
  const engine = sim.finish();
  const head = header(command, scan, engine, { tz: opts.tz, by: opts.by, pricing: opts.book.describe() });
  return { head, engine, scan };
}

/** Routing what-if over the inputs. */
export async function simulateRouting(opts: SimulateOptions, step: RoutingStep): Promise<RoutingResult> {
  const { head, engine } = await run('simulate routing', opts, [step]);
  return routingResult(head, engine, step);
}

/** RAG trimming what-if. */
export async function simulateRag(opts: SimulateOptions, step: RagStep): Promise<RagResult> {
  const { head, engine } = await run('simulate rag', opts, [step]);
  return ragResult(head, engine, step);
}

/** Prompt-caching what-if. */
export async function simulateCache(opts: SimulateOptions, step: CacheStep): Promise<CacheResult> {
  const { head, engine } = await run('simulate cache', opts, [step]);
  return cacheResult(head, engine, step);
}

/** Batch what-if. */
export async function simulateBatch(opts: SimulateOptions, step: BatchStep): Promise<BatchResult> {
  const { head, engine } = await run('simulate batch', opts, [step]);
  return batchResult(head, engine, step);
}

/** All levers, in order (routing → RAG → cache → batch), without counting a saving twice. */
export async function simulateAll(opts: SimulateOptions, steps: AllSteps): Promise<AllResult> {
  const { head, engine } = await run('simulate all', opts, orderedSteps(steps));
  return allResult(head, engine, steps);
}
