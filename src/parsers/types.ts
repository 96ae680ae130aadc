import type { ParseItem } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';

/**
 * One input format. See src/parsers/README.md for the contract every parser keeps.
 */
export interface Parser {
  /** Stable id, shown by `finops formats` and stored in `source.format`. */
  id: string;
  /** One line: what the format is. */
  title: string;
  /** One line: how `detect` recognises it (shown by `finops formats`). */
  detection: string;
  /** Where users get such a file. */
  origin: string;
  /**
   * Confidence 0..1 that `head` (the first 64 KiB, decoded, BOM removed) is this format. `file` is the
   * path, for a hint only: content decides. 0 means "not mine"; ≥ 0.5 is needed to be chosen.
   */
  detect(head: string, file: string): number;
  /**
   * Optional, for speed: true only when `head` can be no other format (its first record has this format's whole
   * shape). Checked before any `detect`, so a directory of thousands of one format's files is not run through
   * every detector; it must never be true for a head another parser would claim with a higher confidence.
   */
  claims?(head: string): boolean;
  /**
   * Streams the input as batches of items: one record per usage row (or per result inside a bucket),
   * one problem per row that cannot be used. Never throws for a bad row; throws `InputError` only when
   * the input as a whole cannot be read.
   */
  parse(input: InputSource): AsyncIterable<ParseItem[]>;
}
