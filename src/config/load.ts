import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { PriceOverride } from '../pricing/types.ts';
import { ConfigSchema, type Config } from './schema.ts';

/** Config files looked for in the working directory, in order. */
export const CONFIG_FILES = ['finops.yaml', 'finops.yml', '.finops.yaml'] as const;

/** A loaded, validated config and where it came from (`file` undefined: defaults, no file found). */
export interface LoadedConfig {
  config: Config;
  file?: string;
}

/** Loads `explicit` (error if missing) or the first of CONFIG_FILES in `cwd`; defaults when there is none. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  let file: string | undefined;
  if (explicit) {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(`${explicit}: config file not found`);
  } else {
    file = CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  }
  if (!file) return { config: ConfigSchema.parse({}) };
  const text = await readFile(file, 'utf8');
  return { config: parseConfig(text, file), file };
}

/** Parses and validates config text; errors name the file and the key path. */
export function parseConfig(text: string, file: string): Config {
  let raw: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs"); a config never needs more.
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    raw = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(formatIssues(file, r.error.issues));
  if (r.data.timezone) checkTimezone(r.data.timezone, `${file}: timezone`);
  if (r.data.pricing.catalog) r.data.pricing.catalog = resolve(dirname(file), r.data.pricing.catalog);
  return r.data;
}

function formatIssues(file: string, issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `${file}: ${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('\n');
}

/** Throws ConfigError unless `tz` is an IANA zone this Node knows. */
export function checkTimezone(tz: string, where: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ConfigError(
      `${where}: unknown time zone "${tz}" (use an IANA name such as Europe/Berlin or UTC)`,
    );
  }
}

/** The pricing overrides of a config, in the pricer's terms. */
export function priceOverrides(config: Config): PriceOverride[] {
  return config.pricing.overrides.map((o) => {
    const out: PriceOverride = { model: o.model };
    if (o.provider !== undefined) out.provider = o.provider;
    if (o.discount !== undefined) out.discount = o.discount;
    if (o.input !== undefined && o.output !== undefined) {
      out.prices = { input: o.input, output: o.output };
      if (o.cache_read !== undefined) out.prices.cacheRead = o.cache_read;
      if (o.cache_write_5m !== undefined) out.prices.cacheWrite5m = o.cache_write_5m;
      if (o.cache_write_1h !== undefined) out.prices.cacheWrite1h = o.cache_write_1h;
      if (o.batch_input !== undefined || o.batch_output !== undefined) {
        out.batch = {};
        if (o.batch_input !== undefined) out.batch.input = o.batch_input;
        if (o.batch_output !== undefined) out.batch.output = o.batch_output;
      }
    }
    if (o.effective_from !== undefined) out.effectiveFrom = o.effective_from;
    if (o.mode !== undefined) out.mode = o.mode;
    return out;
  });
}
