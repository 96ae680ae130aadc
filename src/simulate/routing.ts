import { anyGlob, globMatch } from '../attribution/glob.ts';
import { NONE } from '../analysis/aggregate.ts';
import { money } from '../core/output.ts';
import type { UsageRecord } from '../core/record.ts';
import { utcDay, type PriceBook } from '../pricing/index.ts';
import type { PriceEntry } from '../pricing/types.ts';
import type { ComplexityClass, ComplexityConfig, RoutingConfig, RoutingMatch } from './config.ts';
import { tierOf, type EngineResult, type SimState, type Step } from './engine.ts';
import { Ledger } from './ledger.ts';
import { bySavings, pct, savings, share, type Savings, type SimulationHeader } from './result.ts';

/** Complexity estimate of one request, from its size and, where the source had text, the prompt's features. */
export interface Complexity {
  class: ComplexityClass;
  score: number;
}

/**
 * The built-in complexity estimate (docs/simulate.md). Points per request: prompt (input + cached) above
 * `long_prompt` +1, above `very_long_prompt` +2; output above `long_output` +1, above `very_long_output` +2;
 * any reasoning tokens +2; from prompt text: code +1, three or more instruction steps +1, tool use +2.
 * 0–1 = simple, 2–3 = medium, 4+ = complex. Undefined for a bucket without a request count (no size per
 * request to judge).
 */
export function estimateComplexity(r: UsageRecord, c: ComplexityConfig): Complexity | undefined {
  if (r.requests < 1) return undefined;
  const n = r.requests;
  const t = r.tokens;
  const prompt = (t.input + t.cacheRead + t.cacheWrite) / n;
  const output = t.output / n;
  let score = 0;
  if (prompt > c.very_long_prompt) score += 2;
  else if (prompt > c.long_prompt) score += 1;
  if (output > c.very_long_output) score += 2;
  else if (output > c.long_output) score += 1;
  if ((t.reasoning ?? 0) > 0) score += 2;
  const f = r.promptInfo?.features;
  if (f !== undefined) {
    if (f.code) score += 1;
    if (f.steps >= 3) score += 1;
    if (f.tools) score += 2;
  }
  return { class: score <= 1 ? 'simple' : score <= 3 ? 'medium' : 'complex', score };
}

/** Where the routing policy comes from and what it says. */
export interface RoutingPolicyInput {
  config: RoutingConfig;
  /** Quick form: every request in scope on this model. */
  toModel?: string;
  /** Quick form: requests on models matching `from` (glob) go to `to`. */
  map?: { from: string; to: string }[];
  /** More workflow globs to pin (from --keep), added to `config.keep`. */
  keep?: string[];
  /** `finops.yaml`, `--policy FILE`, `--to-model`, `--map`: for the output and error messages. */
  source: string;
  book: PriceBook;
  /** Makes the error for a bad model (UsageError for flags, ConfigError for a policy). */
  error: (message: string) => Error;
}

interface CompiledRule {
  name: string;
  test: (s: SimState, size: Complexity | undefined) => boolean;
  tier?: number;
  model?: string;
}

type Decision =
  | { kind: 'pinned' }
  | { kind: 'route'; target: string; rule: string }
  | { kind: 'already' }
  | { kind: 'untiered' }
  | { kind: 'no-rule' };

/** Success and eval-score sums of a set of requests. */
interface QualitySums {
  requests: number;
  withOutcome: number;
  success: number;
  scored: number;
  scoreSum: number;
}

interface RoutingGroupStats {
  routed: number;
  pinned: number;
  already: number;
  untiered: number;
  noRule: number;
  incompatible: number;
  /** Baseline tokens of the routed requests (for the retry cost) and their output at the target's price. */
  routedBase: Ledger;
  routedOutput: Ledger;
  qualityRouted: QualitySums;
  qualityOnTarget: QualitySums;
  /** Requests per move (`from → to`), to name the main one. */
  moves: Map<string, number>;
}

interface RouteSums {
  from: string;
  to: string;
  rule: string;
  requests: number;
  base: Ledger;
  sim: Ledger;
}

const emptyQuality = (): QualitySums => ({ requests: 0, withOutcome: 0, success: 0, scored: 0, scoreSum: 0 });

