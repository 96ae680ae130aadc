import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { zeroTokens } from '../../src/core/record.ts';
import { BUNDLED_CATALOG, CATALOG_SNAPSHOT } from '../../src/pricing/catalog-data.ts';
import { costOf, priceKey } from '../../src/pricing/cost.ts';
import {
  defaultImportedCatalogPath,
  readImportedCatalog,
  writeImportedCatalog,
  type ImportedCatalog,
} from '../../src/pricing/imported-catalog.ts';
import { importLiteLLM } from '../../src/pricing/litellm.ts';
import { createPriceBook, loadPriceBook } from '../../src/pricing/price-book.ts';
import type { PriceEntry, PriceOverride } from '../../src/pricing/types.ts';

const LITELLM_FILE = fileURLToPath(
  new URL('../../../shared/data/pricing/litellm-model-prices.json', import.meta.url),
);
const AT = '2026-10-01T12:00:00.000Z';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'finops-pricing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function importedLayer(entries: Omit<PriceEntry, 'layer'>[]): ImportedCatalog {
  return {
    path: '/tmp/prices.json',
    meta: { source: 'test.json', importedAt: '2026-11-01T00:00:00.000Z' },
    entries: entries.map((e) => ({ ...e, layer: 'imported' as const })),
  };
}

function book(overrides: PriceOverride[] = [], imported?: ImportedCatalog) {
  return createPriceBook({ bundled: BUNDLED_CATALOG, imported, overrides });
}

describe('discount overrides', () => {
  const b = book([{ model: 'gpt-4o-mini', discount: 0.15 }]);

  it('scale the list price in force and say so in the source', () => {
    const e = b.lookup('gpt-4o-mini', AT)!;
    // 0.15 × 0.85 = 0.1275; 0.075 × 0.85 = 0.06375; 0.6 × 0.85 = 0.51
    expect(e.prices.input).toBeCloseTo(0.1275, 12);
    expect(e.prices.cacheRead).toBeCloseTo(0.06375, 12);
    expect(e.prices.output).toBeCloseTo(0.51, 12);
    expect(e.discount).toBe(0.15);
    expect(e.layer).toBe('bundled');
    expect(e.source).toMatch(/15 % discount/);
    // 1M in + 1M out: 0.1275 + 0.51 = 0.6375
    expect(costOf(e, -1, undefined, { ...zeroTokens(), input: 1e6, output: 1e6 })).toBeCloseTo(0.6375, 12);
  });

  it('are cached, keyed apart from list prices, and leave other models alone', () => {
    expect(b.lookup('gpt-4o-mini', AT)).toBe(b.lookup('gpt-4o-mini', '2026-10-01T23:00:00Z'));
    const list = book().lookup('gpt-4o-mini', AT)!;
    expect(priceKey(b.lookup('gpt-4o-mini', AT)!, -1, undefined)).not.toBe(priceKey(list, -1, undefined));
    expect(b.lookup('gpt-4o', AT)?.prices.input).toBe(2.5);
  });

  it('match globs and dated names through resolution', () => {
    const g = book([
      { model: 'claude-*', discount: 0.1 },
      { model: 'gpt-4o-2024-08-06', discount: 0.2 },
    ]);
    expect(g.lookup('claude-sonnet-4-5', AT)?.prices.input).toBeCloseTo(2.7, 12);
    // tiers are discounted too: 6 × 0.9
    expect(g.lookup('claude-sonnet-4-5', AT)?.tiers?.[0]?.prices.input).toBeCloseTo(5.4, 12);
    expect(g.lookup('gpt-4o', AT)?.prices.input).toBeCloseTo(2, 12); // the alias resolves to gpt-4o
  });

  it('start on their effectiveFrom and can be scoped to a provider', () => {
    const d = book([
      { model: 'gpt-4o', discount: 0.5, effectiveFrom: '2026-06-01' },
      { model: 'gpt-4.1', provider: 'azure-openai', discount: 0.2 },
    ]);
    expect(d.lookup('gpt-4o', '2026-05-31T00:00:00Z')?.prices.input).toBe(2.5);
    expect(d.lookup('gpt-4o', '2026-06-01T00:00:00Z')?.prices.input).toBeCloseTo(1.25, 12);
    expect(d.lookup('gpt-4o', '2026-06-01T00:00:00Z')?.effectiveFrom).toBe('2026-06-01');
    expect(d.lookup('gpt-4.1', AT)?.prices.input).toBe(2);
    expect(d.lookup('gpt-4.1', AT, 'openai')?.prices.input).toBe(2);
    expect(d.lookup('gpt-4.1', AT, 'azure-openai')?.prices.input).toBeCloseTo(1.6, 12);
  });
});

