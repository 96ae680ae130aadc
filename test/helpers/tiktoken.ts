import type { Encoding, Tokenizer } from '../../src/tokenize/index.ts';

/**
 * js-tiktoken with its bundled ranks: the reference implementation (OpenAI's tiktoken, ported), for tests (a dev
 * dependency, kept out of src/ so the bundle never carries it): finops itself counts with `loadTokenizer`.
 */
export async function loadTiktoken(): Promise<Tokenizer> {
  const { Tiktoken } = await import('js-tiktoken/lite');
  const [o200k, cl100k] = await Promise.all([
    import('js-tiktoken/ranks/o200k_base'),
    import('js-tiktoken/ranks/cl100k_base'),
  ]);
  const enc: Partial<Record<Encoding, InstanceType<typeof Tiktoken>>> = {};
  return {
    count(text, encoding) {
      let e = enc[encoding];
      if (!e) {
        e = new Tiktoken(encoding === 'o200k_base' ? o200k.default : cl100k.default);
        enc[encoding] = e;
      }
      return e.encode(text, [], []).length;
    },
  };
}