/** The routing lever: sends requests to a smaller model by the policy; keeps token counts. */
export class RoutingStep implements Step {
  readonly lever = 'routing';
  readonly source: string;
  readonly mode: 'policy' | 'to-model' | 'map';
  readonly keep: string[];
  readonly config: RoutingConfig;
  /** Canonical model id (lower case) → tier index (0 = most capable). */
  private readonly tierOfModel = new Map<string, number>();
  /** Canonical model ids per tier, in the order written. */
  private readonly tiers: { name: string; models: string[] }[] = [];
  private readonly rules: CompiledRule[] = [];
  private readonly toModel?: string;
  private readonly map: { from: string; to: string }[] = [];
  private readonly book: PriceBook;
  private readonly error: (m: string) => Error;
  private readonly providerOf = new Map<string, string>();
  private readonly success: Set<string>;
  readonly stats = new Map<string, RoutingGroupStats>();
  readonly routes = new Map<string, RouteSums>();
  readonly complexity: Record<ComplexityClass | 'unknown', number> = {
    simple: 0,
    medium: 0,
    complex: 0,
    unknown: 0,
  };

  constructor(input: RoutingPolicyInput) {
    this.source = input.source;
    this.config = input.config;
    this.book = input.book;
    this.error = input.error;
    this.keep = [...input.config.keep, ...(input.keep ?? [])];
    this.success = new Set(input.config.quality.success_outcomes.map((s) => s.toLowerCase()));
    for (const e of this.book.entries())
      if (!this.providerOf.has(e.id)) this.providerOf.set(e.id, e.provider);
    if (input.toModel !== undefined) {
      this.mode = 'to-model';
      this.toModel = this.model(input.toModel, `${input.source} ${input.toModel}`);
    } else if (input.map !== undefined && input.map.length > 0) {
      this.mode = 'map';
      for (const m of input.map)
        this.map.push({ from: m.from, to: this.model(m.to, `--map ${m.from}=${m.to}`) });
    } else {
      this.mode = 'policy';
      for (const [name, models] of Object.entries(input.config.tiers)) {
        const ids = models.map((m) => this.model(m, `${input.source}: routing.tiers.${name}`));
        this.tiers.push({ name, models: ids });
        for (const id of ids) this.tierOfModel.set(id.toLowerCase(), this.tiers.length - 1);
      }
      input.config.rules.forEach((r, i) => {
        const name = r.name ?? `rule ${i + 1}`;
        const rule: CompiledRule = { name, test: compileMatch(r.match) };
        if (r.tier !== undefined) rule.tier = this.tiers.findIndex((t) => t.name === r.tier);
        if (r.model !== undefined)
          rule.model = this.model(r.model, `${input.source}: routing.rules.${i}.model`);
        this.rules.push(rule);
      });
    }
  }

  /** A model name → canonical id, or the error naming it (never priced at $0). */
  private model(name: string, where: string): string {
    const id = this.book.resolve(name);
    if (id === undefined) {
      throw this.error(
        `${where}: unknown model "${name}" (not in the price list; see \`finops pricing list\`, or add it under pricing.overrides)`,
      );
    }
    return id;
  }

  /** The tier names and their canonical models, as resolved. */
  describeTiers(): { name: string; models: string[] }[] {
    return this.tiers.map((t) => ({ name: t.name, models: [...t.models] }));
  }

  /** Rule names in order. */
  describeRules(): string[] {
    return this.rules.map((r) =>
      r.model !== undefined ? `${r.name} → ${r.model}` : `${r.name} → ${this.tiers[r.tier!]!.name}`,
    );
  }

  private group(id: string): RoutingGroupStats {
    let g = this.stats.get(id);
    if (g === undefined) {
      g = {
        routed: 0,
        pinned: 0,
        already: 0,
        untiered: 0,
        noRule: 0,
        incompatible: 0,
        routedBase: new Ledger(),
        routedOutput: new Ledger(),
        qualityRouted: emptyQuality(),
        qualityOnTarget: emptyQuality(),
        moves: new Map(),
      };
      this.stats.set(id, g);
    }
    return g;
  }

