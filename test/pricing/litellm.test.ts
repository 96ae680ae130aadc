import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importLiteLLM, mapLiteLLMProvider } from '../../src/pricing/litellm.ts';
import type { PriceEntry } from '../../src/pricing/types.ts';

// The shared third-party file, read as it is (never edited): LiteLLM main of 2026-07-24.
const LITELLM_FILE = fileURLToPath(
  new URL('../../../shared/data/pricing/litellm-model-prices.json', import.meta.url),
);
const json = JSON.parse(readFileSync(LITELLM_FILE, 'utf8')) as Record<string, Record<string, unknown>>;
const result = importLiteLLM(json, { source: 'litellm-model-prices.json' });

function entry(id: string): PriceEntry {
  const e = result.entries.find((x) => x.id === id);
  if (!e) throw new Error(`${id} not imported`);
  return e;
}

describe('importLiteLLM on the real LiteLLM file', () => {
  it('accounts for every key: imported or skipped with a reason', () => {
    const keys = Object.keys(json);
    expect(keys.length).toBe(2984); // 2,983 models + sample_spec
    expect(result.entries.length + result.skipped.length).toBe(keys.length);
    // most of the file is chat/completion/embedding models with token prices
    expect(result.entries.length).toBeGreaterThan(2000);
    expect(result.skipped.length).toBeGreaterThan(400);
    for (const s of result.skipped) expect(s.reason.length).toBeGreaterThan(0);
    const ids = result.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('converts gpt-4o-mini per-token prices to per-1M exactly', () => {
    const raw = json['gpt-4o-mini']!;
    // in the file: input 1.5e-7, cached 7.5e-8, output 6e-7, batch 7.5e-8 / 3e-7 (USD per token)
    expect(raw.input_cost_per_token).toBe(1.5e-7);
    expect(raw.output_cost_per_token).toBe(6e-7);
    const e = entry('gpt-4o-mini');
    expect(e).toMatchObject({
      provider: 'openai',
      mode: 'chat',
      effectiveFrom: '1970-01-01',
      layer: 'imported',
    });
    expect(e.prices).toEqual({ input: 0.15, cacheRead: 0.075, output: 0.6 });
    expect(e.batch).toEqual({ input: 0.075, output: 0.3 });
    expect(e.prices.input).toBeCloseTo((raw.input_cost_per_token as number) * 1e6, 12);
    expect(e.prices.output).toBeCloseTo((raw.output_cost_per_token as number) * 1e6, 12);
    expect(e.tiers).toBeUndefined();
  });

  it('converts claude-sonnet-4-5 with both cache-write TTLs and its >200K tier', () => {
    const raw = json['claude-sonnet-4-5']!;
    // in the file: 3e-6 in, 1.5e-5 out, 3e-7 read, 3.75e-6 write, 6e-6 1-hour write;
    // above 200k: 6e-6 in, 2.25e-5 out, 6e-7 read, 7.5e-6 write, 1.2e-5 1-hour write
    expect(raw.input_cost_per_token).toBe(0.000003);
    expect(raw.cache_creation_input_token_cost_above_1hr_above_200k_tokens).toBe(0.000012);
    const e = entry('claude-sonnet-4-5');
    expect(e.provider).toBe('anthropic');
    expect(e.prices).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6 });
    expect(e.tiers).toEqual([
      {
        aboveInputTokens: 200_000,
        prices: { input: 6, output: 22.5, cacheRead: 0.6, cacheWrite5m: 7.5, cacheWrite1h: 12 },
      },
    ]);
    expect(e.batch).toBeUndefined(); // LiteLLM states none for Anthropic: cost.ts applies 50 %
  });

  it('reads other _above_Nk_tokens thresholds (gpt-5.4 above 272K)', () => {
    expect(entry('gpt-5.4').tiers).toEqual([
      { aboveInputTokens: 272_000, prices: { input: 5, output: 22.5, cacheRead: 0.5 } },
    ]);
    const thresholds = new Set(result.entries.flatMap((e) => (e.tiers ?? []).map((t) => t.aboveInputTokens)));
    expect([...thresholds].sort((a, b) => a - b)).toEqual(
      expect.arrayContaining([128_000, 200_000, 272_000]),
    );
  });

  it('skips sample_spec and non-token modes with reasons', () => {
    const reason = (key: string) => result.skipped.find((s) => s.key === key)?.reason;
    expect(reason('sample_spec')).toMatch(/layout description/);
    expect(reason('dall-e-3')).toMatch(/image_generation/);
    expect(reason('gpt-image-1')).toMatch(/image_generation/);
    expect(reason('whisper-1')).toMatch(/audio_transcription/);
    expect(reason('tts-1')).toMatch(/audio_speech/);
    expect(result.entries.some((e) => e.id === 'dall-e-3')).toBe(false);
  });

  it('drops the known-wrong 1-hour cache-write prices of Claude 3 Haiku / Opus, with a warning', () => {
    expect(result.warnings.map((w) => w.key).sort()).toEqual([
      'claude-3-haiku-20240307',
      'claude-3-opus-20240229',
    ]);
    expect(entry('claude-3-haiku-20240307').prices.cacheWrite1h).toBeUndefined();
    expect(entry('claude-3-haiku-20240307').prices.cacheWrite5m).toBe(0.3);
  });

  it('maps providers and strips first-party prefixes only where the id is free', () => {
    expect(entry('azure/gpt-4o').provider).toBe('azure-openai'); // a host keeps its prefix
    expect(entry('anthropic.claude-3-haiku-20240307-v1:0').provider).toBe('aws-bedrock');
    expect(entry('gemini-2.5-pro').provider).toBe('google-vertex');
    // `gemini-2.5-pro` is a key of its own (Vertex), so the Gemini API one keeps its prefix
    expect(entry('gemini/gemini-2.5-pro').provider).toBe('google');
    // `deepseek-r1` is free: the prefix goes, the key stays as an alias
    expect(entry('deepseek-r1').aliases).toEqual(['deepseek/deepseek-r1']);
    expect(mapLiteLLMProvider('vertex_ai-anthropic_models')).toBe('google-vertex');
    expect(mapLiteLLMProvider('fireworks_ai')).toBe('fireworks');
    expect(mapLiteLLMProvider('some_new_host')).toBe('some-new-host');
  });

  it('dates entries when asked, and rejects a bad date or a non-object', () => {
    const dated = importLiteLLM(json, { source: 'x', effectiveFrom: '2026-07-24' });
    expect(dated.entries.every((e) => e.effectiveFrom === '2026-07-24')).toBe(true);
    expect(() => importLiteLLM(json, { source: 'x', effectiveFrom: '24/07/2026' })).toThrow(RangeError);
    expect(() => importLiteLLM([], { source: 'x' })).toThrow(TypeError);
  });

  it('reports a malformed price instead of importing it', () => {
    const r = importLiteLLM(
      {
        bad: {
          litellm_provider: 'openai',
          mode: 'chat',
          input_cost_per_token: 'free',
          output_cost_per_token: 1e-6,
        },
      },
      { source: 'x' },
    );
    expect(r.entries).toEqual([]);
    expect(r.skipped[0]?.key).toBe('bad');
    expect(r.skipped[0]?.reason).toMatch(/input_cost_per_token/);
  });
});
