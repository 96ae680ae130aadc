import type { PriceEntry } from './types.ts';

/**
 * The bundled catalog: list prices in USD per 1M tokens, dated, with the provider page each comes from.
 *
 * How it was checked: every figure below was compared with LiteLLM's model_prices_and_context_window.json
 * (main of 2026-07-24, shared/data/pricing/litellm-model-prices.json) and Langfuse's default model prices
 * (shared/data/pricing/langfuse-default-model-prices.json), and, where those disagree with each other or
 * lack a price, with the provider's pricing page or announcement (stored copies, found by search on the
 * snapshot date). Where sources disagree the provider wins, and a comment says so. Prices that changed
 * are separate entries with their own effectiveFrom; a model's first effectiveFrom is its release (or API
 * availability) date, so usage can never predate it.
 *
 * Not modelled here: OpenAI priority/"scale" processing (priced as standard), regional/data-residency
 * uplifts (+10 % on some newer OpenAI and Anthropic endpoints), Gemini audio-input rates and context-cache
 * storage, Anthropic "fast mode". Batch: `batch` is left undefined where the provider's rule is a plain
 * 50 % of the standard price (OpenAI, Anthropic, Google, Mistral, Bedrock), which cost.ts applies.
 */

/** The date this list was last checked against its sources (YYYY-MM-DD). */
export const CATALOG_SNAPSHOT = '2026-11-27';

const OPENAI = 'https://platform.openai.com/docs/pricing';
const ANTHROPIC = 'https://platform.claude.com/docs/en/about-claude/pricing';
const GOOGLE = 'https://ai.google.dev/gemini-api/docs/pricing';
const MISTRAL = 'https://mistral.ai/pricing';
const BEDROCK = 'https://aws.amazon.com/bedrock/pricing/';

const bundled = (e: Omit<PriceEntry, 'layer'>): PriceEntry => ({ ...e, layer: 'bundled' });

