/**
 * Writes a deterministic finops request log of about SIZE megabytes (or N lines) to a file, for memory and
 * speed measurements. Usage: tsx bench/gen-request-log.ts OUT.jsonl (--mb N | --lines N) [--no-ids] [--text]
 *
 * `--text`: text-only lines (prompt and completion, no counts: finops tokenizes them), OpenAI models only (exact
 * o200k counts), 40 % of prompts repeated from a pool of templated ones (support bots, retries), the rest unique.
 */
import { createWriteStream } from 'node:fs';

/** Options of `generateRequestLog`. */
export interface RequestLogGenOptions {
  lines?: number;
  mb?: number;
  ids?: boolean;
  text?: boolean;
}

const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1'],
  ['anthropic', 'claude-sonnet-4-5-20250929'],
  ['anthropic', 'claude-haiku-4-5'],
  ['google', 'gemini-2.5-flash'],
] as const;
const TEXT_MODELS = ['gpt-4o-mini', 'gpt-4.1', 'gpt-4o', 'o4-mini'];
const TEAMS = ['support', 'sales', 'engineering', 'data', 'marketing'];
const WORDS = (
  'the customer account invoice refund order shipping delay password reset login error billing plan upgrade ' +
  'cancel subscription charge twice credit card update address export report data dashboard API key limit rate ' +
  'request timeout retry please help urgent thanks question answer summary ticket priority escalate agent ' +
  'function return const value import from class def print self None True False await async promise'
).split(' ');

/** Writes the log; resolves with lines and bytes written. */
export async function generateRequestLog(
  out: string,
  o: RequestLogGenOptions,
): Promise<{ lines: number; bytes: number }> {
  const targetBytes = o.mb !== undefined ? o.mb * 1e6 : Infinity;
  const targetLines = o.lines ?? Infinity;
  const withIds = o.ids !== false;
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const words = (n: number) => {
    const w: string[] = [];
    for (let i = 0; i < n; i++) w.push(WORDS[int(0, WORDS.length - 1)]!);
    return w.join(' ');
  };
  const pool = o.text
    ? Array.from(
        { length: 2000 },
        (_, i) => `You are a support assistant (template ${i}). ${words(int(20, 200))}`,
      )
    : [];
  const start = Date.UTC(2026, 0, 1);
  const ws = createWriteStream(out);
  let bytes = 0;
  let lines = 0;
  let buf = '';
  while (bytes < targetBytes && lines < targetLines) {
    let rec: Record<string, unknown>;
    if (o.text) {
      rec = {
        timestamp: new Date(start + lines * 7_000 + int(0, 6_999)).toISOString(),
        provider: 'openai',
        model: TEXT_MODELS[int(0, TEXT_MODELS.length - 1)],
        prompt:
          rand() < 0.4 ? pool[int(0, pool.length - 1)] : `${words(int(10, 300))}\n\n${words(int(5, 80))}?`,
        completion: words(int(5, 250)),
        team: TEAMS[int(0, TEAMS.length - 1)],
      };
    } else {
      const [provider, model] = MODELS[int(0, MODELS.length - 1)]!;
      rec = {
        timestamp: new Date(start + lines * 7_000 + int(0, 6_999)).toISOString(),
        provider,
        model,
        tokens: { input: int(50, 4000), cache_read: int(0, 8000), output: int(10, 900) },
        team: TEAMS[int(0, TEAMS.length - 1)],
        app: `app-${int(1, 12)}`,
        workflow: `wf-${int(1, 30)}`,
        latency_ms: int(200, 9000),
        status: 'ok',
      };
    }
    if (withIds) rec.request_id = `req_${lines.toString(36)}_${int(0, 1e9).toString(36)}`;
    const line = JSON.stringify(rec) + '\n';
    buf += line;
    bytes += Buffer.byteLength(line);
    lines++;
    if (buf.length > 1 << 20) {
      if (!ws.write(buf)) await new Promise<void>((r) => ws.once('drain', () => r()));
      buf = '';
    }
  }
  ws.end(buf);
  await new Promise<void>((r, j) => ws.once('finish', () => r()).once('error', j));
  return { lines, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? Number(process.argv[at + 1]) : undefined;
  };
  if (!out) {
    console.error('usage: tsx bench/gen-request-log.ts OUT.jsonl (--mb N | --lines N) [--no-ids] [--text]');
    process.exit(2);
  }
  const r = await generateRequestLog(out, {
    mb: arg('--mb'),
    lines: arg('--lines'),
    ids: !process.argv.includes('--no-ids'),
    text: process.argv.includes('--text'),
  });
  console.error(`wrote ${out}: ${r.lines} lines, ${(r.bytes / 1e6).toFixed(0)} MB`);
}
