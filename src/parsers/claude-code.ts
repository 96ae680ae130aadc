import type { ParseItem, UsageRecord } from '../core/record.ts';
import { stringMap } from '../core/record.ts';
import type { InputSource } from '../io/input.ts';
import { anthropicUsageTokens, isoInstant } from './request-log.ts';
import { isBlank, parseJsonLines } from './json-lines.ts';
import type { Parser } from './types.ts';
import { ignored, isObject, optString, quietReason, rec, RowError } from './util.ts';

const FORMAT = 'claude-code';

/** Claude Code's local session logs (`~/.claude/projects/<encoded-cwd>/<sessionId>.jsonl`): one record per API message. */
export const claudeCodeParser: Parser = {
  id: FORMAT,
  title: 'Claude Code session log (JSONL)',
  detection: 'JSON lines with `sessionId`, `message` and `"type":"assistant"|"user"|"summary"`',
  origin:
    '~/.claude/projects/<project>/<session>.jsonl or ~/.config/claude/projects/… (written by Claude Code)',
  detect: detectClaudeCode,
  claims: claimsClaudeCode,
  parse: parseClaudeCode,
};

const LINE_TYPES = new Set(['assistant', 'user', 'summary']);

/** Confidence that `head` is a Claude Code session log. */
function detectClaudeCode(head: string): number {
  let pos = 0;
  let seen = 0;
  while (pos < head.length && seen < 50) {
    let nl = head.indexOf('\n', pos);
    const complete = nl !== -1;
    if (!complete) nl = head.length;
    const line = head.slice(pos, nl);
    pos = nl + 1;
    if (isBlank(line)) continue;
    seen++;
    if (!line.includes('"sessionId"') || !line.includes('"message"')) continue;
    if (!complete) {
      // Cut short by the head: only the compact markers Claude Code writes can vouch for it.
      const typed =
        line.includes('"type":"assistant"') ||
        line.includes('"type":"user"') ||
        line.includes('"type":"summary"');
      return typed ? 0.9 : 0;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      continue;
    }
    if (
      isObject(obj) &&
      typeof obj.sessionId === 'string' &&
      isObject(obj.message) &&
      typeof obj.type === 'string' &&
      LINE_TYPES.has(obj.type)
    ) {
      return 0.95;
    }
  }
  return 0;
}

/**
 * Certain (see Parser.claims): the first message line is whole and has every field of a Claude Code message line
 * (`sessionId`, `uuid` and `timestamp` strings, a `message` object, a user/assistant type), after at most a few
 * bookkeeping lines (`summary`, `file-history-snapshot`) that sessions start with. No other format's records look
 * like that, and a project folder holds hundreds of such files.
 */
function claimsClaudeCode(head: string): boolean {
  let pos = 0;
  for (let seen = 0; seen < 20;) {
    const nl = head.indexOf('\n', pos);
    if (nl === -1) return false; // cut by the head: detect decides
    const line = head.slice(pos, nl);
    pos = nl + 1;
    if (isBlank(line)) continue;
    seen++;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      return false;
    }
    if (!isObject(obj)) return false;
    if (obj.type === 'summary' || obj.type === 'file-history-snapshot') continue;
    return (
      (obj.type === 'assistant' || obj.type === 'user') &&
      typeof obj.sessionId === 'string' &&
      typeof obj.uuid === 'string' &&
      typeof obj.timestamp === 'string' &&
      isObject(obj.message)
    );
  }
  return false;
}

/**
 * Claude Code writes one line per content block (thinking, text, tool_use) of one API message, each repeating
 * the message's usage, and streamed lines can carry a growing `output_tokens`. So lines are grouped by
 * message.id + requestId while consecutive (other line types in between do not end a message) and the
 * message is emitted once, with the line of its largest output, when another assistant message starts or
 * the file ends. Memory holds one message. A message seen again later (a resumed session copies earlier
 * messages into a new file) gets the same dedupKey, so the pipeline counts it once.
 */
function parseClaudeCode(input: InputSource): AsyncIterable<ParseItem[]> {
  const file = input.name;
  const ctx: Ctx = { file, fallbackProject: parentDirName(file), lastCwd: '', lastProject: undefined };
  let pending: UsageRecord | undefined;
  let pendingId = '';
  let pendingReq = '';
  return parseJsonLines(input, {
    // Most of a session's bytes are user lines (tool results), and decoding and parsing them was most of the time.
    // `"type":"assistant"` needs the string `"assistant"` in the raw text, or a `\u00XX` escape spelling one of its
    // letters (JSON has no other escape for a letter): a whole line with neither is not an assistant line. (A
    // truncated line is still parsed, and reported.) The quotes make the needle longer, so its search skips
    // further: ~0.1 s less per 300 MB than `assistant`.
    skipLinesWithout: ['"assistant"', '\\u00'],
    skippedReason: NOT_USAGE,
    line(obj, n, out) {
      // user, summary, system, file-history-snapshot, …: not usage by design (counted, so every line is accounted for).
      if (obj.type !== 'assistant') {
        out.push(ignored(file, n, NOT_USAGE));
        return;
      }
      const msg = obj.message;
      // `<synthetic>` lines are Claude Code's own notices (API errors, "No response requested."): no API call.
      if (isObject(msg) && msg.model === '<synthetic>') {
        out.push(ignored(file, n, SYNTHETIC));
        return;
      }
      const r = readAssistant(obj, msg, n, ctx);
      const id = (msg as Record<string, unknown>).id;
      if (typeof id !== 'string' || id === '') {
        out.push(rec(r)); // no message id: nothing to group or de-duplicate by
        return;
      }
      const req = r.requestId ?? '';
      if (pending !== undefined && id === pendingId && req === pendingReq) {
        // >=: of equal copies keep the last line, the one written when the message was complete. The other line
        // of the pair is a repeat of the same message's usage: counted as such, never added.
        if (r.tokens.output >= pending.tokens.output) pending = r;
        out.push(ignored(file, n, REPEATED));
        return;
      }
      if (pending !== undefined) out.push(finish(pending, pendingId, pendingReq));
      pending = r;
      pendingId = id;
      pendingReq = req;
    },
    end(out) {
      if (pending !== undefined) out.push(finish(pending, pendingId, pendingReq));
    },
  });
}

