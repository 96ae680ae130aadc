/**
 * Writes a deterministic finops request log of about SIZE megabytes (or N lines) to a file, for memory and
 * speed measurements. Usage: tsx bench/gen-request-log.ts OUT.jsonl --mb 1000 [--no-ids]
 */
import { createWriteStream } from 'node:fs';

const out = process.argv[2];
const mbArg = process.argv.indexOf('--mb');
const linesArg = process.argv.indexOf('--lines');
const withIds = !process.argv.includes('--no-ids');
if (!out) {
  console.error('usage: tsx bench/gen-request-log.ts OUT.jsonl (--mb N | --lines N) [--no-ids]');
  process.exit(2);
}
const targetBytes = mbArg > 0 ? Number(process.argv[mbArg + 1]) * 1e6 : Infinity;
const targetLines = linesArg > 0 ? Number(process.argv[linesArg + 1]) : Infinity;

let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1'],
  ['anthropic', 'claude-sonnet-4-5-20250929'],
  ['anthropic', 'claude-haiku-4-5'],
  ['google', 'gemini-2.5-flash'],
] as const;
const TEAMS = ['support', 'sales', 'engineering', 'data', 'marketing'];
const start = Date.UTC(2026, 0, 1);

const ws = createWriteStream(out);
let bytes = 0;
let lines = 0;
let buf = '';
while (bytes < targetBytes && lines < targetLines) {
  const [provider, model] = MODELS[int(0, MODELS.length - 1)]!;
  const o: Record<string, unknown> = {
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
  if (withIds) o.request_id = `req_${lines.toString(36)}_${int(0, 1e9).toString(36)}`;
  const line = JSON.stringify(o) + '\n';
  buf += line;
  bytes += line.length;
  lines++;
  if (buf.length > 1 << 20) {
    if (!ws.write(buf)) await new Promise<void>((r) => ws.once('drain', () => r()));
    buf = '';
  }
}
ws.write(buf);
ws.end();
await new Promise<void>((r) => ws.once('finish', () => r()));
console.error(`wrote ${out}: ${lines} lines, ${(bytes / 1e6).toFixed(0)} MB`);
