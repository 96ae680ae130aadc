// `npm run build`: bundles the CLI into dist/ with esbuild. Types are checked apart (`npm run typecheck`).
//
// Why a bundle: Node loads ESM module by module, and finops is ~120 modules of its own plus its dependencies'
// (zod alone is dozens). Loading them took ~0.3 s on every run, more than the whole work of a small report;
// one bundle loads in about a third of that (docs/benchmarks.md). Two entries share chunks: the CLI, and the
// worker thread of a parallel scan (dist/worker.js, next to the chunk that starts it). The tokenizer's
// encodings stay in chunks of their own, loaded only when a record needs counting; so does ora (progress.ts).
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts', worker: 'src/pipeline/worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  sourcesContent: false,
  // Chunks sit beside the entries: parallel.ts starts `new URL('./worker.js', import.meta.url)` from its chunk.
  chunkNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  // CommonJS dependencies (commander, cli-table3) require Node's built-ins; ESM output has no `require` of its own.
  banner: {
    js: "import { createRequire as __finopsRequire } from 'node:module'; const require = __finopsRequire(import.meta.url);",
  },
});

// The bundle carries its dependencies' code, so it carries their licences too: one file, from the metafile.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (m && !packages.has(m[2])) packages.set(m[2], join(root, m[1]));
}
const notices = [...packages]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${pkg.license ?? 'unknown'}`;
    return `${name}@${pkg.version}\n${'-'.repeat(name.length + pkg.version.length + 1)}\n${text}\n`;
  });
writeFileSync(
  join(root, 'dist', 'THIRD-PARTY-LICENSES.txt'),
  `finops's bundle (dist/) includes code from these packages, under their licences:\n\n${notices.join('\n')}`,
);
