import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, type Encoding } from '../../src/tokenize/index.ts';
import { loadTiktoken } from '../helpers/tiktoken.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const reference = await loadTiktoken(); // js-tiktoken: OpenAI's tiktoken, ported
const chosen = await loadTokenizer(); // what finops counts with (gpt-tokenizer)

/** English prose, TypeScript, YAML, CSV and JSON from this repository, cut at arbitrary places. */
function corpus(): string[] {
  const files = [
    join(ROOT, 'README.md'),
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(ROOT, 'docs', f)),
    ...readdirSync(join(ROOT, 'src', 'pipeline')).map((f) => join(ROOT, 'src', 'pipeline', f)),
    join(ROOT, 'fixtures', 'demo', 'finops.yaml'),
  ];
  const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  let seed = 9;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out: string[] = [];
  for (let i = 0; i < 600; i++) {
    const at = Math.floor(rand() * text.length);
    out.push(text.slice(at, at + 1 + Math.floor(rand() * 1500)));
  }
  return out;
}

const SPECIAL = [
  'hello <|endoftext|> world <|fim_prefix|><|im_start|>',
  'Numbers 1234567890 3.14159 -42 1e-9 0x1F, dates 2026-10-01T09:15:10Z',
  'Unicode: café naïve 日本語のテキスト 한국어 русский العربية 🙂👍🏽 🇩🇪 \u200b\u00a0',
  '    indented\n\n\n\ttabs\r\nCRLF   trailing   ',
  'a'.repeat(5000),
  '🙂'.repeat(300),
  '',
];

describe('the tokenizer finops counts with agrees with js-tiktoken', () => {
  for (const enc of ['o200k_base', 'cl100k_base'] as Encoding[]) {
    it(`on a corpus of prose, code and config, and odd text (${enc})`, () => {
      for (const t of [...corpus(), ...SPECIAL])
        expect(chosen.count(t, enc), t.slice(0, 60)).toBe(reference.count(t, enc));
    });

    it(`on arbitrary Unicode strings (${enc})`, () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (t) => {
          expect(chosen.count(t, enc)).toBe(reference.count(t, enc));
        }),
        { numRuns: 300 },
      );
    });
  }
});
