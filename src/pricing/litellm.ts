import { z } from 'zod';
import type { PriceEntry, PriceTier, Prices } from './types.ts';

/**
 * Importer for LiteLLM's `model_prices_and_context_window.json` (the community price list): per-TOKEN USD
 * prices keyed by model, turned into finops entries in USD per 1M tokens.
 */

const PER_MILLION = 1e6;
/** An imported list has no dates: by default its prices apply to every date. */
export const UNDATED_EFFECTIVE_FROM = '1970-01-01';

/** Modes finops prices per token; everything else (image, audio, rerank, …) is skipped with a reason. */
const KEPT_MODES = new Set(['chat', 'completion', 'embedding', 'responses']);

/** litellm_provider → finops provider id (DESIGN.md "The canonical record"). Unlisted: `_` → `-`. */
const PROVIDER_MAP: Record<string, string> = {
  openai: 'openai',
  'text-completion-openai': 'openai',
  chatgpt: 'openai',
  anthropic: 'anthropic',
  bedrock: 'aws-bedrock',
  bedrock_converse: 'aws-bedrock',
  bedrock_mantle: 'aws-bedrock',
  azure: 'azure-openai',
  azure_text: 'azure-openai',
  azure_ai: 'azure-ai',
  gemini: 'google',
  vertex_ai: 'google-vertex',
  mistral: 'mistral',
  codestral: 'mistral',
  'text-completion-codestral': 'mistral',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  fireworks_ai: 'fireworks',
  'fireworks_ai-embedding-models': 'fireworks',
  together_ai: 'together',
};

/**
 * First-party vendors whose LiteLLM keys carry their own name as a prefix (`anthropic/claude-…`,
 * `gemini/gemini-…`): the prefix is stripped when the rest is not already a key. Hosts and gateways
 * (`azure/`, `bedrock/`, `openrouter/`, `groq/` …) keep their prefix: their price is theirs, not the vendor's.
 */
const FIRST_PARTY_PREFIXES = new Set([
  'openai',
  'anthropic',
  'gemini',
  'mistral',
  'deepseek',
  'xai',
  'cohere',
  'moonshot',
  'zai',
  'minimax',
  'ai21',
]);

/** Maps a LiteLLM provider name to a finops provider id. */
export function mapLiteLLMProvider(litellmProvider: string): string {
  const mapped = PROVIDER_MAP[litellmProvider];
  if (mapped !== undefined) return mapped;
  if (litellmProvider.startsWith('vertex_ai')) return 'google-vertex';
  return litellmProvider.replace(/_/g, '-');
}

// Lenient: LiteLLM adds fields all the time; we read only the price fields and fail per key, not per file.
const cost = z.number().finite().nonnegative();
const LiteLLMEntrySchema = z.looseObject({
  litellm_provider: z.string().min(1),
  mode: z.string().optional(),
  input_cost_per_token: cost.optional(),
  output_cost_per_token: cost.optional(),
  cache_read_input_token_cost: cost.optional(),
  cache_creation_input_token_cost: cost.optional(),
  cache_creation_input_token_cost_above_1hr: cost.optional(),
  input_cost_per_token_batches: cost.optional(),
  output_cost_per_token_batches: cost.optional(),
});

/** `<kind>_above_<N>k_tokens` (no service-tier suffix): a long-context tier field. */
const TIER_FIELD_RE =
  /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr)_above_(\d+)k_tokens$/;

/** The result of an import: entries to store, and every key left out with the reason. */
export interface LiteLLMImport {
  entries: PriceEntry[];
  skipped: { key: string; reason: string }[];
  /** Keys imported with a price dropped as implausible (e.g. LiteLLM's wrong 1-hour cache-write prices). */
  warnings: { key: string; reason: string }[];
}

// Per-token prices like 1.5e-7 times 1e6 give 0.15000000000000002 in binary floating point; round to
// 10 significant digits so imported figures read as the list shows them (no real price has more).
function toMillion(perToken: number): number {
  return Number((perToken * PER_MILLION).toPrecision(10));
}

/**
 * Converts a parsed LiteLLM price file into 'imported' entries (USD per 1M tokens): base, cache read,
 * 5-minute and 1-hour cache writes, batch prices and `_above_Nk_tokens` tiers. Keeps modes chat, completion,
 * embedding and responses; skips the rest, `sample_spec`, and keys without per-token input/output prices,
 * each with a reason. `effectiveFrom` defaults to 1970-01-01: the list is undated, so without it the
 * imported prices apply to all dates and replace the bundled catalog's dated history for those models.
 */
