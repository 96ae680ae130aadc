/**
 * Writes a deterministic Claude Code data directory of about SIZE megabytes, shaped like a real
 * `~/.claude`: `projects/<encoded-cwd>/<sessionId>.jsonl`, many files from a few hundred bytes (sub-agent
 * runs, aborted sessions) to tens of MB (long sessions), with summary / user / assistant / system lines,
 * tool results that carry most of the bytes, assistant messages written as several lines (thinking, text,
 * tool_use) that repeat the same usage, `<synthetic>` notices, and resumed sessions that copy earlier
 * messages into a new file (the same message id and request id: counted once).
 *
 * Usage: tsx bench/gen-claude-code.ts OUT_DIR --mb 300
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

/** Options of `generateClaudeCode`. */
export interface ClaudeCodeGenOptions {
  /** Target total size in megabytes (10^6 bytes). */
  mb: number;
  seed?: number;
}

/** What was written. */
export interface ClaudeCodeGenResult {
  files: number;
  bytes: number;
  lines: number;
  /** Distinct API messages (what a correct reader counts). */
  messages: number;
}

const PROJECTS = [
  'acme-api',
  'acme-web',
  'billing-service',
  'data-pipeline',
  'infra',
  'mobile-app',
  'docs-site',
  'ml-research',
  'auth-gateway',
  'search',
  'notebooks',
  'cli-tools',
];
const MODELS = [
  ['claude-sonnet-4-5-20250929', 0.62],
  ['claude-opus-4-1-20250805', 0.13],
  ['claude-haiku-4-5-20251001', 0.2],
  ['claude-sonnet-4-20250514', 0.05],
] as const;
const WORDS = (
  'the a function return const value request cost token model cache error test file module import export ' +
  'async await promise handler config user team budget report parse stream buffer line record price ' +
  'interface type string number boolean undefined null object array map set key index length result ' +
  'update create delete read write build check lint deploy server client query schema table column row'
).split(' ');

