import { describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG } from '../../src/pricing/catalog-data.ts';
import { createPriceBook } from '../../src/pricing/price-book.ts';
import { candidateIds } from '../../src/pricing/resolve.ts';

const book = createPriceBook({ bundled: BUNDLED_CATALOG });

describe('resolve', () => {
  it.each([
    // exact ids, case-insensitive
    ['gpt-4o', 'gpt-4o'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['GPT-4o-Mini', 'gpt-4o-mini'],
    ['  o3-mini ', 'o3-mini'],
    // dated snapshots: alias table first; a dated id with its own price stays itself
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
    // date rule for snapshots the alias table does not list: `-YYYY-MM-DD`, `-YYYYMMDD`, Vertex `@YYYYMMDD`
    ['gpt-5-2099-01-01', 'gpt-5'],
    ['gpt-4o-mini-2099-01-01', 'gpt-4o-mini'],
    ['claude-opus-4-1-20990101', 'claude-opus-4-1'],
    ['claude-sonnet-4@20250514', 'claude-sonnet-4'],
    ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet'],
    // provider prefixes
    ['openai/gpt-4o-mini', 'gpt-4o-mini'],
    ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['mistral/mistral-large-latest', 'mistral-large'],
    // Bedrock: region profile, vendor prefix, version suffix
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
    ['eu.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['global.anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
    ['meta.llama3-3-70b-instruct-v1:0', 'llama-3.3-70b-instruct'],
    ['us.meta.llama4-scout-17b-instruct-v1:0', 'llama-4-scout-17b-instruct'],
    ['bedrock/us.meta.llama3-1-8b-instruct-v1:0', 'llama-3.1-8b-instruct'],
  ])('%s → %s', (raw, id) => {
    expect(book.resolve(raw)).toBe(id);
  });

  it.each([
    // never a substring or prefix match
    ['gpt-4o-mini-tts'],
    ['gpt-4o-realtime-preview'],
    ['gpt-4'],
    ['claude-sonnet'],
    ['o3-pro'],
    ['gemini-2.5-flash-preview-05-20'],
    // fine-tunes are their own models, unknown unless an override names them
    ['ft:gpt-4o-mini:acme::abc'],
    ['ft:gpt-4o-mini-2024-07-18:acme::abc123'],
    // a gateway prefix that is not a rule
    ['openrouter/openai/gpt-4o'],
    [''],
  ])('%s → unknown', (raw) => {
    expect(book.resolve(raw)).toBeUndefined();
  });

  it('does not confuse gpt-4o and gpt-4o-mini in either direction', () => {
    expect(book.resolve('gpt-4o-mini-2024-07-18')).toBe('gpt-4o-mini');
    expect(book.resolve('gpt-4o-2024-11-20')).toBe('gpt-4o');
    expect(book.lookup('gpt-4o', '2026-01-01T00:00:00Z')?.prices.input).toBe(2.5);
    expect(book.lookup('gpt-4o-mini', '2026-01-01T00:00:00Z')?.prices.input).toBe(0.15);
  });

  it('tries the dated form before stripping the date', () => {
    expect(candidateIds('us.anthropic.claude-sonnet-4-20250514-v1:0')).toEqual([
      'us.anthropic.claude-sonnet-4-20250514-v1:0',
      'anthropic.claude-sonnet-4-20250514-v1:0',
      'claude-sonnet-4-20250514-v1:0',
      'claude-sonnet-4-20250514',
      'claude-sonnet-4',
    ]);
  });
});
