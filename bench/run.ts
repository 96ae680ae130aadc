/**
 * `npm run bench`: finops side by side with a reference, on data generated here (deterministic, sizes as
 * arguments, cached under bench/.data/). Prints wall time, rows/s, MB/s, peak RSS and CPU time of each run, the
 * ratio to the reference, and whether each target of docs/benchmarks.md is met. Not a test: numbers only.
 *
 *   npm run bench                         moderate sizes (a few minutes)
 *   npm run bench -- --full               the sizes of docs/benchmarks.md (300 MB tree, 10 M lines, 1 M rows)
 *   npm run bench -- --only rl,tok --reps 5 --claude-mb 100 --rl-lines 1000000,10000000 --csv-rows 200000,1000000
 *   npm run bench -- --tok-mb 50 --jobs 2 --no-ids
 *
 * 1. Claude Code tree: `finops report --by day` vs `ccusage daily --json --offline` (ccusage@20.0.24, native build,
 *    installed into bench/node_modules on first run); token totals must match; target ratio ≤ 1.0.
 * 2. Request-log JSONL: `finops report --by day` vs a bare Node loop that reads the file and JSON.parses every line;
 *    target ≤ 1.5×, peak RSS < 300 MB at the largest size, and flat (largest within 20 % of smallest).
 * 3. Usage/cost CSV exports: the same, vs a bare loop that splits lines at commas (and, for scale, csv-parse).
 * 4. Token counting of a text-only log: finops (1 thread, all threads) vs js-tiktoken in a loop; target ≥ 1.7×.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateClaudeCode } from './gen-claude-code.ts';
import { generateCsv } from './gen-csv.ts';
import { generateRequestLog } from './gen-request-log.ts';

const ROOT = join(import.meta.dirname, '..');
const BENCH = import.meta.dirname;
const DATA = join(BENCH, '.data');
const FINOPS = join(ROOT, 'bin', 'finops.js');

// ---- options -------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const opt = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const full = flag('--full');
const O = {
  only: (opt('--only') ?? 'cc,rl,csv,tok').split(','),
  reps: Number(opt('--reps') ?? 3),
  claudeMb: Number(opt('--claude-mb') ?? (full ? 300 : 60)),
  rlLines: (opt('--rl-lines') ?? (full ? '1000000,10000000' : '200000,1000000')).split(',').map(Number),
  noIds: flag('--no-ids'),
  csvRows: (opt('--csv-rows') ?? (full ? '200000,1000000' : '100000,500000')).split(',').map(Number),
  tokMb: Number(opt('--tok-mb') ?? (full ? 50 : 10)),
  jobs: opt('--jobs'),
};
const JOBS = O.jobs ?? String(availableParallelism());

// ---- measuring -----------------------------------------------------------------------------------------------

interface Run {
  wall: number;
  /** User + system CPU seconds (all threads), sampled from /proc; NaN where there is no /proc. */
  cpu: number;
  /** Peak resident set, MB (VmHWM), sampled; NaN where there is no /proc. */
  rss: number;
  stdout: string;
}

const TICK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100; // Linux's USER_HZ almost everywhere
  }
})();

/** Runs a command to completion, sampling its peak RSS and CPU time from /proc every 20 ms. */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let rss = NaN;
    let cpu = NaN;
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) rss = Number(hwm[1]) / 1024;
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpu = (Number(f[11]) + Number(f[12])) / TICK;
      } catch {
        // gone, or no /proc here
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) {
        reject(
          new Error(
            `${cmd} ${args.join(' ')} exited ${code}:\n${Buffer.concat(err).toString().slice(0, 2000)}`,
          ),
        );
        return;
      }
      resolve({ wall, cpu, rss, stdout: Buffer.concat(out).toString() });
    });
  });
}

/** Runs each command `reps` times, interleaved (so a busy moment hurts both alike); keeps every run. */
async function compare(cmds: Record<string, () => Promise<Run>>): Promise<Record<string, Run[]>> {
  const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (let i = 0; i < O.reps; i++) {
    for (const [k, f] of Object.entries(cmds)) runs[k]!.push(await f());
  }
  return runs;
}

