import { ConfigError } from '../core/errors.ts';
import { BUNDLED_CATALOG, CATALOG_SNAPSHOT } from './catalog-data.ts';
import { defaultImportedCatalogPath, readImportedCatalog } from './imported-catalog.ts';
import type { ImportedCatalog } from './imported-catalog.ts';
import { UNDATED_EFFECTIVE_FROM } from './litellm.ts';
import { AliasTable, candidateIds } from './resolve.ts';
import type { PriceEntry, PriceOverride, Prices } from './types.ts';

/** The prices a run uses: bundled catalog, optional imported layer, user overrides; see DESIGN.md "Pricing". */
export interface PriceBook {
  /**
   * Canonical id for a source's model string, or undefined when nothing names it. Order: private-model
   * overrides; then the bundled catalog, then the imported layer, each by exact id → alias → normalisation
   * rules (so an import never renames a model the bundled catalog knows); then own-price glob overrides.
   * `provider` only matters for overrides scoped to a provider.
   */
  resolve(modelRaw: string, provider?: string): string | undefined;
  /**
   * The entry in force for a canonical id at an ISO instant (its UTC day): the highest layer
   * (override > imported > bundled) with an entry whose effectiveFrom ≤ day, and within it the latest such
   * entry; discount overrides are applied on top. Undefined before any entry's effectiveFrom (the caller
   * reports "no price in force on DATE") and for unknown ids. Cached per model × UTC day. `provider`
   * only matters for overrides scoped to a provider (without it, scoped overrides do not apply).
   */
  lookup(model: string, at: string, provider?: string): PriceEntry | undefined;
  /** Every entry of every layer (for `finops pricing list`); discount overrides are not expanded. */
  entries(): PriceEntry[];
  /** Which layers are loaded, in words, and the date of the newest one. */
  describe(): { source: string; snapshot: string };
}

/** Options of `loadPriceBook`. */
export interface LoadPriceBookOptions {
  /** Imported catalog file; undefined = `defaultImportedCatalogPath()` (missing is fine); null = none. */
  importedPath?: string | null;
  /** Price overrides from finops.yaml `pricing`. */
  overrides?: PriceOverride[];
  /** Where the overrides come from, for entry sources and `describe()` (default `finops.yaml`). */
  overridesSource?: string;
}

/**
 * Loads the price book: bundled catalog + imported layer + overrides. Throws ConfigError naming the file
 * when an imported catalog is corrupt (or an explicitly given one is missing), and naming the override
 * when an override is invalid.
 */
export async function loadPriceBook(opts: LoadPriceBookOptions = {}): Promise<PriceBook> {
  let imported: ImportedCatalog | undefined;
  if (opts.importedPath !== null) {
    const explicit = opts.importedPath !== undefined;
    const path = opts.importedPath ?? defaultImportedCatalogPath();
    // A missing default file just means "never imported"; a missing file the user named is a mistake.
    imported = await readImportedCatalog(path, !explicit);
  }
  return createPriceBook({
    bundled: BUNDLED_CATALOG,
    imported,
    overrides: opts.overrides,
    overridesSource: opts.overridesSource,
  });
}

/** Layers for `createPriceBook`: the in-memory form of what `loadPriceBook` reads. */
export interface PriceBookLayers {
  bundled: readonly PriceEntry[];
  imported?: ImportedCatalog;
  overrides?: readonly PriceOverride[];
  overridesSource?: string;
}

/** Builds a price book from layers already in memory (no I/O); `loadPriceBook` is the usual entry point. */
export function createPriceBook(layers: PriceBookLayers): PriceBook {
  return new LayeredPriceBook(layers);
}

interface OverrideEntry {
  entry: PriceEntry;
  /** Set when the override names a provider: it applies only to lookups for that provider. */
  scope?: string;
  order: number;
}

interface GlobOverride extends OverrideEntry {
  re: RegExp;
}

