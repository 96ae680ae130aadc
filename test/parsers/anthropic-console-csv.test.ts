import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/record.ts';
import { UsageRecordSchema } from '../../src/core/record.ts';
import { openInput } from '../../src/io/input.ts';
import { anthropicConsoleCsvParser as parser } from '../../src/parsers/anthropic-console-csv.ts';
import {
  collect,
  FOREIGN_HEADS,
  memInput,
  parseFile,
  SAMPLES_DIR,
  sampleFiles,
  SHARED_DATA,
} from '../helpers/parse.ts';

// No real download could be shipped: the samples carry the headers of real downloads as quoted in public
// projects, with hand-written rows (see fixtures/samples/anthropic-console-csv/README.md for how sure each is).
const dir = join(SAMPLES_DIR, 'anthropic-console-csv');
const DAILY = join(dir, 'claude_api_tokens_2026_03.csv');
const HOURLY = join(dir, 'claude_api_tokens_2026_03_31.csv');
const MID_2025 = join(dir, 'claude_api_tokens_2025_06.csv');
const OLD = join(dir, 'claude_api_tokens_2025_03.csv');
const COST = join(dir, 'claude_api_cost_2026_03.csv');

const row = (r: UsageRecord) => ({
  line: r.source.line,
  start: r.start,
  end: r.end,
  model: r.modelRaw,
  tier: r.serviceTier,
  project: r.dims.project,
  apiKey: r.dims.apiKey,
  ...r.tokens,
});

describe('anthropic-console-csv: detection', () => {
  it('claims its own samples with ≥ 0.9', async () => {
    for (const f of [DAILY, HOURLY, MID_2025, OLD, COST]) {
      const { head } = await openInput(f);
      expect(parser.detect(head, f), f).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('claims no other sample, no shared OpenAI file and no foreign head (< 0.5)', async () => {
    for (const s of sampleFiles().filter((x) => x.format !== 'anthropic-console-csv')) {
      const { head } = await openInput(s.path);
      expect(parser.detect(head, s.path), s.path).toBeLessThan(0.5);
    }
    const shared = join(SHARED_DATA, 'openai');
    for (const f of readdirSync(shared).filter((n) => n.endsWith('.json'))) {
      expect(parser.detect(readFileSync(join(shared, f), 'utf8'), f), f).toBeLessThan(0.5);
    }
    for (const [name, head] of Object.entries(FOREIGN_HEADS)) expect(parser.detect(head, 'x'), name).toBe(0);
  });
});

describe('anthropic-console-csv: token download', () => {
  it('reads daily rows as the UTC day; input already excludes cache (hand-computed)', async () => {
    const { records, problems } = await parseFile(parser, DAILY);
    expect(problems).toEqual([]);
    const day = { start: '2026-03-01T00:00:00.000Z', end: '2026-03-02T00:00:00.000Z' };
    const day2 = { start: '2026-03-02T00:00:00.000Z', end: '2026-03-03T00:00:00.000Z' };
    // prettier-ignore
    expect(records.map(row)).toEqual([
      // cache writes 61,624 (5 m) + 20,000 (1 h) = 81,624, of which 20,000 are 1 h
      { line: 2, ...day, model: 'claude-sonnet-4-5-20250929', tier: 'standard', project: 'Support', apiKey: 'support-bot-prod', input: 154_214, cacheRead: 812_000, cacheWrite: 81_624, cacheWrite1h: 20_000, output: 26_400 },
      { line: 3, ...day, model: 'claude-sonnet-4-5-20250929', tier: 'standard', project: 'Support', apiKey: 'support-bot-prod', input: 420_000, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 3100 },
      { line: 4, ...day, model: 'claude-haiku-4-5-20251001', tier: 'batch', project: 'Research', apiKey: 'research-batch', input: 2_500_000, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 410_000 },
      { line: 5, ...day2, model: 'claude-opus-4-1-20250805', tier: 'standard', project: 'Default', apiKey: 'analyst-key', input: 109_911, cacheRead: 40_000, cacheWrite: 2528, cacheWrite1h: 0, output: 34_988 },
      { line: 6, ...day2, model: 'claude-haiku-4-5-20251001', tier: 'standard', project: 'Support', apiKey: 'support-bot-prod', input: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 0 },
    ]);
    for (const r of records) expect(UsageRecordSchema.parse(r)).toEqual(r);
    expect(records[0]).toMatchObject({
      provider: 'anthropic',
      operation: 'chat',
      requests: 0, // the export states no request count
      tags: {
        requests_unknown: 'true',
        usage_type: 'standard',
        context_window: '≤ 200k',
        inference_geo: 'global',
      },
      source: { file: DAILY, line: 2, format: 'anthropic-console-csv' },
    });
    expect(records[1]!.tags.context_window).toBe('> 200k');
    expect(records[3]!.tags).toMatchObject({ web_search_requests: '12', inference_geo: 'us' });
  });

  it('keys rows by date, model, workspace and key name; the two context windows of a day stay apart', async () => {
    const { records } = await parseFile(parser, DAILY);
    expect(records[0]!.dedupKey).toBe(
      'anthropic-console-csv:["2026-03-01T00:00:00.000Z","2026-03-02T00:00:00.000Z","claude-sonnet-4-5-20250929",' +
        '"Support","support-bot-prod","tokens","standard","≤ 200k","global",null]',
    );
    expect(new Set(records.map((r) => r.dedupKey)).size).toBe(records.length);
  });

  it('reads hourly rows as the hour', async () => {
    const { records, problems } = await parseFile(parser, HOURLY);
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.start, r.end, r.tokens.input, r.tokens.output])).toEqual([
      ['2026-03-31T02:00:00.000Z', '2026-03-31T03:00:00.000Z', 1_124_832, 254_558],
      ['2026-03-31T03:00:00.000Z', '2026-03-31T04:00:00.000Z', 506_280, 117_816],
    ]);
  });

  it('reads the mid-2025 header (no context window) and the older unsplit cache-write column', async () => {
    const mid = await parseFile(parser, MID_2025);
    expect(mid.problems).toEqual([]);
    expect(mid.records.map((r) => r.tokens)).toEqual([
      { input: 8, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 1 },
      { input: 3120, cacheRead: 391_000, cacheWrite: 48_000, cacheWrite1h: 0, output: 12_050 },
    ]);
    expect(mid.records[0]!.dims).toEqual({ project: 'Claude Code', apiKey: 'claude_code_key_dana' });
    const old = await parseFile(parser, OLD);
    expect(old.problems).toEqual([]);
    // No 5m/1h split: the total is a cache write of unknown TTL (priced at the 5-minute rate), no cacheWrite1h.
    expect(old.records.map((r) => r.tokens)).toEqual([
      { input: 52_000, cacheRead: 240_000, cacheWrite: 18_000, output: 9100 },
    ]);
  });

  it('reports bad rows with the line and the column', async () => {
    const header =
      'usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens';
    const csv = [
      header,
      '2026-03-01,claude-haiku-4-5,k,w,standard,1,0,0,0,1',
      '03/01/2026,claude-haiku-4-5,k,w,standard,1,0,0,0,1',
      '2026-03-01,,k,w,standard,1,0,0,0,1',
      '2026-03-01,claude-haiku-4-5,k,w,standard,1.5,0,0,0,1',
      '2026-03-01,claude-haiku-4-5,k,w,standard,1,-3,0,0,1',
      '2026-03-01 14:30,claude-haiku-4-5,k,w,standard,1,0,0,0,1',
    ].join('\n');
    const { records, problems } = await collect(parser, memInput('t.csv', Buffer.from(csv)));
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'usage_date_utc is not a day (YYYY-MM-DD) or an hour (YYYY-MM-DD HH:MM): "03/01/2026"'],
      [4, 'no model_version'],
      [5, 'usage_input_tokens_no_cache is not a whole number: "1.5"'],
      [6, 'usage_input_tokens_cache_write_5m is negative: -3'],
    ]);
    // A minute that is not :00 is that minute, the console's finest granularity.
    expect(records.map((r) => [r.start, r.end])).toEqual([
      ['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
      ['2026-03-01T14:30:00.000Z', '2026-03-01T14:31:00.000Z'],
    ]);
  });
});

