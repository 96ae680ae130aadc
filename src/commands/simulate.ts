import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import YAML from 'yaml';
import type { z } from 'zod';
import { parseBy } from '../analysis/report.ts';
import type { Config } from '../config/schema.ts';
import { ConfigError, UsageError } from '../core/errors.ts';
import type { PriceBook } from '../pricing/index.ts';
import { SIMULATE_FORMATS, SIMULATE_RENDERERS, type SimulateFormat } from '../render/simulate.ts';
import {
  CacheConfigSchema,
  RoutingConfigSchema,
  type BatchConfig,
  type CacheConfig,
  type RoutingConfig,
} from '../simulate/config.ts';
import {
  BatchStep,
  CacheStep,
  RagStep,
  RoutingStep,
  simulateAll,
  simulateBatch,
  simulateCache,
  simulateRag,
  simulateRouting,
  type SimulateOptions,
  type SimulationResult,
} from '../simulate/index.ts';
import type { RagPolicy } from '../simulate/rag.ts';
import { fmtInt } from '../render/format.ts';
import { parsePositiveInt } from './report.ts';
import {
  addScanOptions,
  emit,
  formatOption,
  outputContext,
  say,
  scanOptionsFrom,
  type ScanCliOpts,
} from './shared.ts';

interface CommonOpts extends ScanCliOpts {
  by: string;
  format: SimulateFormat;
  output?: string;
}

interface RoutingOpts {
  policy?: string;
  toModel?: string;
  map: { from: string; to: string }[];
  keep: string[];
  outputChange?: number;
  retryShare?: number;
}

interface RagOpts {
  topK?: number;
  minScore?: number;
  maxContextTokens?: number;
}

interface CacheOpts {
  ttl?: '5m' | '1h';
  maxPrefixes?: number;
}

interface BatchOpts {
  batchWorkflow: string[];
  batchApp: string[];
  batchTag: [string, string][];
}

type AllOpts = CommonOpts & RoutingOpts & RagOpts & CacheOpts & BatchOpts;

/** `finops simulate`: what would routing, RAG trimming, caching and batch save, from your own usage? */
export function simulateCommand(): Command {
  const cmd = new Command('simulate')
    .description('what-ifs priced from your own usage: routing, RAG trimming, prompt caching, batch, or all')
    .addHelpText(
      'after',
      `
Every figure comes from the dated price list, for the simulated model as for the original; each result
lists its assumptions (in JSON too). Policies live in finops.yaml (routing:, rag:, cache:, batch:; see
docs/simulate.md); flags win over the file.

Examples:
  $ finops simulate routing ./logs --to-model gpt-4o-mini --filter workflow=triage
  $ finops simulate routing ./logs --policy routing.yaml --by workflow
  $ finops simulate rag ./logs --top-k 4 --min-score 0.7
  $ finops simulate cache ./logs --by app
  $ finops simulate batch ./logs --batch-workflow nightly-*
  $ finops simulate all ./logs --format markdown > savings.md`,
    );
  cmd.addCommand(routingCommand());
  cmd.addCommand(ragCommand());
  cmd.addCommand(cacheCommand());
  cmd.addCommand(batchCommand());
  cmd.addCommand(allCommand());
  return cmd;
}

function base(name: string, description: string, by: string, examples: string): Command {
  const c = new Command(name)
    .description(description)
    .addHelpText(
      'after',
      `\nExamples:\n${examples}\n\nSee docs/simulate.md for the policy keys, the algorithm and the JSON.`,
    )
    .argument('[paths...]', 'request logs, usage exports (- for stdin); formats are detected from content')
    .option('-b, --by <dims>', 'group by (e.g. workflow, app, team, model)', by)
    .addOption(formatOption(SIMULATE_FORMATS))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout');
  return addScanOptions(c);
}

