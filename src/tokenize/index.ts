/** The encodings finops can count with; their ranks ship inside the package (gpt-tokenizer), so no network is needed. */
export type Encoding = 'o200k_base' | 'cl100k_base';

/** Counts tokens in text. Kept behind this interface so the implementation can be swapped by benchmark. */
export interface Tokenizer {
  count(text: string, encoding: Encoding): number;
}

/**
 * Ratio of Claude tokens to o200k tokens on English prose (Claude's tokenizer is not public; Anthropic's own
 * counts run ≈16 % above o200k on prose and more on code). Used only for estimates, which are flagged.
 */
export const CLAUDE_FACTOR = 1.16;
/** Gemini's documented rule of thumb: about 4 characters a token. */
export const GEMINI_CHARS_PER_TOKEN = 4;

/** How a model's text is counted locally. */
export interface CountMethod {
  encoding?: Encoding;
  /** Multiply the encoding's count by this (Claude). */
  factor?: number;
  /** Count characters / this instead of encoding (Gemini). */
  charsPerToken?: number;
  /** What the method is, for notes in the output. */
  label: string;
}

/** Picks the counting method for a model: exact encodings for OpenAI, documented estimates for others. */
export function countMethod(model: string, provider: string): CountMethod {
  const m = model.toLowerCase();
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(m))
    return { encoding: 'o200k_base', label: 'o200k_base' };
  if (/^(gpt-4|gpt-3\.5|text-embedding-|davinci|babbage)/.test(m))
    return { encoding: 'cl100k_base', label: 'cl100k_base' };
  if (provider === 'anthropic' || m.includes('claude'))
    return {
      encoding: 'o200k_base',
      factor: CLAUDE_FACTOR,
      label: `o200k_base × ${CLAUDE_FACTOR} (Claude estimate)`,
    };
  if (provider.startsWith('google') || m.includes('gemini'))
    return {
      charsPerToken: GEMINI_CHARS_PER_TOKEN,
      label: `characters ÷ ${GEMINI_CHARS_PER_TOKEN} (Gemini estimate)`,
    };
  return { encoding: 'o200k_base', label: 'o200k_base (estimate for a non-OpenAI model)' };
}

/**
 * The tokenizer finops counts with: gpt-tokenizer, chosen by measurement (docs/benchmarks.md: 20–30× faster than
 * js-tiktoken on this kind of machine, with identical counts; test/tokenize checks them against js-tiktoken on a
 * corpus). Ranks ship inside the package, so no network. Special-token strings such as `<|endoftext|>` in logged
 * text are counted as the plain text they are, never refused.
 */
export async function loadTokenizer(): Promise<Tokenizer> {
  const [o200k, cl100k] = await Promise.all([
    import('gpt-tokenizer/encoding/o200k_base'),
    import('gpt-tokenizer/encoding/cl100k_base'),
  ]);
  const none = { disallowedSpecial: new Set<string>() };
  return {
    count(text, encoding) {
      return (encoding === 'o200k_base' ? o200k : cl100k).countTokens(text, none);
    },
  };
}

/** Counts with memoisation per distinct text (templated prompts repeat), bounded in size. */
export class TokenCounter {
  private readonly cache = new Map<string, number>();
  private readonly tokenizer: Tokenizer;
  private readonly maxEntries: number;

  constructor(tokenizer: Tokenizer, maxEntries = 50_000) {
    this.tokenizer = tokenizer;
    this.maxEntries = maxEntries;
  }

  /** Tokens of `text` for `model`; estimates for models whose tokenizer is not public. */
  count(text: string, model: string, provider: string): number {
    if (text.length === 0) return 0;
    const method = countMethod(model, provider);
    const key = `${method.label}\u0000${text}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    let n: number;
    if (method.charsPerToken) n = Math.ceil(text.length / method.charsPerToken);
    else {
      n = this.tokenizer.count(text, method.encoding!);
      if (method.factor) n = Math.round(n * method.factor);
    }
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(key, n);
    return n;
  }
}
