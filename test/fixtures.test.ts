import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (d.isFile()) {
      const p = join(d.parentPath, d.name);
      out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  }
  return out;
}

describe('fixtures/generate.ts', () => {
  it('regenerates fixtures/demo byte for byte (the committed demo is what the generator writes)', () => {
    const out = mkdtempSync(join(tmpdir(), 'finops-demo-'));
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'fixtures', 'generate.ts'), out],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const want = files(join(ROOT, 'fixtures', 'demo'));
    const got = files(out);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k), k).toBe(v);
  });
});