function addRoutingOptions(c: Command): Command {
  return c
    .option(
      '--policy <file>',
      'routing policy YAML (a routing: section, or its content); wins over finops.yaml',
    )
    .option('--to-model <model>', 'quick form: what if every request in scope ran on this model')
    .option(
      '--map <from=to>',
      'quick form: requests on models matching FROM (glob) run on TO (repeatable)',
      (v: string, prev: { from: string; to: string }[]) => [...prev, parseMap(v)],
      [] as { from: string; to: string }[],
    )
    .option(
      '--keep <workflow>',
      'pin a workflow (glob) to its model (repeatable; adds to routing.keep)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      '--output-change <share>',
      'sensitivity: output on the smaller model ± this (0.2 or 20%)',
      parseShare,
    )
    .option(
      '--retry-share <share>',
      'sensitivity: share of routed requests retried on the original model',
      parseShare,
    );
}

function addRagOptions(c: Command): Command {
  return c
    .option('--top-k <n>', 'keep the N best-scored chunks', parsePositiveInt)
    .option('--min-score <x>', 'drop chunks scored below X', parseNumber)
    .option('--max-context-tokens <n>', 'keep chunks, best first, within N context tokens', parsePositiveInt);
}

function addCacheOptions(c: Command): Command {
  return c
    .addOption(new Option('--ttl <ttl>', 'cache lifetime after the last use').choices(['5m', '1h']))
    .option('--max-prefixes <n>', 'distinct prefixes tracked one by one (memory bound)', parsePositiveInt);
}

function addBatchOptions(c: Command): Command {
  const push = (v: string, prev: string[]) => [...prev, v];
  return c
    .option('--batch-workflow <glob>', 'a workflow no one waits for (repeatable)', push, [] as string[])
    .option('--batch-app <glob>', 'an app no one waits for (repeatable)', push, [] as string[])
    .option(
      '--batch-tag <key=glob>',
      'requests with this tag are batch candidates (repeatable; all must match)',
      (v: string, prev: [string, string][]) => [...prev, parseTag(v)],
      [] as [string, string][],
    );
}

function routingCommand(): Command {
  return addRoutingOptions(
    base(
      'routing',
      'route simple work to smaller models: savings per workflow, with a sensitivity range',
      'workflow',
      `  $ finops simulate routing ./logs                      the routing: policy in finops.yaml
  $ finops simulate routing ./logs --policy routing.yaml
  $ finops simulate routing ./logs --to-model gpt-4o-mini --filter workflow=triage
  $ finops simulate routing ./logs --map gpt-4o=gpt-4o-mini --retry-share 20%`,
    ),
  ).action(async (paths: string[], opts: CommonOpts & RoutingOpts, command: Command) => {
    const { scan, config, book } = await setup('simulate routing', paths, opts, command);
    const step = await routingStep(opts, config, book, true);
    await finish(opts, 'routing', await simulateRouting(scan, step!));
  });
}

function ragCommand(): Command {
  return addRagOptions(
    base(
      'rag',
      'trim retrieved context: utilization, context before/after, risk, savings',
      'workflow',
      `  $ finops simulate rag ./logs                           the rag: policy in finops.yaml
  $ finops simulate rag ./logs --top-k 4 --min-score 0.7
  $ finops simulate rag ./logs --max-context-tokens 4000 --format csv > rag.csv`,
    ),
  ).action(async (paths: string[], opts: CommonOpts & RagOpts, command: Command) => {
    const { scan, config } = await setup('simulate rag', paths, opts, command);
    await finish(opts, 'rag', await simulateRag(scan, ragStep(opts, config)));
  });
}

function cacheCommand(): Command {
  return addCacheOptions(
    base(
      'cache',
      'cache repeated prompt prefixes: reads, writes and savings per app',
      'app',
      `  $ finops simulate cache ./logs
  $ finops simulate cache ./logs --ttl 1h --by app,model`,
    ),
  ).action(async (paths: string[], opts: CommonOpts & CacheOpts, command: Command) => {
    const { scan, config } = await setup('simulate cache', paths, opts, command);
    await finish(opts, 'cache', await simulateCache(scan, cacheStep(opts, config)));
  });
}

