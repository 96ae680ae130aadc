/** Public API of the pricing module: catalog, price book, alias resolution, cost, LiteLLM import. */
export type { PriceEntry, PriceLayer, PriceOverride, PriceTier, Prices } from './types.ts';
export { BUNDLED_CATALOG, CATALOG_SNAPSHOT } from './catalog-data.ts';
export { createPriceBook, globToRegExp, loadPriceBook, utcDay } from './price-book.ts';
export type { LoadPriceBookOptions, PriceBook, PriceBookLayers } from './price-book.ts';
export { AliasTable, candidateIds } from './resolve.ts';
export { costOf, DEFAULT_BATCH_FACTOR, isBatchTier, priceKey, ratesFor, tierIndex } from './cost.ts';
export type { EffectiveRates } from './cost.ts';
export { importLiteLLM, mapLiteLLMProvider, UNDATED_EFFECTIVE_FROM } from './litellm.ts';
export type { LiteLLMImport } from './litellm.ts';
export {
  defaultImportedCatalogPath,
  IMPORTED_CATALOG_FORMAT,
  IMPORTED_CATALOG_VERSION,
  ImportedCatalogMetaSchema,
  PriceEntrySchema,
  readImportedCatalog,
  writeImportedCatalog,
} from './imported-catalog.ts';
export type { ImportedCatalog, ImportedCatalogMeta } from './imported-catalog.ts';
