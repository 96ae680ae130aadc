import { readFileSync } from 'node:fs';

/**
 * finops's own version, from its package.json. Looked up from this module's location, which differs between the
 * TypeScript sources (src/core/) and the bundle (dist/): the first package.json named `finops` going up wins.
 */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'finops' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: try the next level up
    }
  }
  return '0.0.0';
})();