/** Reasons for Claude Code lines that are not a usage record of their own. */
export const NOT_USAGE = quietReason(
  'Claude Code line that is not an API response (user, summary, system, …)',
);
export const SYNTHETIC = quietReason('Claude Code notice without an API call (<synthetic>)');
export const REPEATED = quietReason('Claude Code line repeating the usage of a message counted once');

interface Ctx {
  file: string;
  /** The encoded project folder (`-home-dev-acme-api`), for lines without `cwd`. */
  fallbackProject: string | undefined;
  // Consecutive lines share a cwd: remember the last basename instead of recomputing it per line.
  lastCwd: string;
  lastProject: string | undefined;
}

function finish(r: UsageRecord, id: string, req: string): ParseItem {
  r.dedupKey = `${FORMAT}:${id}:${req}`;
  return rec(r);
}

function readAssistant(obj: Record<string, unknown>, msg: unknown, line: number, ctx: Ctx): UsageRecord {
  if (!isObject(msg)) throw new RowError('assistant line without a message object');
  const start = isoInstant(obj.timestamp);
  const model = msg.model;
  if (typeof model !== 'string' || model === '') throw new RowError('no message.model');
  const usage = msg.usage;
  if (usage === undefined || usage === null) throw new RowError('no message.usage');
  const tokens = anthropicUsageTokens(usage, 'message.usage');
  const u = usage as Record<string, unknown>;

  const tags = stringMap();
  const sessionId = optString(obj.sessionId);
  if (sessionId !== undefined) tags.sessionId = sessionId;
  const version = optString(obj.version);
  if (version !== undefined) tags.version = version;
  const gitBranch = optString(obj.gitBranch);
  if (gitBranch !== undefined) tags.gitBranch = gitBranch;
  if (typeof obj.isSidechain === 'boolean') tags.isSidechain = String(obj.isSidechain);
  const entrypoint = optString(obj.entrypoint);
  if (entrypoint !== undefined) tags.entrypoint = entrypoint;
  const agentId = optString(obj.agentId);
  if (agentId !== undefined) tags.agentId = agentId;
  // Fast mode is priced apart from standard speed; keep the marker for the pricer and reports.
  const speed = optString(u.speed);
  if (speed !== undefined) tags.speed = speed;

  const r: UsageRecord = {
    start,
    provider: 'anthropic',
    model,
    modelRaw: model,
    requests: 1,
    tokens,
    dims: {},
    tags,
    source: { file: ctx.file, line, format: FORMAT },
  };
  const project = projectOf(obj.cwd, ctx);
  if (project !== undefined) r.dims.project = project;
  const tier = optString(u.service_tier);
  if (tier !== undefined) r.serviceTier = tier;
  if (sessionId !== undefined) r.taskId = sessionId;
  const requestId = optString(obj.requestId);
  if (requestId !== undefined) r.requestId = requestId;
  const cost = obj.costUSD;
  if (cost !== undefined && cost !== null) {
    if (typeof cost !== 'number' || !Number.isFinite(cost))
      throw new RowError(`costUSD is not a number: ${JSON.stringify(cost)}`);
    r.reportedCost = { amount: cost, currency: 'USD' };
  }
  return r;
}

function projectOf(cwd: unknown, ctx: Ctx): string | undefined {
  if (typeof cwd !== 'string' || cwd === '') return ctx.fallbackProject;
  if (cwd !== ctx.lastCwd) {
    ctx.lastCwd = cwd;
    ctx.lastProject = baseName(cwd) ?? ctx.fallbackProject;
  }
  return ctx.lastProject;
}

/** Last path segment, for POSIX and Windows paths alike; undefined for a root. */
function baseName(p: string): string | undefined {
  let end = p.length;
  while (end > 0 && (p.charCodeAt(end - 1) === 47 || p.charCodeAt(end - 1) === 92)) end--; // trailing / or \
  const cut = Math.max(p.lastIndexOf('/', end - 1), p.lastIndexOf('\\', end - 1));
  const name = p.slice(cut + 1, end);
  return name === '' || /^[A-Za-z]:$/.test(name) ? undefined : name;
}

/** Name of the folder that holds `file` (Claude Code's encoded project dir); undefined for stdin. */
function parentDirName(file: string): string | undefined {
  if (file === '<stdin>') return undefined;
  const end = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  if (end <= 0) return undefined;
  return baseName(file.slice(0, end));
}