export function importLiteLLM(
  json: unknown,
  opts: { effectiveFrom?: string; source: string },
): LiteLLMImport {
  const effectiveFrom = opts.effectiveFrom ?? UNDATED_EFFECTIVE_FROM;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom)) {
    throw new RangeError(`effectiveFrom must be YYYY-MM-DD, got ${JSON.stringify(effectiveFrom)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError('a LiteLLM price file is a JSON object keyed by model');
  }
  const raw = json as Record<string, unknown>;
  const keys = Object.keys(raw);
  const keySet = new Set(keys);
  const entries: PriceEntry[] = [];
  const skipped: { key: string; reason: string }[] = [];
  const warnings: { key: string; reason: string }[] = [];
  const usedIds = new Set<string>();

  for (const key of keys) {
    if (key === 'sample_spec') {
      skipped.push({ key, reason: 'the layout description, not a model' });
      continue;
    }
    const value = raw[key];
    if (typeof value !== 'object' || value === null || !('litellm_provider' in value)) {
      skipped.push({ key, reason: 'no litellm_provider (not a model entry)' });
      continue;
    }
    const parsed = LiteLLMEntrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipped.push({
        key,
        reason: issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'not a price entry',
      });
      continue;
    }
    const v = parsed.data;
    if (v.mode === undefined) {
      skipped.push({ key, reason: 'no mode (not a model, or a provider-wide default)' });
      continue;
    }
    if (!KEPT_MODES.has(v.mode)) {
      skipped.push({ key, reason: `mode ${v.mode} is not priced per text token` });
      continue;
    }
    if (v.input_cost_per_token === undefined) {
      skipped.push({ key, reason: 'no input_cost_per_token' });
      continue;
    }
    if (v.output_cost_per_token === undefined && v.mode !== 'embedding') {
      skipped.push({ key, reason: 'no output_cost_per_token' });
      continue;
    }

    const prices: Prices = {
      input: toMillion(v.input_cost_per_token),
      output: toMillion(v.output_cost_per_token ?? 0),
    };
    if (v.cache_read_input_token_cost !== undefined)
      prices.cacheRead = toMillion(v.cache_read_input_token_cost);
    if (v.cache_creation_input_token_cost !== undefined) {
      prices.cacheWrite5m = toMillion(v.cache_creation_input_token_cost);
    }
    if (v.cache_creation_input_token_cost_above_1hr !== undefined) {
      const w1h = toMillion(v.cache_creation_input_token_cost_above_1hr);
      const problem = implausible1h(prices, w1h);
      if (problem === undefined) prices.cacheWrite1h = w1h;
      else warnings.push({ key, reason: `cache_creation_input_token_cost_above_1hr dropped: ${problem}` });
    }

    const entry: PriceEntry = {
      id: key,
      provider: mapLiteLLMProvider(v.litellm_provider),
      mode: v.mode as PriceEntry['mode'],
      effectiveFrom,
      source: `${opts.source} (LiteLLM key ${key})`,
      prices,
      layer: 'imported',
    };
    const batch: Partial<Prices> = {};
    if (v.input_cost_per_token_batches !== undefined) batch.input = toMillion(v.input_cost_per_token_batches);
    if (v.output_cost_per_token_batches !== undefined)
      batch.output = toMillion(v.output_cost_per_token_batches);
    if (Object.keys(batch).length > 0) entry.batch = batch;
    const tiers = readTiers(v, prices);
    if (tiers.length > 0) entry.tiers = tiers;

    const clean = cleanId(key, v.litellm_provider, keySet, usedIds);
    if (clean !== key) {
      entry.id = clean;
      entry.aliases = [key];
    }
    usedIds.add(entry.id);
    entries.push(entry);
  }
  return { entries, skipped, warnings };
}

/**
 * Why a 1-hour cache-write price cannot be right, or undefined when it can: Anthropic prices it at 2× input,
 * always above the 5-minute write. LiteLLM's Claude 3 Opus/Haiku figures ($6 for both) fail this check.
 */
function implausible1h(prices: Prices, w1h: number): string | undefined {
  if (prices.cacheWrite5m !== undefined && w1h < prices.cacheWrite5m) {
    return `${w1h} is below the 5-minute write price ${prices.cacheWrite5m}`;
  }
  if (prices.input > 0 && w1h > 4 * prices.input) return `${w1h} is over 4× the input price ${prices.input}`;
  return undefined;
}

/** Long-context tiers from `…_above_Nk_tokens` fields, ascending; a kind the tier omits is left to fallbacks. */
function readTiers(v: Record<string, unknown>, base: Prices): PriceTier[] {
  const byThreshold = new Map<number, Partial<Prices>>();
  for (const [field, value] of Object.entries(v)) {
    const m = TIER_FIELD_RE.exec(field);
    if (m === null || typeof value !== 'number' || !Number.isFinite(value) || value < 0) continue;
    const threshold = Number(m[2]) * 1000;
    const p = byThreshold.get(threshold) ?? {};
    const price = toMillion(value);
    switch (m[1]) {
      case 'input_cost_per_token':
        p.input = price;
        break;
      case 'output_cost_per_token':
        p.output = price;
        break;
      case 'cache_read_input_token_cost':
        p.cacheRead = price;
        break;
      case 'cache_creation_input_token_cost':
        p.cacheWrite5m = price;
        break;
      case 'cache_creation_input_token_cost_above_1hr':
        p.cacheWrite1h = price;
        break;
    }
    byThreshold.set(threshold, p);
  }
  const tiers: PriceTier[] = [];
  for (const [threshold, p] of [...byThreshold].sort((a, b) => a[0] - b[0])) {
    // A tier that only lists cache prices keeps the base input/output: LiteLLM omits what does not change.
    const prices: Prices = { input: p.input ?? base.input, output: p.output ?? base.output };
    if (p.cacheRead !== undefined) prices.cacheRead = p.cacheRead;
    if (p.cacheWrite5m !== undefined) prices.cacheWrite5m = p.cacheWrite5m;
    if (p.cacheWrite1h !== undefined) prices.cacheWrite1h = p.cacheWrite1h;
    tiers.push({ aboveInputTokens: threshold, prices });
  }
  return tiers;
}

/**
 * The id to store for a key: `anthropic/claude-x` → `claude-x` when the prefix is the entry's own
 * first-party provider and `claude-x` is neither a key of the file nor already taken; otherwise the key.
 */
function cleanId(key: string, litellmProvider: string, keys: Set<string>, used: Set<string>): string {
  const slash = key.indexOf('/');
  if (slash <= 0) return key;
  const prefix = key.slice(0, slash);
  const rest = key.slice(slash + 1);
  if (prefix !== litellmProvider || !FIRST_PARTY_PREFIXES.has(prefix)) return key;
  if (rest.length === 0 || rest.includes('/') || keys.has(rest) || used.has(rest)) return key;
  return rest;
}
