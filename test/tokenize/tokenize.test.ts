import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { CLAUDE_FACTOR, countMethod, TokenCounter } from '../../src/tokenize/index.ts';
import { loadTiktoken } from '../helpers/tiktoken.ts';

const tokenizer = await loadTiktoken();
const TEXT =
  'Classify this support ticket: "I was charged twice for my subscription in October." Answer with one word.';

describe('tokenize', () => {
  it('counts OpenAI models with their real encoding, identical to js-tiktoken called directly', () => {
    const counter = new TokenCounter(tokenizer);
    expect(counter.count(TEXT, 'gpt-4o-mini', 'openai')).toBe(getEncoding('o200k_base').encode(TEXT).length);
    expect(counter.count(TEXT, 'gpt-4', 'openai')).toBe(getEncoding('cl100k_base').encode(TEXT).length);
    expect(counter.count('hello world', 'gpt-4o', 'openai')).toBe(2);
  });

  it('estimates Claude and Gemini by their documented factors', () => {
    const counter = new TokenCounter(tokenizer);
    const o200k = getEncoding('o200k_base').encode(TEXT).length;
    expect(counter.count(TEXT, 'claude-sonnet-4-5', 'anthropic')).toBe(Math.round(o200k * CLAUDE_FACTOR));
    expect(counter.count(TEXT, 'gemini-2.5-flash', 'google')).toBe(Math.ceil(TEXT.length / 4));
    expect(countMethod('claude-haiku-4-5', 'anthropic').label).toContain('estimate');
    expect(countMethod('gpt-4.1', 'openai').label).toBe('o200k_base');
  });

  it('memoises per distinct text and model family', () => {
    let calls = 0;
    const counter = new TokenCounter({ count: (t) => (calls++, t.length) });
    counter.count('same prompt', 'gpt-4o', 'openai');
    counter.count('same prompt', 'gpt-4o-mini', 'openai');
    expect(calls).toBe(1);
    counter.count('same prompt', 'gpt-4', 'openai'); // another encoding: counted again
    expect(calls).toBe(2);
    expect(counter.count('', 'gpt-4o', 'openai')).toBe(0);
  });
});