describe('own-price overrides', () => {
  it('price a private model no catalog knows, on any date', () => {
    const b = book([{ model: 'acme-llm-7b', prices: { input: 0.5, output: 1 }, provider: 'self-hosted' }]);
    expect(b.resolve('acme-llm-7b', 'self-hosted')).toBe('acme-llm-7b');
    expect(b.resolve('ACME-LLM-7B', 'self-hosted')).toBe('acme-llm-7b');
    expect(b.resolve('acme-llm-7b', 'openai')).toBeUndefined(); // scoped to its provider
    const e = b.lookup('acme-llm-7b', '2020-01-01T00:00:00Z', 'self-hosted')!;
    expect(e).toMatchObject({
      id: 'acme-llm-7b',
      layer: 'override',
      provider: 'self-hosted',
      effectiveFrom: '1970-01-01',
    });
    // 2,000 in × 0.5 + 1,000 out × 1 = 2,000 → 0.002
    expect(costOf(e, -1, undefined, { ...zeroTokens(), input: 2000, output: 1000 })).toBeCloseTo(0.002, 15);
  });

  it('make a fine-tune known only when an override names it', () => {
    expect(book().resolve('ft:gpt-4o-mini:acme::abc')).toBeUndefined();
    const b = book([
      { model: 'ft:gpt-4o-mini:acme::abc', prices: { input: 0.3, cacheRead: 0.15, output: 1.2 } },
    ]);
    expect(b.resolve('ft:gpt-4o-mini:acme::abc')).toBe('ft:gpt-4o-mini:acme::abc');
    expect(b.lookup('ft:gpt-4o-mini:acme::abc', AT)?.prices.output).toBe(1.2);
    // and never the base model's
    expect(b.resolve('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(b.lookup('gpt-4o-mini', AT)?.layer).toBe('bundled');
  });

  it('price a family of private models by glob', () => {
    const b = book([{ model: 'acme-*', prices: { input: 1, output: 2 } }]);
    expect(b.resolve('acme-13b')).toBe('acme-13b');
    expect(b.lookup('acme-13b', AT)).toMatchObject({
      id: 'acme-13b',
      layer: 'override',
      prices: { input: 1, output: 2 },
    });
    expect(b.resolve('other-13b')).toBeUndefined();
  });

  it('are rejected with the override named when invalid', () => {
    expect(() => book([{ model: 'x' }])).toThrow(ConfigError);
    expect(() => book([{ model: 'x', discount: 1.5 }])).toThrow(/override #1.*discount/);
    expect(() => book([{ model: 'x', prices: { input: -1, output: 1 } }])).toThrow(ConfigError);
    expect(() => book([{ model: 'x', prices: { input: 1, output: 1 }, effectiveFrom: 'soon' }])).toThrow(
      /effectiveFrom/,
    );
  });
});

describe('layers: override > imported > bundled', () => {
  const imported = importedLayer([
    {
      id: 'gpt-4o-mini',
      provider: 'openai',
      mode: 'chat',
      effectiveFrom: '1970-01-01',
      source: 'test.json',
      prices: { input: 0.2, output: 0.8 },
    },
    {
      id: 'gpt-4.1',
      provider: 'openai',
      mode: 'chat',
      effectiveFrom: '2026-01-01',
      source: 'test.json',
      prices: { input: 1.5, output: 6 },
    },
  ]);

  it('imported beats bundled; override beats imported', () => {
    expect(book([], imported).lookup('gpt-4o-mini', AT)).toMatchObject({
      layer: 'imported',
      prices: { input: 0.2 },
    });
    const withOverride = book([{ model: 'gpt-4o-mini', prices: { input: 0.1, output: 0.4 } }], imported);
    expect(withOverride.lookup('gpt-4o-mini', AT)).toMatchObject({
      layer: 'override',
      prices: { input: 0.1 },
    });
  });

  it('a higher layer wins only from its own effectiveFrom', () => {
    const b = book([], imported);
    expect(b.lookup('gpt-4.1', '2025-12-31T23:59:59Z')).toMatchObject({
      layer: 'bundled',
      prices: { input: 2 },
    });
    expect(b.lookup('gpt-4.1', '2026-01-01T00:00:00Z')).toMatchObject({
      layer: 'imported',
      prices: { input: 1.5 },
    });
    const o = book(
      [{ model: 'gpt-4.1', prices: { input: 1, output: 4 }, effectiveFrom: '2026-06-01' }],
      imported,
    );
    expect(o.lookup('gpt-4.1', '2026-05-31T00:00:00Z')?.layer).toBe('imported');
    expect(o.lookup('gpt-4.1', '2026-06-01T00:00:00Z')?.layer).toBe('override');
  });

  it('lists every layer and describes them', () => {
    const b = book([{ model: 'gpt-4o-mini', discount: 0.1 }], imported);
    expect(b.entries().length).toBe(BUNDLED_CATALOG.length + 2);
    expect(b.describe()).toEqual({
      source: `bundled (${CATALOG_SNAPSHOT}, ${BUNDLED_CATALOG.length} prices) + imported /tmp/prices.json (test.json, imported 2026-11-01, 2 prices, undated: applies to all dates) + 1 override (finops.yaml)`,
      snapshot: CATALOG_SNAPSHOT > '2026-11-01' ? CATALOG_SNAPSHOT : '2026-11-01',
    });
  });
});

describe('imported catalog file', () => {
  it('round-trips the real LiteLLM file: import → write → loadPriceBook → lookup', async () => {
    const json: unknown = JSON.parse(readFileSync(LITELLM_FILE, 'utf8'));
    const { entries, skipped } = importLiteLLM(json, { source: 'litellm-model-prices.json' });
    const path = join(dir, 'nested', 'prices.json');
    await writeImportedCatalog(path, entries, {
      source: 'litellm-model-prices.json',
      importedAt: '2026-11-27T10:00:00.000Z',
      skipped: skipped.length,
    });
    const b = await loadPriceBook({ importedPath: path });
    const mini = b.lookup(b.resolve('gpt-4o-mini-2024-07-18')!, AT)!;
    expect(mini).toMatchObject({
      id: 'gpt-4o-mini',
      layer: 'imported',
      prices: { input: 0.15, cacheRead: 0.075, output: 0.6 },
    });
    // LiteLLM has no `claude-sonnet-4` key: its dated key is moved onto the canonical id, not split off
    expect(b.resolve('claude-sonnet-4-20250514')).toBe('claude-sonnet-4');
    const sonnet = b.lookup('claude-sonnet-4', AT)!;
    expect(sonnet.layer).toBe('imported');
    expect(sonnet.prices).toEqual({
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite5m: 3.75,
      cacheWrite1h: 6,
    });
    // bundled ids and rules are tried first, so an import never renames a model the catalog knows …
    expect(b.resolve('us.anthropic.claude-3-5-haiku-20241022-v1:0')).toBe('claude-3-5-haiku');
    expect(b.resolve('azure/gpt-4o')).toBe('gpt-4o');
    // … and models only LiteLLM knows resolve through the imported layer
    expect(b.resolve('deepseek/deepseek-r1')).toBe('deepseek-r1');
    expect(b.resolve('openrouter/anthropic/claude-3-haiku')).toBe('openrouter/anthropic/claude-3-haiku');
    expect(b.lookup('openrouter/anthropic/claude-3-haiku', AT)).toMatchObject({
      layer: 'imported',
      provider: 'openrouter',
    });
    expect(b.describe().source).toContain(`imported ${path} (litellm-model-prices.json, imported 2026-11-27`);
    const back = await readImportedCatalog(path);
    expect(back?.entries).toEqual(entries);
    expect(back?.meta.skipped).toBe(skipped.length);
  });

  it('honours --effective-from: bundled history stays in force before it', async () => {
    const path = join(dir, 'dated.json');
    const o3: PriceEntry = {
      id: 'o3',
      provider: 'openai',
      mode: 'chat',
      effectiveFrom: '2026-07-24',
      source: 'litellm',
      prices: { input: 2, output: 8 },
      layer: 'imported',
    };
    await writeImportedCatalog(path, [o3], {
      source: 'litellm',
      importedAt: '2026-07-25T00:00:00Z',
      effectiveFrom: '2026-07-24',
    });
    const b = await loadPriceBook({ importedPath: path });
    expect(b.lookup('o3', '2025-06-01T00:00:00Z')).toMatchObject({ layer: 'bundled', prices: { input: 10 } });
    expect(b.lookup('o3', '2026-08-01T00:00:00Z')).toMatchObject({ layer: 'imported', prices: { input: 2 } });
    expect(b.describe().source).toContain('in force from 2026-07-24');
  });

  it('throws ConfigError naming a corrupt file', async () => {
    const notJson = join(dir, 'broken.json');
    await writeFile(notJson, '{"format": "finops-prices", ');
    await expect(loadPriceBook({ importedPath: notJson })).rejects.toThrow(ConfigError);
    await expect(loadPriceBook({ importedPath: notJson })).rejects.toThrow(notJson);
    const wrongShape = join(dir, 'wrong.json');
    await writeFile(
      wrongShape,
      JSON.stringify({ format: 'finops-prices', version: 1, meta: {}, entries: [{ id: 1 }] }),
    );
    await expect(loadPriceBook({ importedPath: wrongShape })).rejects.toThrow(
      new RegExp(`^${wrongShape}: not a finops`),
    );
  });

  it('a named file must exist; the default may be missing; null loads none', async () => {
    const missing = join(dir, 'missing.json');
    await expect(loadPriceBook({ importedPath: missing })).rejects.toThrow(ConfigError);
    const saved = process.env.FINOPS_PRICES;
    process.env.FINOPS_PRICES = missing;
    try {
      const b = await loadPriceBook({});
      expect(b.describe().source).toBe(`bundled (${CATALOG_SNAPSHOT}, ${BUNDLED_CATALOG.length} prices)`);
    } finally {
      if (saved === undefined) delete process.env.FINOPS_PRICES;
      else process.env.FINOPS_PRICES = saved;
    }
    const none = await loadPriceBook({ importedPath: null });
    expect(none.entries().length).toBe(BUNDLED_CATALOG.length);
  });

  it('writes atomically: no temp file left, and an invalid catalog is never written', async () => {
    const path = join(dir, 'atomic', 'prices.json');
    await writeImportedCatalog(path, [], { source: 's', importedAt: '2026-11-27T00:00:00Z' });
    const bad = {
      id: '',
      provider: 'x',
      mode: 'chat',
      effectiveFrom: 'x',
      source: 's',
      prices: { input: 1, output: 1 },
      layer: 'imported',
    } as const;
    await expect(writeImportedCatalog(path, [bad], { source: 's', importedAt: 'now' })).rejects.toThrow();
    const text = await readFile(path, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: 'finops-prices', version: 1, entries: [] });
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(dir, 'atomic'))).toEqual(['prices.json']);
  });
});

describe('defaultImportedCatalogPath', () => {
  it('prefers FINOPS_PRICES, then FINOPS_HOME, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(defaultImportedCatalogPath({ FINOPS_PRICES: '/p/x.json', FINOPS_HOME: '/h' })).toBe('/p/x.json');
    expect(defaultImportedCatalogPath({ FINOPS_HOME: '/h', XDG_DATA_HOME: '/d' })).toBe('/h/prices.json');
    expect(defaultImportedCatalogPath({ XDG_DATA_HOME: '/d' })).toBe('/d/finops/prices.json');
    expect(defaultImportedCatalogPath({})).toMatch(/\.local\/share\/finops\/prices\.json$/);
  });
});