interface Discount {
  /** Canonical id (exact) or glob. */
  id?: string;
  re?: RegExp;
  discount: number;
  effectiveFrom: string;
  scope?: string;
  order: number;
  label: string;
}

interface Slot {
  bundled: PriceEntry[];
  imported: PriceEntry[];
  override: OverrideEntry[];
}

const ISO_DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** An ISO instant with no offset or `Z`: its first 10 characters are its UTC day. */
const UTC_INSTANT_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/;
const DEFAULT_OVERRIDE_FROM = '1970-01-01';

/** The UTC day (YYYY-MM-DD) of an ISO instant or date. Throws RangeError for anything else. */
export function utcDay(at: string): string {
  if (UTC_INSTANT_RE.test(at)) return at.slice(0, 10);
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO date or instant: ${JSON.stringify(at)}`);
  return new Date(ms).toISOString().slice(0, 10);
}

class LayeredPriceBook implements PriceBook {
  private readonly slots = new Map<string, Slot>();
  private readonly bundledTable = new AliasTable();
  private readonly importedTable = new AliasTable();
  /** Own-price overrides for models no catalog knows (private models): lower-cased name → id. */
  private readonly privateNames = new Map<string, { id: string; scope?: string }>();
  private readonly globOverrides: GlobOverride[] = [];
  private readonly discounts: Discount[] = [];
  private readonly all: PriceEntry[] = [];
  private readonly cache = new Map<string, Map<string, PriceEntry | null>>();
  private readonly derived = new Map<PriceEntry, Map<Discount, PriceEntry>>();
  private readonly description: { source: string; snapshot: string };

  /**
   * An imported list carries no dates. For a model the bundled catalog knows, an undated imported price is taken
   * as a restatement of the *current* price: it applies from the latest bundled effectiveFrom on, so the bundled
   * history (o3's 2025-06-10 cut, an introductory price) still prices older usage. For a model only the import
   * knows, it applies to all dates.
   */
  private anchorUndated(entries: PriceEntry[]): PriceEntry[] {
    return entries.map((e) => {
      if (e.effectiveFrom !== UNDATED_EFFECTIVE_FROM) return e;
      const history = this.slots.get(e.id)?.bundled;
      if (!history || history.length === 0) return e;
      const latest = history.reduce(
        (m, b) => (b.effectiveFrom > m ? b.effectiveFrom : m),
        UNDATED_EFFECTIVE_FROM,
      );
      return { ...e, effectiveFrom: latest };
    });
  }

  constructor(layers: PriceBookLayers) {
    const bundled = [...layers.bundled];
    this.bundledTable.add(bundled);
    for (const e of bundled) this.slot(e.id).bundled.push(e);

    const imported = layers.imported ? this.anchorUndated(this.rekeyImported(layers.imported.entries)) : [];
    this.importedTable.add(imported);
    for (const e of imported) this.slot(e.id).imported.push(e);

    const source = layers.overridesSource ?? 'finops.yaml';
    (layers.overrides ?? []).forEach((o, i) => this.addOverride(o, i, source));

    for (const s of this.slots.values()) {
      s.bundled.sort(byEffectiveFrom);
      s.imported.sort(byEffectiveFrom);
      s.override.sort((a, b) => byEffectiveFrom(a.entry, b.entry) || a.order - b.order);
    }
    this.all.push(...bundled, ...imported);
    for (const s of this.slots.values()) for (const o of s.override) this.all.push(o.entry);
    for (const g of this.globOverrides) this.all.push(g.entry);

    this.description = describeLayers(
      bundled.length,
      layers.imported,
      imported.length,
      layers.overrides,
      source,
    );
  }

  resolve(modelRaw: string, provider?: string): string | undefined {
    if (this.privateNames.size > 0) {
      for (const c of candidateIds(modelRaw)) {
        const p = this.privateNames.get(c.toLowerCase());
        if (p !== undefined && inScope(p.scope, provider)) return p.id;
      }
    }
    const hit = this.bundledTable.resolve(modelRaw) ?? this.importedTable.resolve(modelRaw);
    if (hit !== undefined) return hit;
    const raw = modelRaw.trim();
    for (const g of this.globOverrides) if (inScope(g.scope, provider) && g.re.test(raw)) return raw;
    return undefined;
  }

  lookup(model: string, at: string, provider?: string): PriceEntry | undefined {
    const day = utcDay(at);
    const cacheKey = provider === undefined ? model : `${model}\u0000${provider}`;
    let byDay = this.cache.get(cacheKey);
    if (byDay === undefined) {
      byDay = new Map();
      this.cache.set(cacheKey, byDay);
    }
    const cached = byDay.get(day);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.find(model, day, provider);
    byDay.set(day, found ?? null);
    return found;
  }

  entries(): PriceEntry[] {
    return [...this.all];
  }

  describe(): { source: string; snapshot: string } {
    return { ...this.description };
  }

  private find(model: string, day: string, provider: string | undefined): PriceEntry | undefined {
    const slot = this.slots.get(model.toLowerCase());
    let base: PriceEntry | undefined;
    // Override layer: exact entries and glob entries compete on effectiveFrom; config order breaks ties.
    let best: OverrideEntry | undefined;
    for (const o of slot?.override ?? []) {
      if (o.entry.effectiveFrom <= day && inScope(o.scope, provider) && beats(o, best)) best = o;
    }
    for (const g of this.globOverrides) {
      if (g.entry.effectiveFrom <= day && inScope(g.scope, provider) && g.re.test(model) && beats(g, best))
        best = g;
    }
    // A glob override's entry is a template: it prices each matching model under that model's own id.
    if (best !== undefined) base = 're' in best ? { ...best.entry, id: model } : best.entry;
    base ??= latestInForce(slot?.imported, day) ?? latestInForce(slot?.bundled, day);
    if (base === undefined) return undefined;
    const d = this.discountFor(base.id, day, provider);
    return d === undefined ? base : this.discounted(base, d);
  }

  private discountFor(id: string, day: string, provider: string | undefined): Discount | undefined {
    let best: Discount | undefined;
    const lower = id.toLowerCase();
    for (const d of this.discounts) {
      if (d.effectiveFrom > day || !inScope(d.scope, provider)) continue;
      const hit = d.id !== undefined ? d.id.toLowerCase() === lower : d.re!.test(id);
      if (!hit) continue;
      if (
        best === undefined ||
        d.effectiveFrom > best.effectiveFrom ||
        (d.effectiveFrom === best.effectiveFrom && d.order > best.order)
      ) {
        best = d;
      }
    }
    return best;
  }

  private discounted(base: PriceEntry, d: Discount): PriceEntry {
    let perBase = this.derived.get(base);
    if (perBase === undefined) {
      perBase = new Map();
      this.derived.set(base, perBase);
    }
    const hit = perBase.get(d);
    if (hit !== undefined) return hit;
    const f = 1 - d.discount;
    const entry: PriceEntry = {
      ...base,
      // The derived price starts when both the list price and the discount are in force.
      effectiveFrom: base.effectiveFrom > d.effectiveFrom ? base.effectiveFrom : d.effectiveFrom,
      source: `${base.source}; ${formatPercent(d.discount)} discount (${d.label})`,
      prices: scalePrices(base.prices, f),
      discount: d.discount,
    };
    if (base.batch) entry.batch = scalePrices(base.batch, f);
    if (base.tiers) {
      entry.tiers = base.tiers.map((t) => {
        const tier = { ...t, prices: scalePrices(t.prices, f) };
        if (t.batch) tier.batch = scalePrices(t.batch, f);
        return tier;
      });
    }
    perBase.set(d, entry);
    return entry;
  }

  private slot(id: string): Slot {
    const key = id.toLowerCase();
    let s = this.slots.get(key);
    if (s === undefined) {
      s = { bundled: [], imported: [], override: [] };
      this.slots.set(key, s);
    }
    return s;
  }

  /**
   * Imported entries named by a bundled alias (LiteLLM's `claude-sonnet-4-20250514`) move to the bundled
   * canonical id (`claude-sonnet-4`) when the import has no entry of that id and the provider agrees, so
   * an import refreshes the price without splitting a model across two ids in reports. When several aliases
   * qualify, the one stating the most price kinds moves (file order breaks ties); the others stay as they are.
   */
  private rekeyImported(entries: readonly PriceEntry[]): PriceEntry[] {
    const importedIds = new Set(entries.map((e) => e.id.toLowerCase()));
    const bundledProvider = new Map<string, string>();
    for (const s of this.slots.values()) for (const e of s.bundled) bundledProvider.set(e.id, e.provider);
    const chosen = new Map<string, number>(); // canonical id → index of the entry that moves
    entries.forEach((e, i) => {
      const canonical = this.bundledTable.exact(e.id);
      if (canonical === undefined || canonical.toLowerCase() === e.id.toLowerCase()) return;
      if (importedIds.has(canonical.toLowerCase()) || bundledProvider.get(canonical) !== e.provider) return;
      const prev = chosen.get(canonical);
      if (prev === undefined || priceKinds(e) > priceKinds(entries[prev]!)) chosen.set(canonical, i);
    });
    const moves = new Map<number, string>([...chosen].map(([id, i]) => [i, id]));
    return entries.map((e, i) => {
      const canonical = moves.get(i);
      return canonical === undefined ? e : { ...e, id: canonical, aliases: [e.id, ...(e.aliases ?? [])] };
    });
  }

  private addOverride(o: PriceOverride, i: number, source: string): void {
    const where = `${source}: pricing override #${i + 1} (${JSON.stringify(o.model)})`;
    const model = typeof o.model === 'string' ? o.model.trim() : '';
    if (model.length === 0) throw new ConfigError(`${where}: model is required`);
    if (o.prices === undefined && o.discount === undefined) {
      throw new ConfigError(`${where}: give prices (own prices) or discount (fraction off the list price)`);
    }
    if (o.discount !== undefined && !(Number.isFinite(o.discount) && o.discount >= 0 && o.discount < 1)) {
      throw new ConfigError(`${where}: discount must be a fraction from 0 to below 1 (0.15 = 15 % off)`);
    }
    if (o.prices !== undefined) checkPrices(o.prices, `${where}: prices`, true);
    if (o.batch !== undefined) checkPrices(o.batch, `${where}: batch`, false);
    const effectiveFrom = o.effectiveFrom ?? DEFAULT_OVERRIDE_FROM;
    if (!ISO_DAY_RE.test(effectiveFrom) || Number.isNaN(Date.parse(effectiveFrom))) {
      throw new ConfigError(`${where}: effectiveFrom must be a date YYYY-MM-DD`);
    }
    const isGlob = /[*?]/.test(model);
    const re = isGlob ? globToRegExp(model) : undefined;
    const canonical = isGlob
      ? undefined
      : (this.bundledTable.resolve(model) ?? this.importedTable.resolve(model));
    const scope = o.provider;

    if (o.prices !== undefined) {
      const known = canonical === undefined ? undefined : this.anyEntry(canonical);
      const entry: PriceEntry = {
        id: canonical ?? model,
        provider: o.provider ?? known?.provider ?? 'custom',
        mode: o.mode ?? known?.mode ?? 'chat',
        effectiveFrom,
        source: `${source} pricing override #${i + 1}`,
        prices: { ...o.prices },
        layer: 'override',
      };
      if (o.batch !== undefined) entry.batch = { ...o.batch };
      if (re !== undefined) {
        this.globOverrides.push({ entry, scope, order: i, re });
      } else {
        this.slot(entry.id).override.push({ entry, scope, order: i });
        if (canonical === undefined) this.privateNames.set(model.toLowerCase(), { id: model, scope });
      }
    }
    if (o.discount !== undefined) {
      this.discounts.push({
        ...(re !== undefined ? { re } : { id: canonical ?? model }),
        discount: o.discount,
        effectiveFrom,
        scope,
        order: i,
        label: `${source} pricing override #${i + 1}`,
      });
    }
  }

  private anyEntry(id: string): PriceEntry | undefined {
    const s = this.slots.get(id.toLowerCase());
    return s?.imported[0] ?? s?.bundled[0];
  }
}