  private route(s: SimState, size: Complexity | undefined): Decision {
    const r = s.record;
    if (this.keep.length > 0 && anyGlob(this.keep, r.dims.workflow ?? NONE)) return { kind: 'pinned' };
    if (this.mode === 'to-model') {
      return s.model === this.toModel
        ? { kind: 'already' }
        : { kind: 'route', target: this.toModel!, rule: '--to-model' };
    }
    if (this.mode === 'map') {
      for (const m of this.map) {
        if (globMatch(m.from, s.model) || globMatch(m.from, r.modelRaw)) {
          return s.model === m.to
            ? { kind: 'already' }
            : { kind: 'route', target: m.to, rule: `--map ${m.from}` };
        }
      }
      return { kind: 'no-rule' };
    }
    const current = this.tierOfModel.get(s.model.toLowerCase());
    // Embedding models are not in a chat tier list: a complexity rule is not meant for them.
    if (current === undefined && s.entry.mode === 'embedding') return { kind: 'no-rule' };
    for (const rule of this.rules) {
      if (!rule.test(s, size)) continue;
      if (rule.model !== undefined) {
        return s.model === rule.model
          ? { kind: 'already' }
          : { kind: 'route', target: rule.model, rule: rule.name };
      }
      // A tier rule only routes down: a model in no tier, or already at or below the tier, stays.
      if (current === undefined) return { kind: 'untiered' };
      if (current >= rule.tier!) return { kind: 'already' };
      const models = this.tiers[rule.tier!]!.models;
      const same = models.find((m) => (this.providerOf.get(m) ?? '') === s.provider);
      return { kind: 'route', target: same ?? models[0]!, rule: rule.name };
    }
    return { kind: 'no-rule' };
  }

  /** The target's price on the request's date; an error names the model and date (never $0). */
  private targetEntry(id: string, at: string): PriceEntry {
    const e = this.book.lookup(id, at, this.providerOf.get(id));
    if (e === undefined) {
      throw this.error(
        `${this.source}: ${id} has no price in force on ${utcDay(at)}; limit the period with --from, or add a price under pricing.overrides`,
      );
    }
    return e;
  }

  apply(s: SimState): void {
    const r = s.record;
    const g = this.group(s.group);
    const size = estimateComplexity(r, this.config.complexity);
    if (size === undefined) this.complexity.unknown += r.requests;
    else this.complexity[size.class] += r.requests;
    const d = this.route(s, size);
    switch (d.kind) {
      case 'pinned':
        g.pinned += r.requests;
        return;
      case 'already':
        g.already += r.requests;
        this.quality(g.qualityOnTarget, r);
        return;
      case 'untiered':
        g.untiered += r.requests;
        return;
      case 'no-rule':
        g.noRule += r.requests;
        return;
      case 'route':
        break;
    }
    const entry = this.targetEntry(d.target, r.start);
    // An embedding request cannot run on a chat model, nor the other way round.
    if ((entry.mode === 'embedding') !== (s.entry.mode === 'embedding')) {
      g.incompatible += r.requests;
      return;
    }
    const baseTier = tierOf(s);
    const from = s.model;
    const baseEntry = s.entry;
    const serviceTier = s.serviceTier;
    g.routedBase.add(baseEntry, baseTier, serviceTier, s.tokens);
    s.model = d.target;
    s.entry = entry;
    s.provider = entry.provider;
    const tier = tierOf(s);
    g.routedOutput.add(entry, tier, serviceTier, {
      input: 0,
      cacheRead: 0,
      cacheWrite: 0,
      output: s.tokens.output,
    });
    g.routed += r.requests;
    this.quality(g.qualityRouted, r);
    const move = `${from} → ${d.target}`;
    g.moves.set(move, (g.moves.get(move) ?? 0) + r.requests);
    const key = `${from}\u0000${d.target}\u0000${d.rule}`;
    let route = this.routes.get(key);
    if (route === undefined) {
      route = { from, to: d.target, rule: d.rule, requests: 0, base: new Ledger(), sim: new Ledger() };
      this.routes.set(key, route);
    }
    route.requests += r.requests;
    route.base.add(baseEntry, baseTier, serviceTier, s.tokens);
    route.sim.add(entry, tier, serviceTier, s.tokens);
  }

  private quality(q: QualitySums, r: UsageRecord): void {
    q.requests += r.requests;
    if (r.outcome !== undefined) {
      q.withOutcome += r.requests;
      if (this.success.has(r.outcome.toLowerCase())) q.success += r.requests;
    }
    const tag = this.config.quality.score_tag;
    const v = Object.hasOwn(r.tags, tag) ? Number(r.tags[tag]) : NaN;
    if (Number.isFinite(v)) {
      q.scored += r.requests;
      q.scoreSum += v * r.requests;
    }
  }
}