/** Generates the tree under `out` (which is emptied first). */
export async function generateClaudeCode(
  out: string,
  opts: ClaudeCodeGenOptions,
): Promise<ClaudeCodeGenResult> {
  let seed = opts.seed ?? 7;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const hex = (n: number): string => {
    let s = '';
    while (s.length < n)
      s += Math.floor(rand() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, n);
  };
  const uuid = (): string => {
    const h = hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const words = (n: number): string => {
    const w: string[] = [];
    for (let i = 0; i < n; i++) w.push(WORDS[int(0, WORDS.length - 1)]!);
    return w.join(' ');
  };
  // Tool output: code-like text with newlines, quotes, tabs and some non-ASCII, so JSON escapes are realistic.
  const toolText = (bytes: number): string => {
    let s = '';
    while (s.length < bytes) {
      const k = int(0, 9);
      if (k === 0) s += `\tconst ${WORDS[int(0, 60)]} = "${words(3)}"; // café ✓\n`;
      else if (k === 1) s += `  ${int(1, 999)}→${words(int(4, 12))}\n`;
      else s += words(int(5, 16)) + '\n';
    }
    return s;
  };
  const logUniform = (lo: number, hi: number): number =>
    Math.round(Math.exp(Math.log(lo) + rand() * Math.log(hi / lo)));
  const model = (): string => {
    let x = rand();
    for (const [m, p] of MODELS) {
      if (x < p) return m;
      x -= p;
    }
    return MODELS[0][0];
  };

  rmSync(out, { recursive: true, force: true });
  const target = opts.mb * 1e6;
  const t0 = Date.UTC(2026, 8, 1);
  const span = 60 * 86_400_000;
  const result: ClaudeCodeGenResult = { files: 0, bytes: 0, lines: 0, messages: 0 };
  // Earlier sessions' assistant lines per project, for resumed sessions to copy.
  const history = new Map<string, string[]>();

  while (result.bytes < target) {
    const project = PROJECTS[int(0, PROJECTS.length - 1)]!;
    const cwd = `/home/dev/src/${project}`;
    const dir = join(out, 'projects', `-home-dev-src-${project}`);
    mkdirSync(dir, { recursive: true });
    const sessionId = uuid();
    // File sizes: a quarter tiny (300 B–3 KB), most 3 KB–2 MB, one in twenty a long session of 2–24 MB.
    const sizeClass = rand();
    const fileTarget = Math.min(
      target - result.bytes + 400,
      sizeClass < 0.25 ? int(300, 3000) : sizeClass < 0.95 ? logUniform(3000, 2e6) : logUniform(2e6, 24e6),
    );
    const sidechain = sizeClass < 0.15;
    const name = sidechain ? `agent-${hex(8)}.jsonl` : `${sessionId}.jsonl`;
    const ws = createWriteStream(join(dir, name));
    let buf = '';
    let fileBytes = 0;
    const write = async (line: string): Promise<void> => {
      buf += line + '\n';
      fileBytes += Buffer.byteLength(line) + 1;
      result.lines++;
      if (buf.length > 1 << 20) {
        if (!ws.write(buf)) await new Promise<void>((r) => ws.once('drain', () => r()));
        buf = '';
      }
    };
    let ts = t0 + Math.floor(rand() * span);
    const stamp = (): string => {
      ts += int(300, 40_000);
      return new Date(ts).toISOString();
    };
    const version = `2.0.${int(10, 40)}`;
    const branch = rand() < 0.7 ? 'main' : `feat/${WORDS[int(0, 60)]}`;
    const head = (parent: string | null, type: string): string =>
      `{"parentUuid":${parent === null ? 'null' : `"${parent}"`},"isSidechain":${sidechain},"userType":"external","cwd":"${cwd}","sessionId":"${sessionId}","version":"${version}","gitBranch":"${branch}"` +
      (sidechain ? `,"agentId":"${hex(8)}"` : '') +
      `,"type":"${type}"`;
    let parent: string | null = null;
    if (!sidechain && rand() < 0.5)
      await write(`{"type":"summary","summary":"${words(5)}","leafUuid":"${uuid()}"}`);
    // A resumed session starts with copies of a few earlier messages of the same project.
    const past = history.get(project);
    if (!sidechain && past && past.length > 0 && rand() < 0.3) {
      const n = Math.min(past.length, int(2, 40));
      for (const line of past.slice(-n))
        await write(line.replace(/"sessionId":"[^"]+"/, `"sessionId":"${sessionId}"`));
    }
    const kept: string[] = [];
    const m = model();
    while (fileBytes < fileTarget) {
      // A user turn: a prompt, or a tool result (most of a session's bytes), often with toolUseResult beside it.
      const u = uuid();
      if (rand() < 0.35) {
        await write(
          `${head(parent, 'user')},"message":{"role":"user","content":"${words(int(5, 60))}"},"uuid":"${u}","timestamp":"${stamp()}"}`,
        );
      } else {
        const size = rand() < 0.1 ? int(8_000, 60_000) : int(100, 4_000);
        const text = JSON.stringify(toolText(size));
        await write(
          `${head(parent, 'user')},"message":{"role":"user","content":[{"tool_use_id":"toolu_${hex(24)}","type":"tool_result","content":${text},"is_error":false}]},"uuid":"${u}","timestamp":"${stamp()}","toolUseResult":{"stdout":${text},"stderr":"","interrupted":false,"isImage":false}}`,
        );
      }
      parent = u;
      if (rand() < 0.02) {
        const s = uuid();
        await write(
          `${head(parent, 'assistant')},"message":{"id":"${uuid()}","container":null,"model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","stop_sequence":"","type":"message","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"content":[{"type":"text","text":"No response requested."}]},"uuid":"${s}","timestamp":"${stamp()}","isApiErrorMessage":false}`,
        );
        parent = s;
        continue;
      }
      // One API message written as 1–4 lines (thinking, text, tool_use), each repeating the same usage.
      const msgId = `msg_01${hex(22)}`;
      const reqId = `req_011C${hex(20)}`;
      const cacheWrite = int(0, 12_000);
      const usage = `{"input_tokens":${int(1, 40)},"cache_creation_input_tokens":${cacheWrite},"cache_read_input_tokens":${int(0, 160_000)},"cache_creation":{"ephemeral_5m_input_tokens":${cacheWrite},"ephemeral_1h_input_tokens":0},"output_tokens":${int(1, 2_400)},"service_tier":"standard"}`;
      const blocks = int(1, 4);
      const msgModel = sidechain ? 'claude-haiku-4-5-20251001' : rand() < 0.9 ? m : model();
      result.messages++;
      for (let b = 0; b < blocks; b++) {
        const kind =
          b === blocks - 1 && blocks > 1 ? 'tool_use' : b === 0 && blocks > 2 ? 'thinking' : 'text';
        const content =
          kind === 'thinking'
            ? `{"type":"thinking","thinking":${JSON.stringify(words(int(20, 200)))},"signature":"${hex(120)}"}`
            : kind === 'text'
              ? `{"type":"text","text":${JSON.stringify(words(int(10, 150)))}}`
              : `{"type":"tool_use","id":"toolu_${hex(24)}","name":"Bash","input":{"command":${JSON.stringify(`grep -rn "${WORDS[int(0, 60)]}" src`)},"description":"${words(4)}"}}`;
        const a = uuid();
        const line = `${head(parent, 'assistant')},"message":{"model":"${msgModel}","id":"${msgId}","type":"message","role":"assistant","content":[${content}],"stop_reason":null,"stop_sequence":null,"usage":${usage}},"requestId":"${reqId}","uuid":"${a}","timestamp":"${stamp()}"}`;
        await write(line);
        if (b === blocks - 1) kept.push(line);
        parent = a;
      }
      if (rand() < 0.03) {
        await write(
          `{"parentUuid":"${parent}","isSidechain":${sidechain},"userType":"external","cwd":"${cwd}","sessionId":"${sessionId}","version":"${version}","type":"system","subtype":"informational","content":"${words(6)}","level":"info","uuid":"${uuid()}","timestamp":"${stamp()}"}`,
        );
      }
    }
    ws.end(buf);
    await new Promise<void>((r, j) => ws.once('finish', () => r()).once('error', j));
    if (!sidechain) history.set(project, [...(history.get(project) ?? []), ...kept].slice(-200));
    result.files++;
    result.bytes += fileBytes;
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  const mbAt = process.argv.indexOf('--mb');
  if (!out || mbAt < 0) {
    console.error('usage: tsx bench/gen-claude-code.ts OUT_DIR --mb N');
    process.exit(2);
  }
  const r = await generateClaudeCode(out, { mb: Number(process.argv[mbAt + 1]) });
  console.error(
    `wrote ${out}: ${r.files} files, ${r.lines} lines, ${(r.bytes / 1e6).toFixed(0)} MB, ${r.messages} messages`,
  );
}
