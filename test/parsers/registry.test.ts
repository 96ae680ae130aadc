import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInput } from '../../src/io/input.ts';
import { DETECT_THRESHOLD, detectFormat, PARSERS } from '../../src/parsers/registry.ts';
import { sampleFiles, SHARED_DATA as SHARED } from '../helpers/parse.ts';

describe('format detection across the registry', () => {
  // A user-mapped CSV has no built-in parser (its parser is made from finops.yaml): tested in mapped-csv.test.ts.
  const samples = sampleFiles().filter((s) => s.format !== 'mapped-csv');

  it('has a sample for every parser', () => {
    const formats = new Set(samples.map((s) => s.format));
    for (const p of PARSERS) expect(formats, p.id).toContain(p.id);
  });

  it.each(samples.map((s) => [s.path.split('/samples/')[1]!, s] as const))(
    '%s is claimed by its own parser only',
    async (_, s) => {
      const { head } = await openInput(s.path);
      expect(detectFormat(head, s.path)?.id).toBe(s.format);
      const rivals = PARSERS.filter(
        (p) => p.id !== s.format && p.detect(head, s.path) >= DETECT_THRESHOLD,
      ).map((p) => p.id);
      expect(rivals).toEqual([]);
    },
  );

  it.each(samples.map((s) => [s.path.split('/samples/')[1]!, s] as const))(
    '%s: a certain claim (the shortcut past the detectors) agrees with detection by confidence',
    async (_, s) => {
      const { head } = await openInput(s.path);
      const claimants = PARSERS.filter((p) => p.claims?.(head)).map((p) => p.id);
      const byScore = detectFormat(
        head,
        s.path,
        PARSERS.map((p) => ({ ...p, claims: undefined })),
      );
      expect(byScore?.id).toBe(s.format);
      if (claimants.length > 0) expect(claimants).toEqual([s.format]);
    },
  );

  it('Claude Code claims its session files, and nothing short of a whole message line', () => {
    const line = JSON.stringify({
      parentUuid: null,
      sessionId: 's1',
      uuid: 'u1',
      timestamp: '2026-10-01T00:00:00Z',
      type: 'user',
      message: { role: 'user', content: 'hi' },
    });
    const cc = PARSERS.find((p) => p.id === 'claude-code')!;
    expect(cc.claims!(`${line}\n`)).toBe(true);
    expect(cc.claims!(`\n${line}\n{"type":"summary"}\n`)).toBe(true);
    const summary = '{"type":"summary","summary":"Fix the build","leafUuid":"u0"}';
    expect(cc.claims!(`${summary}\n${summary}\n${line}\n`)).toBe(true);
    expect(cc.claims!(`${summary}\n`)).toBe(false); // no message line yet
    expect(cc.claims!(`${summary}\n{"type":"summary"\n${line}\n`)).toBe(false); // a broken line: detect decides
    expect(cc.claims!(line)).toBe(false); // cut by the head: detect decides
    expect(cc.claims!(`${line.replace('"uuid":"u1",', '')}\n`)).toBe(false);
    expect(cc.claims!(`${line.replace('"type":"user"', '"type":"other"')}\n`)).toBe(false);
    expect(cc.claims!(`[${line}]\n`)).toBe(false);
    // The claim and detection by confidence agree on such a head.
    const noClaims = PARSERS.map((p) => ({ ...p, claims: undefined }));
    expect(detectFormat(`${line}\n`, 'x', noClaims)?.id).toBe('claude-code');
  });

  it.each([
    ['openai/usage-completions.spec-example.json', 'openai-usage'],
    ['openai/usage-embeddings.spec-example.json', 'openai-usage'],
    ['openai/costs.spec-example.json', 'openai-costs'],
  ])('the third-party file %s is read as %s', (file, format) => {
    const text = readFileSync(join(SHARED, file), 'utf8');
    expect(detectFormat(text, file)?.id).toBe(format);
  });

  it('claims nothing that is not usage data', () => {
    for (const head of [
      '',
      'a,b,c\n1,2,3\n',
      '{"hello": "world"}',
      '# a markdown file\n',
      'timezone: UTC\n',
    ]) {
      expect(detectFormat(head, 'x')).toBeUndefined();
    }
  });
});