function compileMatch(m: RoutingMatch): (s: SimState, size: Complexity | undefined) => boolean {
  const tests: ((s: SimState, size: Complexity | undefined) => boolean)[] = [];
  for (const k of ['workflow', 'app', 'team', 'project', 'environment'] as const) {
    const g = m[k];
    if (g !== undefined) tests.push((s) => anyGlob(g, s.record.dims[k] ?? NONE));
  }
  if (m.provider !== undefined) tests.push((s) => anyGlob(m.provider!, s.provider));
  if (m.model !== undefined)
    tests.push((s) => anyGlob(m.model!, s.model) || anyGlob(m.model!, s.record.modelRaw));
  if (m.operation !== undefined) tests.push((s) => anyGlob(m.operation!, s.record.operation ?? 'chat'));
  for (const [key, g] of Object.entries(m.tags ?? {})) {
    tests.push((s) => anyGlob(g, Object.hasOwn(s.record.tags, key) ? s.record.tags[key] : undefined));
  }
  if (m.complexity !== undefined) {
    const classes = typeof m.complexity === 'string' ? [m.complexity] : m.complexity;
    tests.push((_s, size) => size !== undefined && classes.includes(size.class));
  }
  const perRequest = (s: SimState, f: (n: number) => number): number | undefined =>
    s.record.requests > 0 ? f(s.record.requests) : undefined;
  const bound = (get: (s: SimState) => number | undefined, test: (v: number) => boolean) =>
    tests.push((s) => {
      const v = get(s);
      return v !== undefined && test(v);
    });
  const prompt = (s: SimState) =>
    perRequest(
      s,
      (n) => (s.record.tokens.input + s.record.tokens.cacheRead + s.record.tokens.cacheWrite) / n,
    );
  const output = (s: SimState) => perRequest(s, (n) => s.record.tokens.output / n);
  if (m.min_input_tokens !== undefined) bound(prompt, (v) => v >= m.min_input_tokens!);
  if (m.max_input_tokens !== undefined) bound(prompt, (v) => v <= m.max_input_tokens!);
  if (m.min_output_tokens !== undefined) bound(output, (v) => v >= m.min_output_tokens!);
  if (m.max_output_tokens !== undefined) bound(output, (v) => v <= m.max_output_tokens!);
  return (s, size) => tests.every((t) => t(s, size));
}

/** Quality of a set of requests as logged (on the model they ran on). */
export interface Quality {
  requests: number;
  /** Requests with an `outcome`, and the share of them whose outcome counts as success. */
  withOutcome: number;
  successRate: number | null;
  /** Requests with an eval score, and its mean. */
  scored: number;
  meanScore: number | null;
}

function qualityOut(q: QualitySums): Quality | null {
  if (q.withOutcome === 0 && q.scored === 0) return null;
  return {
    requests: q.requests,
    withOutcome: q.withOutcome,
    successRate: share(q.success, q.withOutcome),
    scored: q.scored,
    meanScore: q.scored > 0 ? Math.round((q.scoreSum / q.scored) * 1e6) / 1e6 : null,
  };
}

export interface RoutingGroup extends Savings {
  key: Record<string, string>;
  requests: number;
  /** Requests sent to another model, and their share of the group's requests. */
  routed: number;
  routedShare: number | null;
  /** Requests pinned by `keep`. */
  pinned: number;
  /** Savings under the sensitivity range: low = longer output and retries, high = shorter output, no retries. */
  savingsRange: { low: number; high: number };
  /**
   * Quality signals as logged: `routed` = the requests the policy would move, on the model they ran on;
   * `onTarget` = requests of the group already on the target tier or model (evidence of how it does).
   */
  quality: { routed: Quality | null; onTarget: Quality | null };
}

export interface RoutingResult extends SimulationHeader {
  command: 'simulate routing';
  policy: {
    source: string;
    mode: 'policy' | 'to-model' | 'map';
    tiers: { name: string; models: string[] }[];
    rules: string[];
    keep: string[];
  };
  sensitivity: { outputChange: number; retryShare: number };
  /** Requests by estimated complexity (`unknown`: buckets without request counts). */
  complexity: Record<ComplexityClass | 'unknown', number>;
  totals: Omit<RoutingGroup, 'key' | 'quality'>;
  groups: RoutingGroup[];
  /** Each move: from model → to model, by rule. */
  routes: {
    from: string;
    to: string;
    rule: string;
    requests: number;
    baselineCost: number;
    simulatedCost: number;
    savings: number;
  }[];
}