describe('anthropic-console-csv: cost download', () => {
  it('reads dollars (not cents) by model display name and token type, as cost-only records', async () => {
    const { records, problems } = await parseFile(parser, COST);
    expect(problems).toEqual([]);
    expect(
      records.map((r) => [r.source.line, r.modelRaw, r.tags.token_type, r.reportedCost?.amount]),
    ).toEqual([
      [2, 'Claude Sonnet 4.5', 'input_no_cache', 0.46],
      [3, 'Claude Sonnet 4.5', 'input_cache_write_5m', 0.23],
      [4, 'Claude Sonnet 4.5', 'input_cache_write_1h', 0.12],
      [5, 'Claude Sonnet 4.5', 'input_cache_read', 0.24],
      [6, 'Claude Sonnet 4.5', 'output', 0.4],
      [7, 'Claude Opus 4.1', 'web_search', 0.12],
    ]);
    for (const r of records) {
      expect(UsageRecordSchema.parse(r)).toEqual(r);
      expect(r).toMatchObject({
        provider: 'anthropic',
        requests: 0,
        tokens: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 },
      });
      expect(r.reportedCost?.currency).toBe('USD');
    }
    expect(records[0]).toMatchObject({
      start: '2026-03-01T00:00:00.000Z',
      end: '2026-03-02T00:00:00.000Z',
      dims: { project: 'Support', apiKey: 'support-bot-prod' },
      tags: {
        cost_type: 'token',
        usage_type: 'message',
        list_price_usd: '0.46',
        api_key_id: 'apikey_01Hq7Zc3VbN2xY8mK4pR6sT0',
      },
    });
    expect(records[0]!.serviceTier).toBeUndefined(); // `message` is not a tier
    expect(new Set(records.map((r) => r.dedupKey)).size).toBe(records.length);
    const total = records.reduce((n, r) => n + r.reportedCost!.amount, 0);
    expect(total).toBeCloseTo(1.57, 10);
  });

  it('reads the older 8-column cost header and reports a bad amount', async () => {
    const csv = [
      'usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd',
      '2025-08-04,Claude Haiku 4.5,Default,demo-key,message,≤ 200k,input_no_cache,0.05',
      '2025-08-04,Claude Haiku 4.5,Default,demo-key,message,≤ 200k,output,$0.02',
      '2025-08-04,Claude Haiku 4.5,Default,demo-key,message,≤ 200k,output,',
    ].join('\n');
    const { records, problems } = await collect(parser, memInput('claude_api_cost.csv', Buffer.from(csv)));
    expect(records.map((r) => r.reportedCost?.amount)).toEqual([0.05]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'cost_usd is not a number: "$0.02"'],
      [4, 'cost_usd is empty'],
    ]);
  });
});
