import type { PriceEntry } from './types.ts';

/**
 * Alias resolution: a source's model string → a catalog id, by rules only (never substring or fuzzy
 * matching: `gpt-4o` must never price `gpt-4o-mini`, and `ft:gpt-4o-mini:acme::abc` stays unknown).
 */

/** `openai/`, `anthropic/`, `models/` … : a leading gateway/provider path segment. */
const PROVIDER_PREFIXES = [
  'openai',
  'anthropic',
  'models',
  'google',
  'googleai',
  'gemini',
  'vertex_ai',
  'vertex-ai',
  'vertex',
  'bedrock',
  'bedrock_converse',
  'aws-bedrock',
  'azure',
  'azure-openai',
  'azure_openai',
  'mistral',
  'mistralai',
  'meta',
];
const PROVIDER_PREFIX_RE = new RegExp(`^(?:${PROVIDER_PREFIXES.map(escapeRe).join('|')})/`);
/** Vertex resource names: `projects/p/locations/l/publishers/google/models/gemini-2.5-pro`. */
const VERTEX_RESOURCE_RE = /^(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/[^/]+\/models\//;
/** Bedrock cross-region inference profile prefix (`us.`, `eu.`, `apac.`, `global.` …). */
const BEDROCK_REGION_RE = /^(?:us|eu|apac|au|jp|ca|us-gov|global)\./;
/** Bedrock vendor prefix (`anthropic.`, `meta.` …). */
const BEDROCK_VENDOR_RE = /^(?:anthropic|meta|mistral|amazon|cohere|ai21|openai|deepseek|qwen)\./;
/** Bedrock version suffix: `-v1:0`, `-v2:0`, `-v1`. */
const BEDROCK_VERSION_RE = /-v\d+(?::\d+)?$/;
/** A trailing snapshot date: `-2024-08-06`, `-20250514`, or Vertex's `@20250514`. */
const DATE_SUFFIX_RE = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8})$/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The strings to try for a raw model id, in order: as given, lower-cased, then after each rule that applies
 * (provider prefix, Vertex resource path, Bedrock region / vendor / version, trailing date). Each step
 * keeps the previous ones' result, so `us.anthropic.claude-sonnet-4-20250514-v1:0` ends at `claude-sonnet-4`.
 */
export function candidateIds(modelRaw: string): string[] {
  const out: string[] = [];
  const push = (s: string): void => {
    if (s.length > 0 && !out.includes(s)) out.push(s);
  };
  const trimmed = modelRaw.trim();
  push(trimmed);
  let s = trimmed.toLowerCase();
  push(s);
  // Prefixes may stack (`bedrock/us.anthropic.…`, `openrouter`-style `vertex_ai/models/…`): strip repeatedly.
  for (let guard = 0; guard < 4; guard++) {
    const before = s;
    s = s.replace(VERTEX_RESOURCE_RE, '');
    s = s.replace(PROVIDER_PREFIX_RE, '');
    if (s === before) break;
    push(s);
  }
  if (BEDROCK_REGION_RE.test(s)) {
    s = s.replace(BEDROCK_REGION_RE, '');
    push(s);
  }
  if (BEDROCK_VENDOR_RE.test(s)) {
    s = s.replace(BEDROCK_VENDOR_RE, '');
    push(s);
  }
  if (BEDROCK_VERSION_RE.test(s)) {
    s = s.replace(BEDROCK_VERSION_RE, '');
    push(s);
  }
  // The date rule comes last, so a dated id with an entry (or alias) of its own is found first.
  if (DATE_SUFFIX_RE.test(s)) push(s.replace(DATE_SUFFIX_RE, ''));
  return out;
}

/** Lower-cased id/alias → canonical id, for one or more layers of entries. */
export class AliasTable {
  private readonly ids = new Map<string, string>();
  private readonly aliases = new Map<string, string>();

  /** Adds entries' ids and aliases; an id or alias already present keeps its first target. */
  add(entries: Iterable<PriceEntry>): this {
    for (const e of entries) {
      const id = e.id.toLowerCase();
      if (!this.ids.has(id)) this.ids.set(id, e.id);
    }
    for (const e of entries) {
      for (const a of e.aliases ?? []) {
        const key = a.toLowerCase();
        if (!this.aliases.has(key)) this.aliases.set(key, e.id);
      }
    }
    return this;
  }

  /** The canonical id for one exact candidate (id first, then alias), or undefined. */
  exact(candidate: string): string | undefined {
    const key = candidate.toLowerCase();
    return this.ids.get(key) ?? this.aliases.get(key);
  }

  /** Resolves a raw model id by the rules of `candidateIds`; undefined when no candidate is known. */
  resolve(modelRaw: string): string | undefined {
    for (const c of candidateIds(modelRaw)) {
      const hit = this.exact(c);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}
