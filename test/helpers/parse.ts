import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { IgnoredRow, ParseItem, ParseProblem, UsageRecord } from '../../src/core/record.ts';
import { openInput, type InputSource } from '../../src/io/input.ts';
import type { Parser } from '../../src/parsers/types.ts';

/** Everything a parser yields for one input, records and problems apart, in order. */
export interface Parsed {
  records: UsageRecord[];
  problems: ParseProblem[];
  ignored: IgnoredRow[];
}

/** Opens `path` as the CLI does (openInput: gzip, BOM) and collects what `parser` yields from it. */
export async function parseFile(parser: Parser, path: string): Promise<Parsed> {
  const input = await openInput(path);
  const out: Parsed = { records: [], problems: [], ignored: [] };
  for await (const batch of parser.parse(input)) {
    for (const item of batch) {
      if (item.kind === 'record') out.records.push(item.record);
      else if (item.kind === 'problem') out.problems.push(item.problem);
      else out.ignored.push(item.ignored);
    }
  }
  return out;
}

export const SAMPLES_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'samples');

/** Every sample file under fixtures/samples/<format>/ (READMEs excluded), with the format its folder names. */
export function sampleFiles(): { format: string; path: string }[] {
  return readdirSync(SAMPLES_DIR, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.md'))
    .map((d) => {
      const path = join(d.parentPath, d.name);
      return { format: relative(SAMPLES_DIR, path).split(sep)[0]!, path };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Heads of line formats a JSON-report parser must not claim, written here so they exist whatever ships. */
export const FOREIGN_HEADS: Record<string, string> = {
  'request-log':
    '{"timestamp":"2026-10-01T09:15:10Z","provider":"anthropic","model":"claude-sonnet-4-5","usage":{"input_tokens":310,' +
    '"cache_read_input_tokens":5200,"cache_creation_input_tokens":0,"cache_creation":{"ephemeral_1h_input_tokens":0,' +
    '"ephemeral_5m_input_tokens":0},"output_tokens":640},"app":"sales-copilot","cost":0.0123}\n' +
    '{"timestamp":1759310400000,"provider":"openai","model":"gpt-4o","tokens":{"input":1,"output":2}}\n',
  'claude-code':
    '{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/home/dev/app","sessionId":"3b1f6c2e",' +
    '"version":"1.0.0","type":"assistant","message":{"id":"msg_01","type":"message","role":"assistant",' +
    '"model":"claude-sonnet-4-20250514","content":[],"usage":{"input_tokens":4,"cache_creation_input_tokens":2000,' +
    '"cache_read_input_tokens":10000,"cache_creation":{"ephemeral_5m_input_tokens":2000,"ephemeral_1h_input_tokens":0},' +
    '"output_tokens":120,"service_tier":"standard"}},"requestId":"req_01","timestamp":"2025-08-01T10:00:00.000Z"}\n',
};

/** Writes `text` to a new file `name` in a fresh temporary directory; returns its path. */
export function tempFile(name: string, text: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'finops-test-')), name);
  writeFileSync(path, text);
  return path;
}

/** The third-party samples in the workspace's shared/data (beside the repository, in CI as in development). */
export const SHARED_DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** An in-memory input whose chunks are `bytes` cut at `cuts` (byte offsets, any order). */
export function memInput(name: string, bytes: Buffer, cuts: number[] = []): InputSource {
  const at = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  return {
    name,
    head: bytes.subarray(0, 64 * 1024).toString('utf8'),
    async *chunks() {
      let prev = 0;
      for (const c of [...at, bytes.length]) {
        yield bytes.subarray(prev, c);
        prev = c;
      }
    },
  };
}

/** Every item of one parse in order, and the records and problems apart. */
export async function collect(parser: Parser, input: InputSource) {
  const items: ParseItem[] = [];
  for await (const batch of parser.parse(input)) items.push(...batch);
  const records: UsageRecord[] = [];
  const problems: ParseProblem[] = [];
  const ignored: IgnoredRow[] = [];
  for (const it of items) {
    if (it.kind === 'record') records.push(it.record);
    else if (it.kind === 'problem') problems.push(it.problem);
    else ignored.push(it.ignored);
  }
  return { items, records, problems, ignored };
}
