import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { HEAD_BYTES } from '../../src/io/input.ts';
import { anthropicUsageParser as parser } from '../../src/parsers/anthropic-usage.ts';
import { FOREIGN_HEADS, parseFile, SAMPLES_DIR, sampleFiles, tempFile } from '../helpers/parse.ts';

// The samples are written from the published schema of GET /v1/organizations/usage_report/messages (Anthropic
// API reference), not copied from a real export; the first result carries the reference example's numbers.
const dir = join(SAMPLES_DIR, 'anthropic-usage');
const MESSAGES = join(dir, 'usage-report-messages.json');
const UNGROUPED = join(dir, 'usage-report-ungrouped.jsonl');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  day: r.start.slice(0, 10),
  model: r.modelRaw,
  tier: r.serviceTier,
  project: r.dims.project,
  window: r.tags.context_window,
  ...r.tokens,
});

describe('anthropic-usage: messages usage report', () => {
  it('copies the disjoint buckets: input = uncached, cacheWrite = 5m + 1h, cacheWrite1h = 1h', async () => {
    const { records, problems } = await parseFile(parser, MESSAGES);
    expect(problems).toEqual([]);
    // One row per record, as a table.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // the reference example: 1500 uncached, 200 read, 500 (5m) + 1000 (1h) written, 500 out
      { line: 6, day: '2025-08-01', model: 'claude-sonnet-4-20250514', tier: 'standard', project: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', window: '0-200k', input: 1500, cacheRead: 200, cacheWrite: 1500, cacheWrite1h: 1000, output: 500 },
      { line: 23, day: '2025-08-01', model: 'claude-sonnet-4-20250514', tier: 'standard', project: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', window: '200k-1M', input: 2_400_000, cacheRead: 800_000, cacheWrite: 120_000, cacheWrite1h: 0, output: 90_000 },
      { line: 40, day: '2025-08-01', model: 'claude-haiku-4-5-20251001', tier: 'batch', project: 'wrkspc_01BatchJobs7Qm3XcV9pKd2', window: '0-200k', input: 6_000_000, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 1_200_000 },
      // default workspace: workspace_id null → no project
      { line: 57, day: '2025-08-01', model: 'claude-opus-4-1-20250805', tier: 'standard', project: undefined, window: '0-200k', input: 50_000, cacheRead: 400_000, cacheWrite: 50_000, cacheWrite1h: 20_000, output: 40_000 },
      { line: 80, day: '2025-08-02', model: 'claude-sonnet-4-20250514', tier: 'standard', project: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', window: '0-200k', input: 1_000_000, cacheRead: 3_000_000, cacheWrite: 150_000, cacheWrite1h: 50_000, output: 250_000 },
    ]);
    const lines = readFileSync(MESSAGES, 'utf8').split('\n');
    for (const r of records) {
      expect(lines[r.source.line - 1]!.trim()).toBe('{');
      expect(lines[r.source.line]!.trim()).toMatch(/^"api_key_id"/);
      expect(UsageRecordSchema.safeParse(r).success).toBe(true);
    }
  });

  it('does not invent a request count: requests 0, tagged requests_unknown', async () => {
    const { records } = await parseFile(parser, MESSAGES);
    for (const r of records) {
      expect(r.requests).toBe(0);
      expect(r.tags.requests_unknown).toBe('true');
    }
  });

  it('fills dims, tier, tags and the bucket range', async () => {
    const { records } = await parseFile(parser, MESSAGES);
    expect(records[0]).toMatchObject({
      start: '2025-08-01T00:00:00.000Z',
      end: '2025-08-02T00:00:00.000Z',
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      operation: 'chat',
      serviceTier: 'standard',
      dims: { project: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', apiKey: 'apikey_01Rj2N8SVvo6BePZj99NhmiT' },
      tags: { requests_unknown: 'true', context_window: '0-200k', web_search_requests: '10' },
      source: { file: MESSAGES, line: 6, format: 'anthropic-usage' },
    });
    expect(records[2]!.dims.apiKey).toBe('apikey_01BatchRunner4hT8sLqW2zY');
  });

  it('reads an export not grouped by model as (not grouped by model), one record per JSON Lines page', async () => {
    const { records, problems } = await parseFile(parser, UNGROUPED);
    expect(problems).toEqual([]);
    // One row per record, as a table.
    // prettier-ignore
    expect(records.map(row)).toEqual([
      { line: 1, day: '2025-08-01', model: '(not grouped by model)', tier: undefined, project: undefined, window: undefined, input: 8_451_500, cacheRead: 1_200_200, cacheWrite: 171_500, cacheWrite1h: 21_000, output: 1_330_500 },
      { line: 2, day: '2025-08-02', model: '(not grouped by model)', tier: undefined, project: undefined, window: undefined, input: 1_000_000, cacheRead: 3_000_000, cacheWrite: 150_000, cacheWrite1h: 50_000, output: 250_000 },
    ]);
    expect(records.map((r) => r.dims)).toEqual([{}, {}]);
  });
});

describe('anthropic-usage: dedupKey', () => {
  it('is the same for the same result read from two files, different across groups', async () => {
    const a = await parseFile(parser, MESSAGES);
    const compact = JSON.stringify(JSON.parse(readFileSync(MESSAGES, 'utf8')));
    const b = await parseFile(parser, tempFile('copy.jsonl', compact + '\n'));
    expect(b.records.map((r) => r.dedupKey)).toEqual(a.records.map((r) => r.dedupKey));
    // results 1 and 2 differ only in context_window
    expect(new Set(a.records.map((r) => r.dedupKey)).size).toBe(a.records.length);
    // the 2025-08-02 bucket of the grouped and the ungrouped export are different groups
    const u = await parseFile(parser, UNGROUPED);
    expect(u.records[1]!.dedupKey).not.toBe(a.records[4]!.dedupKey);
  });
});

describe('anthropic-usage: bad input', () => {
  it('reports bad results at their lines', async () => {
    const ok = {
      uncached_input_tokens: 10,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
      output_tokens: 1,
      model: 'claude-sonnet-4-20250514',
    };
    const text = [
      JSON.stringify({
        data: [
          {
            starting_at: '2025-08-01T00:00:00Z',
            ending_at: '2025-08-02T00:00:00Z',
            results: [
              ok,
              { ...ok, output_tokens: -1 },
              { ...ok, cache_creation: 5 },
              { ...ok, cache_creation: { ephemeral_1h_input_tokens: 1.5 } },
              { ...ok, uncached_input_tokens: '12' },
            ],
          },
        ],
      }),
      JSON.stringify({ data: [{ ending_at: '2025-08-03T00:00:00Z', results: [ok] }] }),
      '{"data": [{"starting_at": "2025-08-01T00:00:00Z", "results": [',
    ].join('\n');
    const file = tempFile('bad-usage.jsonl', text);
    const { records, problems } = await parseFile(parser, file);
    // digit strings are accepted as counts
    expect(records.map((r) => r.tokens.input)).toEqual([10, 12]);
    expect(problems).toEqual([
      { file, line: 1, reason: 'output_tokens is negative: -1' },
      { file, line: 1, reason: 'cache_creation is not an object' },
      { file, line: 1, reason: 'cache_creation.ephemeral_1h_input_tokens is not a whole number: 1.5' },
      { file, line: 2, reason: `no starting_at; the bucket's 1 result skipped` },
      { file, line: 3, reason: 'the value is not closed: the input ends inside it' },
    ]);
  });
});

describe('anthropic-usage: detection', () => {
  it('claims its own samples (≥ 0.9) and no other format (< 0.5)', () => {
    const files = sampleFiles();
    expect(files.filter((f) => f.format === 'anthropic-usage')).toHaveLength(2);
    for (const f of files) {
      const head = readFileSync(f.path).subarray(0, HEAD_BYTES).toString('utf8');
      const score = parser.detect(head, f.path);
      if (f.format === 'anthropic-usage') expect(score, f.path).toBeGreaterThanOrEqual(0.9);
      else expect(score, f.path).toBeLessThan(0.5);
    }
    for (const [format, head] of Object.entries(FOREIGN_HEADS))
      expect(parser.detect(head, 'x.jsonl'), format).toBeLessThan(0.5);
  });

  it('does not take the cost report\'s "token_type": "uncached_input_tokens" value for the key', () => {
    expect(
      parser.detect(
        '{"data":[{"starting_at":"2025-08-01T00:00:00Z","results":[{"token_type": "uncached_input_tokens"}]}]}',
        'x.json',
      ),
    ).toBe(0);
  });
});