/** Every bundled price entry (layer 'bundled'). */
export const BUNDLED_CATALOG: readonly PriceEntry[] = [
  // ───────────────────────────── OpenAI ─────────────────────────────
  // Plain `gpt-4o` pointed at gpt-4o-2024-05-13 ($5/$15) until OpenAI moved it to 2024-08-06 on 2024-10-02.
  // The alias table maps strings, not (string, date): the dated 2024-08-06/-11-20 snapshots share this id,
  // so plain `gpt-4o` requests of 2024-08-06…2024-10-01 are priced at $2.50/$10 instead of $5/$15.
  bundled({
    id: 'gpt-4o',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2024-05-13',
    source: OPENAI,
    prices: { input: 5, output: 15 },
  }),
  bundled({
    id: 'gpt-4o',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2024-08-06',
    source: OPENAI,
    prices: { input: 2.5, cacheRead: 1.25, output: 10 },
    aliases: ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'],
  }),
  // The first snapshot kept its launch price and has no cached-input discount (LiteLLM and Langfuse agree).
  bundled({
    id: 'gpt-4o-2024-05-13',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2024-05-13',
    source: OPENAI,
    prices: { input: 5, output: 15 },
  }),
  bundled({
    id: 'gpt-4o-mini',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2024-07-18',
    source: OPENAI,
    prices: { input: 0.15, cacheRead: 0.075, output: 0.6 },
    aliases: ['gpt-4o-mini-2024-07-18'],
  }),
  bundled({
    id: 'gpt-4.1',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-04-14',
    source: OPENAI,
    prices: { input: 2, cacheRead: 0.5, output: 8 },
    aliases: ['gpt-4.1-2025-04-14'],
  }),
  bundled({
    id: 'gpt-4.1-mini',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-04-14',
    source: OPENAI,
    prices: { input: 0.4, cacheRead: 0.1, output: 1.6 },
    aliases: ['gpt-4.1-mini-2025-04-14'],
  }),
  bundled({
    id: 'gpt-4.1-nano',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-04-14',
    source: OPENAI,
    prices: { input: 0.1, cacheRead: 0.025, output: 0.4 },
    aliases: ['gpt-4.1-nano-2025-04-14'],
  }),
  bundled({
    id: 'o1',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2024-12-17',
    source: OPENAI,
    prices: { input: 15, cacheRead: 7.5, output: 60 },
    aliases: ['o1-2024-12-17'],
  }),
  // o3 launched at $10/$2.50 cached/$40 and was cut 80 % on 2025-06-10. LiteLLM and Langfuse only carry the
  // new price (undated), so o3 usage before the cut needs this entry; batch and flex are 50 % of each.
  bundled({
    id: 'o3',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-04-16',
    source: `${OPENAI} (launch price, 2025-04-16)`,
    prices: { input: 10, cacheRead: 2.5, output: 40 },
    aliases: ['o3-2025-04-16'],
  }),
  bundled({
    id: 'o3',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-06-10',
    source: `${OPENAI} (price cut of 2025-06-10)`,
    prices: { input: 2, cacheRead: 0.5, output: 8 },
    aliases: ['o3-2025-04-16'],
  }),
  bundled({
    id: 'o3-mini',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-01-31',
    source: OPENAI,
    prices: { input: 1.1, cacheRead: 0.55, output: 4.4 },
    aliases: ['o3-mini-2025-01-31'],
  }),
  bundled({
    id: 'o4-mini',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-04-16',
    source: OPENAI,
    prices: { input: 1.1, cacheRead: 0.275, output: 4.4 },
    aliases: ['o4-mini-2025-04-16'],
  }),
  // gpt-5 family: LiteLLM has no batch prices here; OpenAI's batch (and flex) price is 50 %, as cost.ts applies.
  bundled({
    id: 'gpt-5',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-08-07',
    source: OPENAI,
    prices: { input: 1.25, cacheRead: 0.125, output: 10 },
    aliases: ['gpt-5-2025-08-07'],
  }),
  bundled({
    id: 'gpt-5-mini',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-08-07',
    source: OPENAI,
    prices: { input: 0.25, cacheRead: 0.025, output: 2 },
    aliases: ['gpt-5-mini-2025-08-07'],
  }),
  bundled({
    id: 'gpt-5-nano',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-08-07',
    source: OPENAI,
    prices: { input: 0.05, cacheRead: 0.005, output: 0.4 },
    aliases: ['gpt-5-nano-2025-08-07'],
  }),
  bundled({
    id: 'gpt-5.1',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-11-13',
    source: OPENAI,
    prices: { input: 1.25, cacheRead: 0.125, output: 10 },
    aliases: ['gpt-5.1-2025-11-13'],
  }),
  bundled({
    id: 'gpt-5.2',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2025-12-11',
    source: OPENAI,
    prices: { input: 1.75, cacheRead: 0.175, output: 14 },
    aliases: ['gpt-5.2-2025-12-11'],
  }),
  // From gpt-5.4 on, a request whose input (incl. cached) exceeds 272K tokens is billed whole at 2× input and
  // 1.5× output (LiteLLM `_above_272k_tokens`; the same tier applies under batch and flex, at half price).
  bundled({
    id: 'gpt-5.4',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2026-03-05',
    source: OPENAI,
    prices: { input: 2.5, cacheRead: 0.25, output: 15 },
    tiers: [{ aboveInputTokens: 272_000, prices: { input: 5, cacheRead: 0.5, output: 22.5 } }],
    aliases: ['gpt-5.4-2026-03-05'],
  }),
  bundled({
    id: 'gpt-5.4-mini',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2026-03-17',
    source: OPENAI,
    prices: { input: 0.75, cacheRead: 0.075, output: 4.5 },
    aliases: ['gpt-5.4-mini-2026-03-17'],
  }),
  bundled({
    id: 'gpt-5.4-nano',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2026-03-17',
    source: OPENAI,
    prices: { input: 0.2, cacheRead: 0.02, output: 1.25 },
    aliases: ['gpt-5.4-nano-2026-03-17'],
  }),
  bundled({
    id: 'gpt-5.5',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2026-04-23',
    source: OPENAI,
    prices: { input: 5, cacheRead: 0.5, output: 30 },
    tiers: [{ aboveInputTokens: 272_000, prices: { input: 10, cacheRead: 1, output: 45 } }],
    aliases: ['gpt-5.5-2026-04-23'],
  }),
  // GPT-5.6 (preview 2026-06-26, GA 2026-07-09) bills prompt-cache writes at 1.25× input. Prices are the
  // announced ones, which LiteLLM carries. Langfuse's list (updated 2026-08-20) has Terra at $2/$12 and Luna
  // at $0.20/$1.20; no provider page or dated announcement of such a cut was found, so it is not applied.
  bundled({
    id: 'gpt-5.6-sol',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2026-06-26',
    source: OPENAI,
    prices: { input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, output: 30 },
    tiers: [
      { aboveInputTokens: 272_000, prices: { input: 10, cacheRead: 1, cacheWrite5m: 12.5, output: 45 } },
    ],
    // LiteLLM lists bare `gpt-5.6` at exactly Sol's prices.
    aliases: ['gpt-5.6'],
  }),
  bundled({
    id: 'gpt-5.6-terra',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2026-06-26',
    source: OPENAI,
    prices: { input: 2.5, cacheRead: 0.25, cacheWrite5m: 3.125, output: 15 },
    tiers: [
      { aboveInputTokens: 272_000, prices: { input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, output: 22.5 } },
    ],
  }),
  bundled({
    id: 'gpt-5.6-luna',
    provider: 'openai',
    mode: 'chat',
    effectiveFrom: '2026-06-26',
    source: OPENAI,
    prices: { input: 1, cacheRead: 0.1, cacheWrite5m: 1.25, output: 6 },
    tiers: [
      { aboveInputTokens: 272_000, prices: { input: 2, cacheRead: 0.2, cacheWrite5m: 2.5, output: 9 } },
    ],
  }),
  bundled({
    id: 'text-embedding-3-small',
    provider: 'openai',
    mode: 'embedding',
    effectiveFrom: '2024-01-25',
    source: OPENAI,
    prices: { input: 0.02, output: 0 },
  }),
  bundled({
    id: 'text-embedding-3-large',
    provider: 'openai',
    mode: 'embedding',
    effectiveFrom: '2024-01-25',
    source: OPENAI,
    prices: { input: 0.13, output: 0 },
  }),
  // ada-002 has cost $0.10 since OpenAI's price cut of 2023-06-13 (it launched at $0.40).
  bundled({
    id: 'text-embedding-ada-002',
    provider: 'openai',
    mode: 'embedding',
    effectiveFrom: '2023-06-13',
    source: OPENAI,
    prices: { input: 0.1, output: 0 },
    aliases: ['text-embedding-ada-002-v2'],
  }),

  // ──────────────────────────── Anthropic ───────────────────────────
  // Cache read 0.1× input, 5-minute write 1.25×, 1-hour write 2×, batch 50 % of each (stacks with caching).
  // Bedrock and Vertex list the same prices for these ids (regional endpoints +10 % on newer models: not modelled).
  // Claude 3 Haiku predates the 0.1×/1.25× rule: Anthropic lists $0.03 read and $0.30 write. LiteLLM's
  // 1-hour write of $6 for it is wrong (shared/data/README.md); 2× input = $0.50 per Anthropic.
  bundled({
    id: 'claude-3-haiku',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2024-03-13',
    source: ANTHROPIC,
    prices: { input: 0.25, cacheRead: 0.03, cacheWrite5m: 0.3, cacheWrite1h: 0.5, output: 1.25 },
    aliases: ['claude-3-haiku-20240307'],
  }),
  // Anthropic, Bedrock and Langfuse list Haiku 3.5 at $0.80/$4; LiteLLM's Vertex entries still carry $1/$5.
  bundled({
    id: 'claude-3-5-haiku',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2024-11-04',
    source: ANTHROPIC,
    prices: { input: 0.8, cacheRead: 0.08, cacheWrite5m: 1, cacheWrite1h: 1.6, output: 4 },
    aliases: ['claude-3-5-haiku-20241022', 'claude-3-5-haiku-latest'],
  }),
  // LiteLLM's Bedrock entries give Claude 3.5 Sonnet a >200K tier; its context window is 200K, so none here.
  bundled({
    id: 'claude-3-5-sonnet',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2024-06-20',
    source: ANTHROPIC,
    prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 },
    aliases: [
      'claude-3-5-sonnet-20240620',
      'claude-3-5-sonnet-20241022',
      'claude-3-5-sonnet-latest',
      // Vertex names the October model `claude-3-5-sonnet-v2@20241022`; the date rule strips `@…`.
      'claude-3-5-sonnet-v2',
    ],
  }),
  bundled({
    id: 'claude-3-7-sonnet',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2025-02-24',
    source: ANTHROPIC,
    prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 },
    aliases: ['claude-3-7-sonnet-20250219', 'claude-3-7-sonnet-latest'],
  }),
  // Sonnet 4 and 4.5 with the 1M-context beta: a request whose input (incl. cache reads and writes) exceeds
  // 200K tokens is billed whole at $6/$22.50 (2× input, 1.5× output; cache kinds scale with input).
  // Langfuse lacks this tier; LiteLLM and Anthropic's page have it.
  bundled({
    id: 'claude-sonnet-4',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2025-05-22',
    source: ANTHROPIC,
    prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 },
    tiers: [
      {
        aboveInputTokens: 200_000,
        prices: { input: 6, cacheRead: 0.6, cacheWrite5m: 7.5, cacheWrite1h: 12, output: 22.5 },
      },
    ],
    aliases: ['claude-sonnet-4-20250514', 'claude-4-sonnet-20250514', 'claude-sonnet-4-0'],
  }),
  bundled({
    id: 'claude-sonnet-4-5',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2025-09-29',
    source: ANTHROPIC,
    prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 },
    tiers: [
      {
        aboveInputTokens: 200_000,
        prices: { input: 6, cacheRead: 0.6, cacheWrite5m: 7.5, cacheWrite1h: 12, output: 22.5 },
      },
    ],
    aliases: ['claude-sonnet-4-5-20250929'],
  }),
  bundled({
    id: 'claude-opus-4',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2025-05-22',
    source: ANTHROPIC,
    prices: { input: 15, cacheRead: 1.5, cacheWrite5m: 18.75, cacheWrite1h: 30, output: 75 },
    aliases: ['claude-opus-4-20250514', 'claude-4-opus-20250514', 'claude-opus-4-0'],
  }),
  bundled({
    id: 'claude-opus-4-1',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2025-08-05',
    source: ANTHROPIC,
    prices: { input: 15, cacheRead: 1.5, cacheWrite5m: 18.75, cacheWrite1h: 30, output: 75 },
    aliases: ['claude-opus-4-1-20250805'],
  }),
  bundled({
    id: 'claude-haiku-4-5',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2025-10-15',
    source: ANTHROPIC,
    prices: { input: 1, cacheRead: 0.1, cacheWrite5m: 1.25, cacheWrite1h: 2, output: 5 },
    aliases: ['claude-haiku-4-5-20251001'],
  }),
  bundled({
    id: 'claude-opus-4-5',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2025-11-24',
    source: ANTHROPIC,
    prices: { input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, cacheWrite1h: 10, output: 25 },
    aliases: ['claude-opus-4-5-20251101'],
  }),
  // Sonnet 4.6 launched with the 1M-context beta and its >200K premium (as Sonnet 4/4.5); on 2026-03-13
  // Anthropic made 1M context generally available at standard prices. LiteLLM and Langfuse carry only the flat
  // price. Opus 4.6 is flat: no source we could read confirms an Opus 4.6 premium, so none is invented.
  bundled({
    id: 'claude-opus-4-6',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-02-05',
    source: ANTHROPIC,
    prices: { input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, cacheWrite1h: 10, output: 25 },
    aliases: ['claude-opus-4-6-20260205'],
  }),
  bundled({
    id: 'claude-sonnet-4-6',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-02-17',
    source: `${ANTHROPIC} (1M-context beta premium until 2026-03-12)`,
    prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 },
    tiers: [
      {
        aboveInputTokens: 200_000,
        prices: { input: 6, cacheRead: 0.6, cacheWrite5m: 7.5, cacheWrite1h: 12, output: 22.5 },
      },
    ],
  }),
  bundled({
    id: 'claude-sonnet-4-6',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-03-13',
    source: `${ANTHROPIC} (1M context at standard prices from 2026-03-13)`,
    prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 },
  }),
  bundled({
    id: 'claude-opus-4-7',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-04-16',
    source: ANTHROPIC,
    prices: { input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, cacheWrite1h: 10, output: 25 },
    aliases: ['claude-opus-4-7-20260416'],
  }),
  bundled({
    id: 'claude-opus-4-8',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-05-28',
    source: ANTHROPIC,
    prices: { input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, cacheWrite1h: 10, output: 25 },
  }),
  bundled({
    id: 'claude-fable-5',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-06-09',
    source: ANTHROPIC,
    prices: { input: 10, cacheRead: 1, cacheWrite5m: 12.5, cacheWrite1h: 20, output: 50 },
  }),
  // Sonnet 5 launched 2026-06-30 at an introductory $2/$10 "through 2026-08-31", then $3/$15. LiteLLM
  // (2026-07-24) still has the introductory price, undated.
  bundled({
    id: 'claude-sonnet-5',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-06-30',
    source: `${ANTHROPIC} (introductory price to 2026-08-31)`,
    prices: { input: 2, cacheRead: 0.2, cacheWrite5m: 2.5, cacheWrite1h: 4, output: 10 },
  }),
  bundled({
    id: 'claude-sonnet-5',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-09-01',
    source: `${ANTHROPIC} (standard price from 2026-09-01)`,
    prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 },
  }),
  bundled({
    id: 'claude-opus-5',
    provider: 'anthropic',
    mode: 'chat',
    effectiveFrom: '2026-07-24',
    source: ANTHROPIC,
    prices: { input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, cacheWrite1h: 10, output: 25 },
  }),

  // ───────────────────────────── Google ─────────────────────────────
  // Gemini API (AI Studio) paid-tier prices for text/image/video input; Vertex lists the same per token.
  // Audio input is dearer and context-cache storage is billed per hour: neither is modelled. Batch = 50 %.
  // LiteLLM (gemini/ and Vertex keys) and Langfuse agree on these, except: LiteLLM's Vertex
  // `gemini-2.0-flash-001` is $0.15/$0.60 (Vertex's own rate for that id; the Gemini API lists $0.10/$0.40,
  // used here), and its Vertex 2.5 Pro carries a $0.25 ">200K cache write" Google does not charge.
  bundled({
    id: 'gemini-2.0-flash',
    provider: 'google',
    mode: 'chat',
    effectiveFrom: '2025-02-05',
    source: GOOGLE,
    prices: { input: 0.1, cacheRead: 0.025, output: 0.4 },
    aliases: ['gemini-2.0-flash-001'],
  }),
  bundled({
    id: 'gemini-2.5-flash',
    provider: 'google',
    mode: 'chat',
    effectiveFrom: '2025-06-17',
    source: GOOGLE,
    prices: { input: 0.3, cacheRead: 0.03, output: 2.5 },
  }),
  bundled({
    id: 'gemini-2.5-flash-lite',
    provider: 'google',
    mode: 'chat',
    effectiveFrom: '2025-07-22',
    source: GOOGLE,
    prices: { input: 0.1, cacheRead: 0.01, output: 0.4 },
  }),
  // Above 200K prompt tokens the whole request is billed at the higher rate (LiteLLM and Langfuse agree).
  bundled({
    id: 'gemini-2.5-pro',
    provider: 'google',
    mode: 'chat',
    effectiveFrom: '2025-06-17',
    source: GOOGLE,
    prices: { input: 1.25, cacheRead: 0.125, output: 10 },
    tiers: [{ aboveInputTokens: 200_000, prices: { input: 2.5, cacheRead: 0.25, output: 15 } }],
  }),
  bundled({
    id: 'gemini-embedding-001',
    provider: 'google',
    mode: 'embedding',
    effectiveFrom: '2025-07-14',
    source: GOOGLE,
    prices: { input: 0.15, output: 0 },
  }),

  // ───────────────────────────── Mistral ────────────────────────────
  // Dated ids keep their price; the moving names (`mistral-large` ← `mistral-large-latest` …) get one entry
  // per generation they pointed to, so a `-latest` record is priced as what it meant on its date.
  // LiteLLM lists mistral-small-latest / 3.2 at $0.06/$0.18; Mistral's page says $0.10/$0.30, which wins.
  bundled({
    id: 'mistral-large-2411',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2024-11-18',
    source: MISTRAL,
    prices: { input: 2, output: 6 },
  }),
  bundled({
    id: 'mistral-large-2512',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-12-02',
    source: MISTRAL,
    prices: { input: 0.5, output: 1.5 },
    aliases: ['mistral-large-3'],
  }),
  bundled({
    id: 'mistral-large',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2024-11-18',
    source: `${MISTRAL} (Mistral Large 24.11)`,
    prices: { input: 2, output: 6 },
    aliases: ['mistral-large-latest'],
  }),
  bundled({
    id: 'mistral-large',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-12-02',
    source: `${MISTRAL} (Mistral Large 3)`,
    prices: { input: 0.5, output: 1.5 },
    aliases: ['mistral-large-latest'],
  }),
  bundled({
    id: 'mistral-medium-2505',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-05-07',
    source: MISTRAL,
    prices: { input: 0.4, output: 2 },
    aliases: ['mistral-medium-3'],
  }),
  bundled({
    id: 'mistral-medium-2508',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-08-12',
    source: MISTRAL,
    prices: { input: 0.4, output: 2 },
    aliases: ['mistral-medium-3.1', 'mistral-medium-3-1', 'mistral-medium-3-1-2508'],
  }),
  bundled({
    id: 'mistral-medium-2604',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2026-04-28',
    source: MISTRAL,
    prices: { input: 1.5, output: 7.5 },
    aliases: ['mistral-medium-3.5', 'mistral-medium-3-5'],
  }),
  // Plain `mistral-medium` was the 2023 model ($2.70/$8.10, LiteLLM `mistral/mistral-medium`) before Medium 3.
  bundled({
    id: 'mistral-medium',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2023-12-11',
    source: `${MISTRAL} (Mistral Medium 23.12)`,
    prices: { input: 2.7, output: 8.1 },
    aliases: ['mistral-medium-latest'],
  }),
  bundled({
    id: 'mistral-medium',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-05-07',
    source: `${MISTRAL} (Mistral Medium 3 / 3.1)`,
    prices: { input: 0.4, output: 2 },
    aliases: ['mistral-medium-latest'],
  }),
  bundled({
    id: 'mistral-medium',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2026-04-28',
    source: `${MISTRAL} (Mistral Medium 3.5)`,
    prices: { input: 1.5, output: 7.5 },
    aliases: ['mistral-medium-latest'],
  }),
  bundled({
    id: 'mistral-small-2506',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-06-20',
    source: MISTRAL,
    prices: { input: 0.1, output: 0.3 },
    aliases: ['mistral-small-3.2', 'mistral-small-3-2-2506'],
  }),
  // Small 3 (2025-01-30), 3.1, 3.2 and Small 4 are all $0.10/$0.30.
  bundled({
    id: 'mistral-small',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-01-30',
    source: MISTRAL,
    prices: { input: 0.1, output: 0.3 },
    aliases: ['mistral-small-latest'],
  }),
  // LiteLLM's `mistral/codestral-latest` still has Codestral 24.05's $1/$3; Mistral lists $0.30/$0.90.
  bundled({
    id: 'codestral',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-01-13',
    source: MISTRAL,
    prices: { input: 0.3, output: 0.9 },
    aliases: ['codestral-latest', 'codestral-2501'],
  }),
  bundled({
    id: 'codestral-2508',
    provider: 'mistral',
    mode: 'chat',
    effectiveFrom: '2025-07-30',
    source: MISTRAL,
    prices: { input: 0.3, output: 0.9 },
  }),
  bundled({
    id: 'mistral-embed',
    provider: 'mistral',
    mode: 'embedding',
    effectiveFrom: '2023-12-11',
    source: MISTRAL,
    prices: { input: 0.1, output: 0 },
    aliases: ['mistral-embed-2312'],
  }),

  // ─────────────────────── Meta Llama on Bedrock ────────────────────
  // On-demand us-east-1 prices as LiteLLM lists them (the stored copy of the AWS page does not show the
  // Meta table, so these are not checked against it). effectiveFrom is Meta's release date, which no
  // Bedrock usage can predate. Bedrock batch is 50 % (LiteLLM's Llama 4 batch figures are exactly that).
  // Cross-region ids (`us.meta.…`) resolve by the region-prefix rule.
  bundled({
    id: 'llama-3.1-8b-instruct',
    provider: 'aws-bedrock',
    mode: 'chat',
    effectiveFrom: '2024-07-23',
    source: BEDROCK,
    prices: { input: 0.22, output: 0.22 },
    aliases: ['meta.llama3-1-8b-instruct-v1:0'],
  }),
  bundled({
    id: 'llama-3.1-70b-instruct',
    provider: 'aws-bedrock',
    mode: 'chat',
    effectiveFrom: '2024-07-23',
    source: BEDROCK,
    prices: { input: 0.99, output: 0.99 },
    aliases: ['meta.llama3-1-70b-instruct-v1:0'],
  }),
  bundled({
    id: 'llama-3.3-70b-instruct',
    provider: 'aws-bedrock',
    mode: 'chat',
    effectiveFrom: '2024-12-06',
    source: BEDROCK,
    prices: { input: 0.72, output: 0.72 },
    aliases: ['meta.llama3-3-70b-instruct-v1:0'],
  }),
  bundled({
    id: 'llama-4-maverick-17b-instruct',
    provider: 'aws-bedrock',
    mode: 'chat',
    effectiveFrom: '2025-04-05',
    source: BEDROCK,
    prices: { input: 0.24, output: 0.97 },
    aliases: ['meta.llama4-maverick-17b-instruct-v1:0'],
  }),
  bundled({
    id: 'llama-4-scout-17b-instruct',
    provider: 'aws-bedrock',
    mode: 'chat',
    effectiveFrom: '2025-04-05',
    source: BEDROCK,
    prices: { input: 0.17, output: 0.66 },
    aliases: ['meta.llama4-scout-17b-instruct-v1:0'],
  }),
];
