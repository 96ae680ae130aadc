import type { ParseItem, SourceRef, UsageRecord } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import type { JsonValueItem } from '../io/json-values.ts';
import { elementLines, jsonValues } from '../io/json-values.ts';
import { isObject, problem, rec, RowError, rowFailure, toIsoInstant } from './util.ts';

/**
 * The four Admin/organization API reports (OpenAI usage and costs, Anthropic usage and cost) share one shape:
 * a page `{ data: [bucket…] }`, each bucket `{ <start>, <end>, results: [result…] }`. This module walks pages;
 * each parser only turns one result into a record.
 */

/**
 * Model name for a usage result of an export that was not grouped by model. The pricer has no price for it, so
 * its tokens land in the `unpriced` line (visible, never priced at a guessed rate); group by model to price them.
 */
export const NOT_GROUPED_BY_MODEL = '(not grouped by model)';

/** Model name of a cost line that names no model (export not grouped by model / line item, or a non-model cost). */
export const ALL_MODELS = '(all models)';

/** A bucket's time range, as ISO instants. */
export interface BucketTimes {
  start: string;
  end?: string;
}

/** How one bucketed report is read. */
export interface ReportSpec {
  /** Parser id, for `source.format`. */
  format: string;
  /** What a page is, for messages: "an OpenAI usage page". */
  label: string;
  /** Bucket time fields: `start_time`/`end_time` (epoch seconds) or `starting_at`/`ending_at` (RFC 3339). */
  startKey: string;
  endKey: string;
  /** One result → one record; throws RowError (with a reason a user can act on) for a bad result. */
  toRecord(result: Record<string, unknown>, bucket: BucketTimes, source: SourceRef): UsageRecord;
}

/**
 * Streams a file of report pages (one page, JSON Lines of pages, pages pasted one after another, or an array of
 * pages or of bare buckets) as records, one per result, each traced to the line of its result object.
 */
export async function* parseReportPages(input: InputSource, spec: ReportSpec): AsyncIterable<ParseItem[]> {
  for await (const batch of jsonValues(input.chunks())) {
    const out: ParseItem[] = [];
    for (const item of batch) readValue(item, spec, input.name, out);
    if (out.length > 0) yield out;
  }
}

function readValue(item: JsonValueItem, spec: ReportSpec, file: string, out: ParseItem[]): void {
  if (item.error !== undefined) {
    // jsonValues' messages stand on their own ("not JSON: …", "invalid JSON: …", "the line ends inside a string").
    out.push(problem(file, item.line, item.error));
    return;
  }
  const v = item.value;
  let buckets: unknown[];
  let prefix: string[];
  if (isObject(v) && Array.isArray(v.data)) {
    buckets = v.data;
    prefix = ['data', '*'];
  } else if (isObject(v) && Array.isArray(v.results) && spec.startKey in v) {
    // A bare bucket: an element of a saved `data` array. Unambiguous, since it carries its own time range.
    buckets = [v];
    prefix = [];
  } else if (isObject(v) && isObject(v.error)) {
    const msg = typeof v.error.message === 'string' ? v.error.message : JSON.stringify(v.error);
    out.push(problem(file, item.line, `the API returned an error, not a page: ${msg}`));
    return;
  } else {
    out.push(
      problem(file, item.line, `not ${spec.label}: expected an object with a "data" array of buckets`),
    );
    return;
  }

  // Lines are found by re-scanning the page text (not needed when it is one line, as in JSON Lines). They are
  // trusted only when they line up one-to-one with the parsed results (duplicate keys in a hand-edited file
  // could make them differ: then the page line is used).
  const multiLine = item.text.includes('\n');
  let resultLines: number[] | undefined;
  if (multiLine) {
    let expected = 0;
    for (const b of buckets) if (isObject(b) && Array.isArray(b.results)) expected += b.results.length;
    resultLines = elementLines(item.text, item.line, [...prefix, 'results', '*']);
    if (resultLines.length !== expected) resultLines = undefined;
  }
  let bucketLines: number[] | undefined;
  const bucketLine = (b: number): number => {
    if (!multiLine || prefix.length === 0) return item.line;
    bucketLines ??= elementLines(item.text, item.line, prefix);
    return bucketLines.length === buckets.length ? (bucketLines[b] ?? item.line) : item.line;
  };

  let k = 0; // index of the result across the page, into resultLines
  for (let b = 0; b < buckets.length; b++) {
    const bucket = buckets[b];
    if (!isObject(bucket) || !Array.isArray(bucket.results)) {
      out.push(problem(file, bucketLine(b), `bucket ${b + 1} of the page has no "results" array`));
      continue;
    }
    const results = bucket.results;
    let times: BucketTimes;
    try {
      times = { start: toIsoInstant(bucket[spec.startKey], spec.startKey) };
      const end = bucket[spec.endKey];
      if (end !== undefined && end !== null) times.end = toIsoInstant(end, spec.endKey);
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      const n = results.length;
      out.push(
        problem(file, bucketLine(b), `${e.message}; the bucket's ${n} result${n === 1 ? '' : 's'} skipped`),
      );
      k += n;
      continue;
    }
    for (const r of results) {
      const line = resultLines?.[k] ?? bucketLine(b);
      k++;
      if (!isObject(r)) {
        out.push(problem(file, line, 'result is not an object'));
        continue;
      }
      try {
        out.push(rec(spec.toRecord(r, times, { file, line, format: spec.format })));
      } catch (e) {
        out.push(problem(file, line, rowFailure(e)));
      }
    }
  }
}

/**
 * A stable de-duplication key: the format, the bucket, and every group-by value (null when absent), i.e.
 * `${format}:${JSON.stringify([bucket.start, bucket.end ?? null, ...values])}`, written out without the array.
 */
export function reportDedupKey(
  format: string,
  bucket: BucketTimes,
  result: Record<string, unknown>,
  fields: readonly string[],
): string {
  let key = `${format}:[${jsonString(bucket.start)},${bucket.end === undefined ? 'null' : jsonString(bucket.end)}`;
  for (const f of fields) key += ',' + jsonElement(result[f]);
  return key + ']';
}

/** `JSON.stringify(v)` as an element of an array (undefined, functions and symbols become `null`). */
export function jsonElement(v: unknown): string {
  if (typeof v === 'string') return jsonString(v);
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  return JSON.stringify([v]).slice(1, -1);
}

/**
 * `JSON.stringify(s)` for a string: the text in quotes as it stands when nothing in it needs escaping (no quote,
 * backslash, control character or surrogate), which is what group-by values and instants are.
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}
