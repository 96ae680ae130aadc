import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';

/** File names read when walking a directory: data files, optionally gzip-compressed. */
export const DATA_FILE = /\.(jsonl?|ndjson|csv)(\.gz)?$/i;

/**
 * Expands the paths given on the command line into input files, in a stable order: a file as is (whatever
 * its name), `-` for stdin, a directory walked recursively for DATA_FILE names. Symlinked directories are
 * followed once: a loop is cut where it would revisit a directory.
 */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push('-');
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw new InputError(`${p}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      await walk(p, found, new Set());
      found.sort();
      out.push(...found);
    } else out.push(p);
  }
  return out;
}

async function walk(dir: string, out: string[], visited: Set<string>): Promise<void> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (e) {
    throw new InputError(`${dir}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (visited.has(real)) return;
  visited.add(real);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new InputError(`${dir}: cannot read directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out, visited);
    else if (e.isSymbolicLink()) {
      const st = await stat(p).catch(() => undefined);
      if (st?.isDirectory()) await walk(p, out, visited);
      else if (st?.isFile() && DATA_FILE.test(e.name)) out.push(p);
    } else if (e.isFile() && DATA_FILE.test(e.name)) out.push(p);
  }
}