function batchCommand(): Command {
  return addBatchOptions(
    base(
      'batch',
      'price non-interactive work at batch rates, with the latency trade-off',
      'workflow',
      `  $ finops simulate batch ./logs                         the batch: candidates in finops.yaml
  $ finops simulate batch ./logs --batch-workflow 'nightly-*' --batch-tag interactive=false`,
    ),
  ).action(async (paths: string[], opts: CommonOpts & BatchOpts, command: Command) => {
    const { scan, config } = await setup('simulate batch', paths, opts, command);
    const step = batchStep(opts, config);
    if (!step.active) {
      throw new UsageError(
        'simulate batch: no batch candidates: add batch: to finops.yaml, or give --batch-workflow, --batch-app or --batch-tag',
      );
    }
    await finish(opts, 'batch', await simulateBatch(scan, step));
  });
}

function allCommand(): Command {
  const c = base(
    'all',
    'all four levers in order (routing → RAG → caching → batch), no saving counted twice: a ranked savings table',
    'workflow',
    `  $ finops simulate all ./logs
  $ finops simulate all ./logs --format markdown > savings.md
  $ finops simulate all ./logs --to-model gpt-4o-mini --filter workflow=triage --top-k 5`,
  );
  return addBatchOptions(addCacheOptions(addRagOptions(addRoutingOptions(c)))).action(
    async (paths: string[], opts: AllOpts, command: Command) => {
      const { scan, config, book } = await setup('simulate all', paths, opts, command);
      const batch = batchStep(opts, config);
      const rag = ragStep(opts, config);
      const result = await simulateAll(scan, {
        routing: await routingStep(opts, config, book, false),
        rag: rag.active ? rag : undefined,
        cache: cacheStep(opts, config),
        batch: batch.active ? batch : undefined,
      });
      await finish(opts, 'all', result);
    },
  );
}

async function setup(
  name: string,
  paths: string[],
  opts: CommonOpts,
  command: Command,
): Promise<{ scan: SimulateOptions; config: Config; book: PriceBook }> {
  const by = parseBy(opts.by);
  const { scan, loaded, book } = await scanOptionsFrom(name, paths, opts, command);
  return { scan: { ...scan, by }, config: loaded.config, book };
}

async function finish(
  opts: CommonOpts,
  kind: keyof typeof SIMULATE_RENDERERS,
  result: SimulationResult,
): Promise<void> {
  const render = SIMULATE_RENDERERS[kind][opts.format] as (
    r: SimulationResult,
    ctx: ReturnType<typeof outputContext>,
  ) => string;
  await emit(render(result, outputContext(opts.output)), opts.output);
  const p = result.problems;
  if (p.skipped > 0)
    say(`finops: ${fmtInt(p.skipped)} row(s) skipped as unreadable; first: ${p.first}`, opts.quiet);
  if (p.duplicates > 0) say(`finops: ${fmtInt(p.duplicates)} duplicate row(s) counted once`, opts.quiet);
  // Table and markdown print the notes themselves; JSON and CSV readers get them on stderr.
  const printed = opts.output === undefined && (opts.format === 'table' || opts.format === 'markdown');
  if (!printed) for (const n of result.notes) say(`finops: ${n}`, opts.quiet);
}

/**
 * The routing step from flags (quick forms, --policy) or finops.yaml. `required`: a missing policy is a usage
 * error (simulate routing) rather than a lever left out (simulate all).
 */