/**
 * The best of the runs: on a shared machine a run can only be slowed down by other work, never sped up, so the
 * fastest run is the one closest to what the tool costs (and both sides get the same number of tries).
 */
const best = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x));
  return s.length === 0 ? NaN : Math.min(...s);
};

interface Row {
  bench: string;
  size: string;
  tool: string;
  wall: number;
  rows: number;
  bytes: number;
  rss: number;
  cpu: number;
  ratio?: number;
  extra?: string;
}

const rows: Row[] = [];
const targets: { name: string; met: boolean; detail: string }[] = [];

function row(
  bench: string,
  size: string,
  tool: string,
  runs: Run[],
  n: number,
  bytes: number,
  extra?: string,
): Row {
  const r: Row = {
    bench,
    size,
    tool,
    wall: best(runs.map((x) => x.wall)),
    rows: n,
    bytes,
    rss: Math.max(...runs.map((x) => x.rss)),
    cpu: best(runs.map((x) => x.cpu)),
  };
  if (extra !== undefined) r.extra = extra;
  rows.push(r);
  return r;
}

const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

function printTable(title: string, list: Row[]): void {
  console.log(`\n${title}`);
  const head = ['size', 'tool', 'wall s', 'rows/s', 'MB/s', 'peak RSS MB', 'CPU s', 'ratio', ''];
  const body = list.map((r) => [
    r.size,
    r.tool,
    fmt(r.wall),
    int(r.rows / r.wall),
    fmt(r.bytes / 1e6 / r.wall, 1),
    fmt(r.rss, 0),
    fmt(r.cpu),
    r.ratio === undefined ? '' : fmt(r.ratio),
    r.extra ?? '',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 || i === 8 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
}

function target(name: string, met: boolean, detail: string): void {
  targets.push({ name, met, detail });
}

// ---- setup ---------------------------------------------------------------------------------------------------

function dirBytes(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((n, f) => n + dirBytes(join(p, f)), 0);
}

/** Generates data once per size (a marker file records that it completed). */
async function cached(name: string, make: (path: string) => Promise<unknown>): Promise<string> {
  mkdirSync(DATA, { recursive: true });
  const path = join(DATA, name);
  const done = join(DATA, `${name}.done`);
  if (!existsSync(done)) {
    process.stderr.write(`bench: generating ${name} …\n`);
    await make(path);
    writeFileSync(done, new Date().toISOString());
  }
  return path;
}

/** ccusage 20.0.24 (its native linux-x64 build comes as an optional dependency), installed into bench/ once. */
function ccusageBinary(): string {
  const pkg = join(BENCH, 'node_modules', '@ccusage', `ccusage-${process.platform}-${process.arch}`);
  if (!existsSync(pkg)) {
    process.stderr.write('bench: installing ccusage@20.0.24 into bench/node_modules (first run) …\n');
    execFileSync('npm', ['install', '--prefix', BENCH, '--no-audit', '--no-fund', '--loglevel=error'], {
      stdio: 'inherit',
    });
  }
  const bin = join(pkg, 'bin', process.platform === 'win32' ? 'ccusage.exe' : 'ccusage');
  if (!existsSync(bin)) throw new Error(`no native ccusage build for ${process.platform}-${process.arch}`);
  chmodSync(bin, 0o755); // the package ships it without the executable bit
  return bin;
}

const finops =
  (args: string[], env: NodeJS.ProcessEnv = {}) =>
  () =>
    measure(process.execPath, [FINOPS, ...args], env);
const node = (script: string, args: string[]) => () =>
  measure(process.execPath, [join(BENCH, 'reference', script), ...args]);

// ---- benchmarks ----------------------------------------------------------------------------------------------

async function benchClaude(): Promise<void> {
  const dir = await cached(`claude-${O.claudeMb}mb`, (p) => generateClaudeCode(p, { mb: O.claudeMb }));
  const bytes = dirBytes(dir);
  const bin = ccusageBinary();
  const home = join(DATA, 'empty-home'); // so ccusage finds no other agent's data
  mkdirSync(home, { recursive: true });
  const runs = await compare({
    ccusage: () =>
      measure(bin, ['daily', '--json', '--offline', '--timezone', 'UTC'], {
        CLAUDE_CONFIG_DIR: dir,
        HOME: home,
        TZ: 'UTC',
      }),
    finops: finops(['report', dir, '--by', 'day', '--format', 'json', '--jobs', JOBS]),
    // One thread too: where the machine gives little for a second one, the parallel scan's overhead shows here.
    ...(JOBS === '1'
      ? {}
      : { one: finops(['report', dir, '--by', 'day', '--format', 'json', '--jobs', '1']) }),
  });
  const peer = JSON.parse(runs.ccusage![0]!.stdout) as { totals: Record<string, number> };
  const ours = JSON.parse(runs.finops![0]!.stdout) as {
    totals: { requests: number; tokens: Record<string, number> };
  };
  const p = peer.totals;
  const t = ours.totals.tokens;
  const same =
    p.inputTokens === t.input &&
    p.outputTokens === t.output &&
    p.cacheCreationTokens === t.cacheWrite &&
    p.cacheReadTokens === t.cacheRead;
  const n = ours.totals.requests;
  const size = `${O.claudeMb} MB`;
  const ref = row('claude', size, 'ccusage daily', runs.ccusage!, n, bytes);
  const f = row(
    'claude',
    size,
    `finops report (${JOBS} jobs)`,
    runs.finops!,
    n,
    bytes,
    same ? 'same token totals' : 'TOKEN TOTALS DIFFER',
  );
  f.ratio = f.wall / ref.wall;
  ref.ratio = 1;
  const list = [ref, f];
  if (runs.one) {
    const same1 = runs.one[0]!.stdout === runs.finops![0]!.stdout;
    const o = row(
      'claude',
      size,
      'finops report (1 job)',
      runs.one,
      n,
      bytes,
      same1 ? 'same report' : 'REPORT DIFFERS',
    );
    o.ratio = o.wall / ref.wall;
    list.push(o);
  }
  printTable(
    `1. Claude Code tree (${size}, ${readdirSync(join(dir, 'projects')).length} projects): finops report --by day vs ccusage daily --json --offline`,
    list,
  );
  target(
    'Claude Code: same token totals as ccusage',
    same,
    same
      ? `${(t.input! + t.output! + t.cacheRead! + t.cacheWrite!).toLocaleString('en-US')} tokens`
      : JSON.stringify({ ccusage: p, finops: t }),
  );
  const one = list[2];
  target(
    'Claude Code: finops no slower than ccusage (ratio ≤ 1.0)',
    f.ratio <= 1,
    `ratio ${fmt(f.ratio)}${one ? ` (1 job: ${fmt(one.ratio!)})` : ''}`,
  );
}

async function benchRequestLog(): Promise<void> {
  const list: Row[] = [];
  const finopsRows: Row[] = [];
  for (const lines of O.rlLines) {
    const ids = !O.noIds;
    const file = await cached(`requests-${lines}${ids ? '' : '-noids'}.jsonl`, (p) =>
      generateRequestLog(p, { lines, ids }),
    );
    const bytes = statSync(file).size;
    const runs = await compare({
      loop: node('json-lines.mjs', [file]),
      finops: finops(['report', file, '--by', 'day', '--format', 'json', '--jobs', JOBS]),
    });
    const size = `${lines.toLocaleString('en-US')} lines`;
    const ref = row('requests', size, 'bare JSON.parse loop', runs.loop!, lines, bytes);
    ref.ratio = 1;
    const f = row('requests', size, `finops report (${JOBS} jobs)`, runs.finops!, lines, bytes);
    f.ratio = f.wall / ref.wall;
    list.push(ref, f);
    finopsRows.push(f);
  }
  printTable(
    `2. Request-log JSONL${O.noIds ? ' (no request ids)' : ''}: finops report --by day vs a bare loop that JSON.parses every line`,
    list,
  );
  const last = finopsRows.at(-1)!;
  const first = finopsRows[0]!;
  target(
    'Request log: within 1.5× of the bare loop',
    finopsRows.every((r) => r.ratio! <= 1.5),
    finopsRows.map((r) => `${r.size}: ${fmt(r.ratio!)}`).join(', '),
  );
  target(`Request log: peak RSS < 300 MB at ${last.size}`, last.rss < 300, `${fmt(last.rss, 0)} MB`);
  if (finopsRows.length > 1) {
    target(
      `Request log: flat memory (${last.size} within 20 % of ${first.size})`,
      last.rss <= first.rss * 1.2,
      `${fmt(first.rss, 0)} → ${fmt(last.rss, 0)} MB (×${fmt(last.rss / first.rss)})`,
    );
  }
}

async function benchCsv(): Promise<void> {
  const list: Row[] = [];
  const finopsRows: Row[] = [];
  for (const n of O.csvRows) {
    const dir = await cached(`csv-${n}`, (p) => generateCsv(p, n));
    const files = readdirSync(dir).map((f) => join(dir, f));
    const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
    const runs = await compare({
      loop: node('csv-lines.mjs', files),
      csvParse: node('csv-lines.mjs', ['--csv-parse', ...files]),
      finops: finops(['report', dir, '--by', 'day', '--format', 'json', '--jobs', JOBS]),
    });
    const size = `${n.toLocaleString('en-US')} rows`;
    const ref = row('csv', size, 'bare split-lines loop', runs.loop!, n, bytes);
    ref.ratio = 1;
    const cp = row('csv', size, 'csv-parse loop', runs.csvParse!, n, bytes);
    cp.ratio = cp.wall / ref.wall;
    const f = row(
      'csv',
      size,
      `finops report (${JOBS} jobs)`,
      runs.finops!,
      n,
      bytes,
      `${fmt(f2(runs.finops!, runs.csvParse!))}× csv-parse`,
    );
    f.ratio = f.wall / ref.wall;
    list.push(ref, cp, f);
    finopsRows.push(f);
  }
  printTable(
    '3. Usage and cost CSV exports (OpenAI usage + AWS CUR): finops report --by day vs bare loops',
    list,
  );
  const last = finopsRows.at(-1)!;
  const first = finopsRows[0]!;
  target(
    'CSV: within 1.5× of the bare split loop',
    finopsRows.every((r) => r.ratio! <= 1.5),
    finopsRows.map((r) => `${r.size}: ${fmt(r.ratio!)}`).join(', '),
  );
  target(`CSV: peak RSS < 300 MB at ${last.size}`, last.rss < 300, `${fmt(last.rss, 0)} MB`);
  if (finopsRows.length > 1) {
    target(
      `CSV: flat memory (${last.size} within 20 % of ${first.size})`,
      last.rss <= first.rss * 1.2,
      `${fmt(first.rss, 0)} → ${fmt(last.rss, 0)} MB (×${fmt(last.rss / first.rss)})`,
    );
  }
}

function f2(a: Run[], b: Run[]): number {
  return best(a.map((x) => x.wall)) / best(b.map((x) => x.wall));
}

async function benchTokens(): Promise<void> {
  const file = await cached(`text-${O.tokMb}mb.jsonl`, (p) =>
    generateRequestLog(p, { mb: O.tokMb, text: true }),
  );
  const bytes = statSync(file).size;
  const runs = await compare({
    tiktoken: node('tiktoken-loop.mjs', [file]),
    one: finops(['report', file, '--by', 'model', '--format', 'json', '--jobs', '1']),
    all: finops(['report', file, '--by', 'model', '--format', 'json', '--jobs', JOBS], {
      FINOPS_PARALLEL_MIN_BYTES: '0',
    }),
  });
  const refTokens = (JSON.parse(runs.tiktoken![0]!.stdout) as { rows: number; tokens: number }).tokens;
  const report = JSON.parse(runs.one![0]!.stdout) as {
    totals: { requests: number; estimatedTokens: number };
  };
  const ours = report.totals.estimatedTokens;
  const allTokens = (JSON.parse(runs.all![0]!.stdout) as { totals: { estimatedTokens: number } }).totals
    .estimatedTokens;
  const same = ours === refTokens && allTokens === refTokens;
  const n = report.totals.requests;
  const size = `${O.tokMb} MB`;
  const ref = row(
    'tokens',
    size,
    'js-tiktoken loop',
    runs.tiktoken!,
    n,
    bytes,
    `${int(refTokens / best(runs.tiktoken!.map((r) => r.wall)))} tokens/s`,
  );
  ref.ratio = 1;
  const one = row(
    'tokens',
    size,
    'finops report (1 job)',
    runs.one!,
    n,
    bytes,
    `${int(ours / best(runs.one!.map((r) => r.wall)))} tokens/s`,
  );
  const all = row(
    'tokens',
    size,
    `finops report (${JOBS} jobs)`,
    runs.all!,
    n,
    bytes,
    `${int(allTokens / best(runs.all!.map((r) => r.wall)))} tokens/s`,
  );
  // A speed-up: tokens/s over the reference's.
  one.ratio = ref.wall / one.wall;
  all.ratio = ref.wall / all.wall;
  printTable(
    `4. Token counting, text-only request log (${size}, ${int(refTokens)} tokens): finops vs js-tiktoken in a loop (ratio = speed-up)`,
    [ref, one, all],
  );
  target(
    'Tokens: same counts as js-tiktoken',
    same,
    same ? `${int(refTokens)} tokens` : `js-tiktoken ${refTokens}, finops ${ours} / ${allTokens}`,
  );
  target(
    `Tokens: ≥ 1.7× js-tiktoken with all cores (${JOBS} jobs)`,
    all.ratio >= 1.7,
    `${fmt(all.ratio)}× (1 job: ${fmt(one.ratio)}×)`,
  );
}

/**
 * What a second thread can give on this machine, right now: the bare JSON loop on a 200 k-line log, alone and as
 * N copies at once (N = --jobs). `effective cores` = N × (time alone) ÷ (time of the copies): N on a machine with
 * N free cores, ~1 on a shared VM whose vCPUs are busy elsewhere. finops's parallel ratios are only as good as it.
 */
async function calibrate(): Promise<number> {
  const n = Math.max(1, Number(JOBS));
  const file = await cached('requests-200000.jsonl', (p) =>
    generateRequestLog(p, { lines: 200_000, ids: true }),
  );
  const loop = node('json-lines.mjs', [file]);
  let alone = Infinity;
  let together = Infinity;
  for (let i = 0; i < O.reps; i++) {
    alone = Math.min(alone, (await loop()).wall);
    const runs = await Promise.all(Array.from({ length: n }, () => loop()));
    together = Math.min(together, Math.max(...runs.map((r) => r.wall)));
  }
  const cores = (n * alone) / together;
  console.log(
    `\nMachine: the bare JSON loop on 200 k lines took ${fmt(alone)} s alone and ${fmt(together)} s as ${n} copies at once: ` +
      `${fmt(cores, 1)} effective core(s) of ${n}`,
  );
  return cores;
}

// ---- main ----------------------------------------------------------------------------------------------------

const load0 = loadavg()[0]!;
const t0 = Date.now();
console.log(
  `finops benchmarks — ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, ${fmt(totalmem() / 2 ** 30, 0)} GB, Node ${process.version}, ` +
    `best of ${O.reps} interleaved run(s) each (wall, CPU: lowest; RSS: highest), --jobs ${JOBS}; load average at start ${fmt(load0)}`,
);
const cores = await calibrate();
if (O.only.includes('cc')) await benchClaude();
if (O.only.includes('rl')) await benchRequestLog();
if (O.only.includes('csv')) await benchCsv();
if (O.only.includes('tok')) await benchTokens();

console.log('\nTargets');
for (const t of targets) console.log(`  ${t.met ? 'met    ' : 'NOT MET'}  ${t.name}: ${t.detail}`);
console.log(`\nload average at end ${fmt(loadavg()[0]!)}; ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
writeFileSync(
  join(DATA, 'results.json'),
  JSON.stringify(
    {
      when: new Date().toISOString(),
      options: O,
      jobs: JOBS,
      effectiveCores: cores,
      load: [load0, loadavg()[0]],
      rows,
      targets,
    },
    null,
    2,
  ),
);