/** The `simulate routing` result from the engine (steps = [routing]) and the step's statistics. */
export function routingResult(
  head: SimulationHeader,
  engine: EngineResult,
  step: RoutingStep,
): RoutingResult {
  const days = head.period.days;
  const { output_change: outChange, retry_share: retry } = step.config.sensitivity;
  let routedAll = 0;
  let pinnedAll = 0;
  let low = 0;
  let high = 0;
  let untiered = 0;
  let incompatible = 0;
  const groups = engine.groups.map((g): RoutingGroup => {
    const st = step.stats.get(g.id);
    const base = g.costs[0]!;
    const sim = g.costs[1]!;
    const outCost = st ? st.routedOutput.cost() : 0;
    const retryCost = st ? retry * st.routedBase.cost() : 0;
    const sv = base - sim;
    const lo = sv - outChange * outCost - retryCost;
    const hi = sv + outChange * outCost;
    low += lo;
    high += hi;
    routedAll += st?.routed ?? 0;
    pinnedAll += st?.pinned ?? 0;
    untiered += st?.untiered ?? 0;
    incompatible += st?.incompatible ?? 0;
    return {
      key: g.key,
      requests: g.requests,
      routed: st?.routed ?? 0,
      routedShare: share(st?.routed ?? 0, g.requests),
      pinned: st?.pinned ?? 0,
      ...savings(base, sim, days),
      savingsRange: { low: money(lo), high: money(hi) },
      quality: {
        routed: st ? qualityOut(st.qualityRouted) : null,
        onTarget: st ? qualityOut(st.qualityOnTarget) : null,
      },
    };
  });
  const routes = [...step.routes.values()]
    .map((r) => {
      const b = r.base.cost();
      const s = r.sim.cost();
      return {
        from: r.from,
        to: r.to,
        rule: r.rule,
        requests: r.requests,
        baselineCost: money(b),
        simulatedCost: money(s),
        savings: money(b - s),
      };
    })
    .sort((a, b) => b.savings - a.savings || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const t = engine.total;
  const result: RoutingResult = {
    ...head,
    command: 'simulate routing',
    policy: {
      source: step.source,
      mode: step.mode,
      tiers: step.describeTiers(),
      rules: step.describeRules(),
      keep: step.keep,
    },
    sensitivity: { outputChange: outChange, retryShare: retry },
    complexity: { ...step.complexity },
    totals: {
      requests: t.requests,
      routed: routedAll,
      routedShare: share(routedAll, t.requests),
      pinned: pinnedAll,
      ...savings(t.costs[0]!, t.costs[1]!, days),
      savingsRange: { low: money(low), high: money(high) },
    },
    groups: bySavings(groups),
    routes,
  };
  result.assumptions.push(...routingAssumptions(step));
  if (untiered > 0) {
    result.notes.push(
      `${untiered} request(s) matched a tier rule but run on a model in no tier: not routed (add the model to routing.tiers).`,
    );
  }
  if (incompatible > 0) {
    result.notes.push(
      `${incompatible} request(s) not routed: an embedding model and a chat model are not interchangeable.`,
    );
  }
  return result;
}

/** The routing assumptions, in words (shared with `simulate all`). */
export function routingAssumptions(step: RoutingStep): string[] {
  const c = step.config.complexity;
  const { output_change: o, retry_share: r } = step.config.sensitivity;
  const out = [
    'A routed request keeps its token counts (input, cached, output) and its service tier, priced at the target model’s list price in force on the request’s date; tokenizers differ between providers (Claude counts ~16 % more tokens than OpenAI on English prose).',
    `Sensitivity range: output on the smaller model ±${pct(o)}; ${pct(r)} of routed requests retried on their original model, paying both calls.`,
    'Quality columns show the routed requests as logged on the model they ran on, and requests already on the target tier; they are evidence to check, not a prediction.',
  ];
  if (step.mode === 'policy') {
    out.push(
      `Complexity estimate per request: prompt > ${c.long_prompt} tokens +1 (> ${c.very_long_prompt} +2), output > ${c.long_output} +1 (> ${c.very_long_output} +2), reasoning tokens +2; from prompt text where logged: code +1, 3+ instruction steps +1, tool use +2. 0–1 simple, 2–3 medium, 4+ complex; buckets without request counts are unknown and match no complexity or size rule.`,
      'Tier rules only route down: to the tier’s model of the same provider, else its first model; a model in no tier stays.',
    );
  } else {
    out.push(`Quick form (${step.source}): every matching request moves, whatever its complexity.`);
  }
  if (step.keep.length > 0) out.push(`Workflows pinned to their model (keep): ${step.keep.join(', ')}.`);
  out.push(
    'Industry figures for comparison: right-sizing saves ~97 % on classification, 92 % on extraction, 93 % on FAQ answers, ~60 % on hybrid-routed agent tasks.',
  );
  return out;
}

/** The main moves of a group, most requests first: `gpt-4o → gpt-4o-mini` (at most two, then "…"). */
export function mainMoves(step: RoutingStep, group: string): string {
  const moves = [...(step.stats.get(group)?.moves ?? [])].sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  const names = moves.slice(0, 2).map(([m]) => m);
  return names.join(', ') + (moves.length > 2 ? ', …' : '');
}