async function routingStep(
  opts: RoutingOpts,
  config: Config,
  book: PriceBook,
  required: boolean,
): Promise<RoutingStep | undefined> {
  let routing: RoutingConfig = config.routing;
  let source = 'finops.yaml';
  if (opts.policy !== undefined) {
    routing = await readPolicy(opts.policy);
    source = opts.policy;
  }
  routing = {
    ...routing,
    sensitivity: {
      output_change: opts.outputChange ?? routing.sensitivity.output_change,
      retry_share: opts.retryShare ?? routing.sensitivity.retry_share,
    },
  };
  const quick = opts.toModel !== undefined || opts.map.length > 0;
  if (opts.toModel !== undefined && opts.map.length > 0)
    throw new UsageError('give --to-model or --map, not both');
  if (!quick && Object.keys(routing.tiers).length === 0 && routing.rules.length === 0) {
    if (!required) return undefined;
    throw new UsageError(
      'simulate routing: no routing policy: give --to-model MODEL, --map FROM=TO, --policy FILE, or add routing: to finops.yaml',
    );
  }
  if (!quick && routing.rules.length === 0) {
    throw new ConfigError(`${source}: routing.rules: give at least one rule (match → tier or model)`);
  }
  return new RoutingStep({
    config: routing,
    toModel: opts.toModel,
    map: opts.map,
    keep: opts.keep,
    source: opts.toModel !== undefined ? '--to-model' : opts.map.length > 0 ? '--map' : source,
    book,
    error: (m) => (quick ? new UsageError(m) : new ConfigError(m)),
  });
}

function ragStep(opts: RagOpts, config: Config): RagStep {
  const r = config.rag;
  const policy: RagPolicy = {};
  const topK = opts.topK ?? r.top_k;
  const minScore = opts.minScore ?? r.min_score;
  const max = opts.maxContextTokens ?? r.max_context_tokens;
  if (topK !== undefined) policy.topK = topK;
  if (minScore !== undefined) policy.minScore = minScore;
  if (max !== undefined) policy.maxContextTokens = max;
  return new RagStep(policy, r);
}

function cacheStep(opts: CacheOpts, config: Config): CacheStep {
  const c: CacheConfig = CacheConfigSchema.parse({
    ...config.cache,
    ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}),
    ...(opts.maxPrefixes !== undefined ? { max_prefixes: opts.maxPrefixes } : {}),
  });
  return new CacheStep(c);
}

function batchStep(opts: BatchOpts, config: Config): BatchStep {
  const flags = opts.batchWorkflow.length + opts.batchApp.length + opts.batchTag.length > 0;
  const c: BatchConfig = flags
    ? { workflows: opts.batchWorkflow, apps: opts.batchApp, tags: Object.fromEntries(opts.batchTag) }
    : config.batch;
  return new BatchStep(c);
}

/** Reads a --policy file: a `routing:` section, or the section's content at the top level. */
async function readPolicy(file: string): Promise<RoutingConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--policy ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    const doc = YAML.parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    raw = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const inner =
    typeof raw === 'object' && raw !== null && 'routing' in raw ? (raw as { routing: unknown }).routing : raw;
  const r = RoutingConfigSchema.safeParse(inner);
  if (!r.success) throw new ConfigError(issues(file, 'routing', r.error.issues));
  return r.data;
}

function issues(file: string, prefix: string, list: z.core.$ZodIssue[]): string {
  return list.map((i) => `${file}: ${[prefix, ...i.path].join('.')}: ${i.message}`).join('\n');
}

function parseMap(v: string): { from: string; to: string } {
  const eq = v.indexOf('=');
  const from = eq > 0 ? v.slice(0, eq).trim() : '';
  const to = eq > 0 ? v.slice(eq + 1).trim() : '';
  if (!from || !to)
    throw new UsageError(
      `--map ${v}: expected FROM=TO (e.g. gpt-4o=gpt-4o-mini, claude-opus-*=claude-sonnet-4-5)`,
    );
  return { from, to };
}

function parseTag(v: string): [string, string] {
  const eq = v.indexOf('=');
  const k = eq > 0 ? v.slice(0, eq).trim() : '';
  const g = eq > 0 ? v.slice(eq + 1).trim() : '';
  if (!k || !g) throw new UsageError(`--batch-tag ${v}: expected key=glob (e.g. interactive=false)`);
  return [k, g];
}

function parseNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`expected a number, got "${v}"`);
  return n;
}

/** `0.2`, `20%` → 0.2; between 0 and 1. */
function parseShare(v: string): number {
  const s = v.trim();
  const n = s.endsWith('%') ? Number(s.slice(0, -1)) / 100 : Number(s);
  if (s === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`expected a share between 0 and 1 (0.2) or a percentage (20%), got "${v}"`);
  }
  return n;
}
