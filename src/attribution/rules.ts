import type { Dims, UsageRecord } from '../core/record.ts';
import type { Match, Rule } from '../config/schema.ts';
import { anyGlob } from './glob.ts';

/** Dimensions that attribution fills with the default when nothing else did. */
export const ATTRIBUTED_DIMS = ['app', 'team', 'workflow', 'environment'] as const;

/** Compiled attribution: applies rules in order, then the default. */
export interface Attributor {
  /** Fills `record.dims` in place (the source's own values are kept) and returns it. */
  attribute(record: UsageRecord): UsageRecord;
}

/** Builds the rule engine from `attribution.rules` and `attribution.default`. */
export function createAttributor(rules: readonly Rule[], fallback: string): Attributor {
  const compiled = rules.map((r) => ({
    test: compileMatch(r.match),
    set: Object.entries(r.set) as [keyof Dims, string][],
  }));
  return {
    attribute(record) {
      const dims = record.dims;
      for (const rule of compiled) {
        if (!rule.test(record)) continue;
        // First writer wins per dimension: the source, then earlier rules, then later ones.
        for (const [k, v] of rule.set) if (dims[k] === undefined) dims[k] = v;
      }
      for (const k of ATTRIBUTED_DIMS) if (dims[k] === undefined) dims[k] = fallback;
      return record;
    },
  };
}

type Test = (r: UsageRecord) => boolean;

function compileMatch(m: Match): Test {
  const tests: Test[] = [];
  if (m.provider) tests.push((r) => anyGlob(m.provider!, r.provider));
  // A model rule matches the canonical id or the source's own string, so both `gpt-4o*` and a dated id work.
  if (m.model) tests.push((r) => anyGlob(m.model!, r.model) || anyGlob(m.model!, r.modelRaw));
  if (m.format) tests.push((r) => anyGlob(m.format!, r.source.format));
  for (const k of ['project', 'apiKey', 'user', 'app', 'team', 'workflow', 'environment'] as const) {
    const g = m[k];
    if (g) tests.push((r) => anyGlob(g, r.dims[k]));
  }
  if (m.tags) {
    for (const [key, g] of Object.entries(m.tags)) {
      tests.push((r) => anyGlob(g, Object.hasOwn(r.tags, key) ? r.tags[key] : undefined));
    }
  }
  return (r) => tests.every((t) => t(r));
}