/** How many prices an entry states (base kinds + tiers' kinds): the richer of two equal sources wins. */
function priceKinds(e: PriceEntry): number {
  let n = Object.keys(e.prices).length + Object.keys(e.batch ?? {}).length;
  for (const t of e.tiers ?? []) n += Object.keys(t.prices).length;
  return n;
}

function byEffectiveFrom(a: PriceEntry, b: PriceEntry): number {
  return a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0;
}

/** The last entry (list sorted ascending) with effectiveFrom ≤ day. */
function latestInForce(list: readonly PriceEntry[] | undefined, day: string): PriceEntry | undefined {
  if (list === undefined) return undefined;
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.effectiveFrom <= day) return list[i];
  return undefined;
}

function beats(o: OverrideEntry, best: OverrideEntry | undefined): boolean {
  if (best === undefined) return true;
  if (o.entry.effectiveFrom !== best.entry.effectiveFrom)
    return o.entry.effectiveFrom > best.entry.effectiveFrom;
  return o.order > best.order;
}

/** An override scoped to a provider applies only to lookups for that provider. */
function inScope(scope: string | undefined, provider: string | undefined): boolean {
  return scope === undefined || (provider !== undefined && scope.toLowerCase() === provider.toLowerCase());
}

/** `gpt-4o*` → /^gpt-4o.*$/i: `*` any run of characters, `?` one character, nothing else special. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

function scalePrices<T extends Partial<Prices>>(p: T, f: number): T {
  const out = { ...p };
  for (const k of Object.keys(out) as (keyof Prices)[]) {
    const v = out[k];
    if (typeof v === 'number') (out as Partial<Prices>)[k] = v * f;
  }
  return out;
}

function checkPrices(p: Partial<Prices>, where: string, full: boolean): void {
  if (typeof p !== 'object' || p === null) throw new ConfigError(`${where}: expected an object of prices`);
  if (full && (p.input === undefined || p.output === undefined)) {
    throw new ConfigError(`${where}: input and output prices (USD per 1M tokens) are required`);
  }
  for (const [k, v] of Object.entries(p)) {
    if (!['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h'].includes(k)) {
      throw new ConfigError(`${where}: unknown price kind ${k}`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ConfigError(`${where}.${k}: expected a non-negative number (USD per 1M tokens)`);
    }
  }
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))} %`;
}

function describeLayers(
  bundledCount: number,
  imported: ImportedCatalog | undefined,
  importedCount: number,
  overrides: readonly PriceOverride[] | undefined,
  overridesSource: string,
): { source: string; snapshot: string } {
  const parts = [`bundled (${CATALOG_SNAPSHOT}, ${bundledCount} prices)`];
  let snapshot = CATALOG_SNAPSHOT;
  if (imported !== undefined) {
    const day = imported.meta.importedAt.slice(0, 10);
    const scope = imported.meta.effectiveFrom
      ? `in force from ${imported.meta.effectiveFrom}`
      : 'undated: applies to all dates';
    parts.push(
      `imported ${imported.path} (${imported.meta.source}, imported ${day}, ${importedCount} prices, ${scope})`,
    );
    if (ISO_DAY_RE.test(day) && day > snapshot) snapshot = day;
  }
  const n = overrides?.length ?? 0;
  if (n > 0) parts.push(`${n} override${n === 1 ? '' : 's'} (${overridesSource})`);
  return { source: parts.join(' + '), snapshot };
}
