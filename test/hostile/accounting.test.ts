import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/parsers/registry.ts';
import { emptyStats, readRecords } from '../../src/pipeline/read.ts';
import { sampleFiles } from '../helpers/parse.ts';

// "Nothing lost": every row a parser reads ends up in exactly one of record (priced or unpriced), duplicate,
// skipped (a problem) or ignored (not usage by design). The oracle counts rows without finops' code: non-blank
// lines for line formats, data records (csv-parse) for CSV, result objects for API pages.

const LINE_FORMATS = new Set([
  'request-log',
  'claude-code',
  'openai-batch-output',
  'aws-bedrock-invocations',
]);
const CSV_FORMATS = new Set([
  'focus',
  'aws-cur',
  'azure-cost',
  'openai-console-csv',
  'anthropic-console-csv',
]);

function text(path: string): string {
  const b = readFileSync(path);
  const raw = b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b;
  return raw.toString('utf8').replace(/^\uFEFF/, '');
}

/** JSON documents: one value, JSON Lines, or an array — as a list of top-level values. */
function jsonValuesOf(t: string): unknown[] {
  const trimmed = t.trim();
  try {
    const v = JSON.parse(trimmed) as unknown;
    return Array.isArray(v) ? v : [v];
  } catch {
    return trimmed
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as unknown);
  }
}

const PAGE_FORMATS = new Set(['openai-usage', 'openai-costs', 'anthropic-usage', 'anthropic-cost']);
const ROW_FORMATS = new Set(['litellm-spend', 'langfuse', 'helicone']);

function oracleRows(format: string, path: string): number | undefined {
  const t = text(path);
  try {
    if (PAGE_FORMATS.has(format)) {
      let n = 0;
      for (const page of jsonValuesOf(t) as { data?: { results?: unknown[] }[]; results?: unknown[] }[]) {
        const buckets = page.data ?? [page];
        for (const b of buckets) n += b.results?.length ?? 0;
      }
      return n;
    }
    if (format === 'otel-genai') {
      let n = 0;
      for (const doc of jsonValuesOf(t) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] }[]) {
        for (const rs of doc.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
      }
      return n;
    }
    if (ROW_FORMATS.has(format)) {
      const first = t.trim()[0];
      if (first === '{' || first === '[') {
        const vals = jsonValuesOf(t) as { data?: unknown[] }[];
        return vals.reduce((n, v) => n + (Array.isArray(v.data) ? v.data.length : 1), 0);
      }
      const rows = parseCsv(t, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
      return Math.max(rows.length - 1, 0);
    }
  } catch {
    return undefined;
  }
  if (format === 'gcp-billing') format = path.endsWith('.csv') ? 'aws-cur' : 'request-log'; // CSV or JSON Lines
  if (LINE_FORMATS.has(format)) return t.split('\n').filter((l) => l.trim().length > 0).length;
  if (CSV_FORMATS.has(format)) {
    try {
      const rows = parseCsv(t, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
      return Math.max(rows.length - 1, 0);
    } catch {
      return undefined; // a deliberately broken CSV: the oracle cannot count it either
    }
  }
  return undefined;
}

const files = [
  ...sampleFiles(),
  ...[
    'bom.jsonl',
    'crlf.jsonl',
    'numbers.jsonl',
    'timestamps.jsonl',
    'proto-keys.jsonl',
    'compressed.jsonl.gz',
  ].map((f) => ({
    format: 'request-log',
    path: join(import.meta.dirname, 'corpus', f),
  })),
  ...readdirSync(join(import.meta.dirname, '..', '..', 'fixtures', 'demo', 'gateway')).map((f) => ({
    format: 'request-log',
    path: join(import.meta.dirname, '..', '..', 'fixtures', 'demo', 'gateway', f),
  })),
  ...readdirSync(join(import.meta.dirname, '..', '..', 'fixtures', 'demo', 'claude-code'), {
    recursive: true,
    withFileTypes: true,
  })
    .filter((d) => d.isFile())
    .slice(0, 5)
    .map((d) => ({ format: 'claude-code', path: join(d.parentPath, d.name) })),
].filter((f) => statSync(f.path).size > 0 && oracleRows(f.format, f.path) !== undefined);

describe('row accounting: records + duplicates + skipped + ignored = rows read', () => {
  it.each(files.map((f) => [f.path.split('/').slice(-2).join('/'), f] as const))('%s', async (_, f) => {
    const head = text(f.path).slice(0, 65536);
    if (detectFormat(head, f.path)?.id !== f.format) return; // (mapped CSV and friends: tested in their own files)
    const stats = emptyStats();
    let records = 0;
    for await (const batch of readRecords([f.path], {}, stats)) records += batch.length;
    const fs = stats.files[0]!;
    expect(records).toBe(fs.records);
    expect(fs.records + fs.duplicates + fs.skipped + fs.ignored).toBe(oracleRows(f.format, f.path));
  });
});
