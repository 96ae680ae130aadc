import { ConfigSchema } from '../../src/config/schema.ts';
import { stringMap, type Tokens, type UsageRecord } from '../../src/core/record.ts';
import { ZonedCalendar } from '../../src/core/time.ts';
import type { PricedRecord } from '../../src/pipeline/enrich.ts';
import {
  BUNDLED_CATALOG,
  createPriceBook,
  priceKey,
  tierIndex,
  type PriceBook,
} from '../../src/pricing/index.ts';
import type { PriceOverride } from '../../src/pricing/types.ts';
import { Simulation, type EngineResult, type Step } from '../../src/simulate/engine.ts';
import { header, type SimulationHeader } from '../../src/simulate/result.ts';
import type { GroupDim } from '../../src/analysis/aggregate.ts';
import type { ScanResult } from '../../src/pipeline/scan.ts';
import { emptyStats } from '../../src/pipeline/read.ts';

/** The bundled price list (plus overrides), as a run without finops.yaml uses it. */
export function book(overrides: PriceOverride[] = []): PriceBook {
  return createPriceBook({ bundled: BUNDLED_CATALOG, overrides });
}

/** The config defaults (every simulate section empty). */
export const DEFAULTS = ConfigSchema.parse({});

export interface RecordSpec {
  model: string;
  provider?: string;
  start?: string;
  tokens?: Partial<Tokens>;
  workflow?: string;
  app?: string;
  requests?: number;
  serviceTier?: string;
  tags?: Record<string, string>;
  outcome?: string;
  latencyMs?: number;
  rag?: UsageRecord['rag'];
  promptInfo?: UsageRecord['promptInfo'];
}

/** A record priced as the enricher would: resolved model, the entry in force on its date, tier and key. */
export function priced(b: PriceBook, spec: RecordSpec): PricedRecord {
  const tags = stringMap();
  Object.assign(tags, spec.tags ?? {});
  const r: UsageRecord = {
    start: spec.start ?? '2026-10-01T10:00:00.000Z',
    provider: spec.provider ?? providerOf(spec.model),
    model: spec.model,
    modelRaw: spec.model,
    requests: spec.requests ?? 1,
    tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, ...spec.tokens },
    dims: { workflow: spec.workflow ?? 'wf', app: spec.app ?? 'app', team: 'team' },
    tags,
    source: { file: 'test', line: 1, format: 'request-log' },
  };
  if (spec.serviceTier !== undefined) r.serviceTier = spec.serviceTier;
  if (spec.outcome !== undefined) r.outcome = spec.outcome;
  if (spec.latencyMs !== undefined) r.latencyMs = spec.latencyMs;
  if (spec.rag !== undefined) r.rag = spec.rag;
  if (spec.promptInfo !== undefined) r.promptInfo = spec.promptInfo;
  const id = b.resolve(r.modelRaw, r.provider);
  if (id === undefined) return { record: r, tier: -1, unpriced: 'unknown model' };
  r.model = id;
  const entry = b.lookup(id, r.start, r.provider);
  if (entry === undefined) return { record: r, tier: -1, unpriced: 'no price' };
  const tier = tierIndex(entry, r.tokens, r.requests);
  return { record: r, entry, tier, key: priceKey(entry, tier, r.serviceTier) };
}

function providerOf(model: string): string {
  if (model.startsWith('claude')) return 'anthropic';
  if (model.startsWith('gemini')) return 'google';
  if (model.startsWith('acme')) return 'custom';
  return 'openai';
}

/** Runs steps over records the way `finops simulate` does after the scan. */
export function runSteps(
  steps: Step[],
  records: PricedRecord[],
  by: GroupDim[] = ['workflow'],
): { engine: EngineResult; head: SimulationHeader } {
  const sim = new Simulation(steps, by, new ZonedCalendar('UTC'));
  for (const p of records) sim.add(p);
  const engine = sim.finish();
  const scan: ScanResult = {
    stats: emptyStats(),
    enrich: { tokenizedRecords: 0, tokenizedTokens: 0 },
    joined: 0,
  };
  const head = header('simulate all', scan, engine, {
    tz: 'UTC',
    by,
    pricing: { source: 'bundled', snapshot: 'test' },
  });
  return { engine, head };
}

/** `2026-10-01T10:MM:SS.000Z`. */
export function at(minute: number, second = 0): string {
  return `2026-10-01T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;
}
