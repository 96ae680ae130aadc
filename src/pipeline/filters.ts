import { anyGlob } from '../attribution/glob.ts';
import { dimValue, type GroupDim } from '../analysis/aggregate.ts';
import type { UsageRecord } from '../core/record.ts';
import type { ZonedCalendar } from '../core/time.ts';

/** A `--filter key=glob` condition. */
export interface Filter {
  key: GroupDim | `tags.${string}`;
  glob: string;
}

/** A predicate for records matching all filter keys (a key repeated matches any of its globs). */
export function compileFilters(filters: readonly Filter[], cal: ZonedCalendar): (r: UsageRecord) => boolean {
  if (filters.length === 0) return () => true;
  // Same key repeated = any of its globs (OR); different keys = all must hold (AND).
  const byKey = new Map<string, string[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.glob]);
  const tests = [...byKey].map(([key, globs]) => {
    const get = valueOf(key, cal);
    return (r: UsageRecord) => anyGlob(globs, get(r));
  });
  return (r) => tests.every((t) => t(r));
}

function valueOf(key: string, cal: ZonedCalendar): (r: UsageRecord) => string | undefined {
  if (key.startsWith('tags.')) {
    const t = key.slice(5);
    return (r) => (Object.hasOwn(r.tags, t) ? r.tags[t] : undefined);
  }
  return (r) => dimValue(r, key as GroupDim, cal);
}
