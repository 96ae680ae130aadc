import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { PriceEntry } from './types.ts';

/**
 * The imported price layer on disk: what `finops pricing import` writes and `loadPriceBook` reads.
 * One JSON document `{ format, version, meta, entries }`; entries are `PriceEntry` with layer 'imported'.
 */

/** The `format` tag of an imported catalog file. */
export const IMPORTED_CATALOG_FORMAT = 'finops-prices';
/** The layout version of an imported catalog file; bumped on an incompatible change. */
export const IMPORTED_CATALOG_VERSION = 1;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');
const price = z.number().finite().nonnegative();

const PricesSchema = z.strictObject({
  input: price,
  output: price,
  cacheRead: price.optional(),
  cacheWrite5m: price.optional(),
  cacheWrite1h: price.optional(),
});
const PartialPricesSchema = PricesSchema.partial();

/** A PriceEntry as stored in an imported catalog file. */
export const PriceEntrySchema = z.strictObject({
  id: z.string().min(1),
  provider: z.string().min(1),
  mode: z.enum(['chat', 'embedding', 'completion', 'responses']),
  effectiveFrom: isoDay,
  source: z.string().min(1),
  prices: PricesSchema,
  batch: PartialPricesSchema.optional(),
  tiers: z
    .array(
      z.strictObject({
        aboveInputTokens: z.number().int().nonnegative(),
        prices: PricesSchema,
        batch: PartialPricesSchema.optional(),
      }),
    )
    .optional(),
  aliases: z.array(z.string().min(1)).optional(),
  layer: z.enum(['bundled', 'imported', 'override']),
  discount: z.number().min(0).max(1).optional(),
});

/** What the import recorded about itself; shown by `describe()` and `finops pricing list`. */
export const ImportedCatalogMetaSchema = z.strictObject({
  /** Where the prices came from (the file given to `finops pricing import`, or a URL). */
  source: z.string().min(1),
  /** ISO instant of the import. */
  importedAt: z.string().min(1),
  /** The `--effective-from` date given; absent or null: every entry applies from 1970-01-01. */
  effectiveFrom: isoDay.nullable().optional(),
  /** Entries skipped by the importer (image models, no per-token price …). */
  skipped: z.number().int().nonnegative().optional(),
});
/** What the import recorded about itself (see ImportedCatalogMetaSchema). */
export type ImportedCatalogMeta = z.infer<typeof ImportedCatalogMetaSchema>;

const ImportedCatalogSchema = z.strictObject({
  format: z.literal(IMPORTED_CATALOG_FORMAT),
  version: z.literal(IMPORTED_CATALOG_VERSION),
  meta: ImportedCatalogMetaSchema,
  entries: z.array(PriceEntrySchema),
});

/** An imported catalog as read back: its meta and its entries (all with layer 'imported'). */
export interface ImportedCatalog {
  path: string;
  meta: ImportedCatalogMeta;
  entries: PriceEntry[];
}

/**
 * Default path of the imported catalog: env `FINOPS_PRICES` if set, else `$FINOPS_HOME/prices.json` if
 * FINOPS_HOME is set, else `${XDG_DATA_HOME:-~/.local/share}/finops/prices.json`.
 */
export function defaultImportedCatalogPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FINOPS_PRICES) return env.FINOPS_PRICES;
  if (env.FINOPS_HOME) return join(env.FINOPS_HOME, 'prices.json');
  const dataHome = env.XDG_DATA_HOME ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(dataHome, 'finops', 'prices.json');
}

/**
 * Writes an imported catalog atomically (temp file in the same directory, then rename), creating the
 * directory; every entry is stored with layer 'imported'. Used by `finops pricing import … [--into PATH]`.
 */
export async function writeImportedCatalog(
  path: string,
  entries: readonly PriceEntry[],
  meta: ImportedCatalogMeta,
): Promise<void> {
  const doc = {
    format: IMPORTED_CATALOG_FORMAT,
    version: IMPORTED_CATALOG_VERSION,
    meta: ImportedCatalogMetaSchema.parse(meta),
    entries: entries.map((e) => ({ ...e, layer: 'imported' as const })),
  };
  // Validate before writing: a file we cannot read back must never replace a good one.
  ImportedCatalogSchema.parse(doc);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(doc, null, 1)}\n`, 'utf8');
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Reads an imported catalog. Returns undefined when the file does not exist and `missingOk`; throws
 * ConfigError naming the file when it is unreadable, not JSON, or not in the expected layout.
 */
export async function readImportedCatalog(
  path: string,
  missingOk = false,
): Promise<ImportedCatalog | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (missingOk && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`${path}: cannot read the imported price catalog: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: the imported price catalog is not valid JSON: ${(err as Error).message}`);
  }
  const r = ImportedCatalogSchema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(
      `${path}: not a finops imported price catalog (re-run \`finops pricing import\`): ${first.join('; ')}`,
    );
  }
  const entries: PriceEntry[] = r.data.entries.map((e) =>
    stripUndefined({ ...e, layer: 'imported' as const }),
  );
  return { path, meta: r.data.meta, entries };
}

// zod leaves absent optional keys absent, but a spread can carry `undefined`: keep entries tidy for deep-equal.
function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
