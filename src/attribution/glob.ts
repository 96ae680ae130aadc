/**
 * Case-insensitive wildcard match: `*` matches any run (also empty), `?` one character, everything else
 * itself. Iterative with a single back-track point, so it runs in O(|text| × |pattern|) at worst and can
 * never backtrack catastrophically the way a regex built from user globs can.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const c = p.charCodeAt(pi);
    if (pi < p.length && (c === 63 /* ? */ || c === t.charCodeAt(ti))) {
      pi++;
      ti++;
    } else if (pi < p.length && c === 42 /* * */) {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === 42) pi++;
  return pi === p.length;
}

/** True when any of the globs matches `text`; a missing value never matches. */
export function anyGlob(globs: string | readonly string[], text: string | undefined): boolean {
  if (text === undefined) return false;
  if (typeof globs === 'string') return globMatch(globs, text);
  return globs.some((g) => globMatch(g, text));
}
