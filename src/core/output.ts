/** Version of the JSON documents finops prints; bumped only on a breaking change. */
export const SCHEMA_VERSION = 1;

/** Money in JSON: USD rounded to a millionth of a dollar (removes float noise, keeps sub-cent detail). */
export function money(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
