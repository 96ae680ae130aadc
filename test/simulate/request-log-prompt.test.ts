import { describe, expect, it } from 'vitest';
import { checkRecord, UsageRecordSchema } from '../../src/core/record.ts';
import { promptFeatures, requestLogParser } from '../../src/parsers/request-log.ts';
import { BatchConfigSchema, CacheConfigSchema, RagConfigSchema } from '../../src/simulate/config.ts';
import { collect, memInput } from '../helpers/parse.ts';

const parse = (lines: object[]) =>
  collect(
    requestLogParser,
    memInput('p.jsonl', Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n'), 'utf8')),
  );

const base = { timestamp: '2026-10-01T10:00:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5' };

describe('request log: what finops keeps of a prompt', () => {
  it('reads prompt_prefix { hash, tokens } as promptInfo.prefix', async () => {
    const { records, problems } = await parse([
      { ...base, tokens: { input: 3000, output: 10 }, prompt_prefix: { hash: 'a1b2', tokens: 2600 } },
    ]);
    expect(problems).toEqual([]);
    expect(records[0]!.promptInfo).toEqual({ prefix: { hash: 'a1b2', tokens: 2600 } });
    expect(UsageRecordSchema.safeParse(records[0]).success).toBe(true);
    expect(checkRecord(records[0]!)).toBeUndefined();
  });

  it('keeps features of prompt text, never the text, when counts are given', async () => {
    const prompt =
      'Fix this:\n```js\nconst x = 1;\n```\n1. read the file\n2. find the bug\n3. call the search tool\n';
    const { records } = await parse([{ ...base, tokens: { input: 100, output: 10 }, prompt }]);
    expect(records[0]!.text).toBeUndefined();
    expect(records[0]!.promptInfo).toEqual({ features: { code: true, steps: 3, tools: true } });
  });

  it('reports a bad prompt_prefix with the field, and one longer than the prompt', async () => {
    const { problems } = await parse([
      { ...base, tokens: { input: 100 }, prompt_prefix: { hash: 'x' } },
      { ...base, tokens: { input: 100 }, prompt_prefix: { hash: 'x', tokens: -1 } },
      { ...base, tokens: { input: 100 }, prompt_prefix: 'abc' },
      { ...base, tokens: { input: 100, cache_read: 50 }, prompt_prefix: { hash: 'x', tokens: 151 } },
      { ...base, tokens: { input: 100 }, prompt_prefix: { tokens: 10 } },
    ]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'prompt_prefix.tokens is missing'],
      [2, expect.stringContaining('prompt_prefix.tokens')],
      [3, 'prompt_prefix is not an object'],
      [4, 'prompt_prefix.tokens (151) exceeds the prompt (150 input + cached tokens)'],
      [5, 'prompt_prefix.hash is missing or not a string'],
    ]);
  });

  it('checkRecord refuses a malformed promptInfo', () => {
    const r = {
      ...base,
      start: '2026-10-01T10:00:00Z',
      modelRaw: 'm',
      requests: 1,
      tokens: { input: 1, cacheRead: 0, cacheWrite: 0, output: 0 },
      dims: {},
      tags: {},
      source: { file: 'f', line: 1, format: 'x' },
    };
    expect(checkRecord({ ...r, promptInfo: { prefix: { hash: '', tokens: 1 } } })).toContain(
      'promptInfo.prefix.hash',
    );
    expect(checkRecord({ ...r, promptInfo: { prefix: { hash: 'h', tokens: 1.5 } } })).toContain(
      'promptInfo.prefix.tokens',
    );
    expect(
      checkRecord({ ...r, promptInfo: { features: { code: 'yes', steps: 1, tools: false } } } as never),
    ).toContain('promptInfo.features');
  });
});

describe('promptFeatures', () => {
  it('finds code, steps and tool use; prose stays plain', () => {
    expect(
      promptFeatures(
        'Write a short follow-up email. Keep it under 120 words, friendly, with one clear next step.',
      ),
    ).toEqual({
      code: false,
      steps: 0,
      tools: false,
    });
    expect(promptFeatures('Import the invoices.\nClass is in session.')).toMatchObject({ code: false });
    expect(promptFeatures('def f(x):\n    return x')).toMatchObject({ code: true });
    expect(promptFeatures('Step 1: plan\nStep 2: act\n- check\n* report')).toMatchObject({ steps: 4 });
    expect(promptFeatures('{"tools": [{"type": "function", "name": "search"}]}')).toMatchObject({
      tools: true,
    });
  });
});

describe('rag, cache and batch config sections', () => {
  it('default when empty, and name the key path of a mistake', () => {
    expect(RagConfigSchema.parse(null)).toEqual({
      low_utilization: 0.3,
      totals: { context_tokens: 'rag_context_tokens', chunks: 'rag_chunks', used: 'rag_chunks_used' },
    });
    expect(RagConfigSchema.safeParse({ top_k: 0 }).error!.issues[0]!.path).toEqual(['top_k']);
    expect(CacheConfigSchema.parse(undefined)).toEqual({ ttl: '5m', min_tokens: [], max_prefixes: 10_000 });
    expect(CacheConfigSchema.safeParse({ ttl: '10m' }).error!.issues[0]!.path).toEqual(['ttl']);
    expect(BatchConfigSchema.parse({ workflows: 'nightly-*' })).toEqual({
      workflows: ['nightly-*'],
      apps: [],
      tags: {},
    });
    expect(BatchConfigSchema.safeParse({ workflow: ['x'] }).success).toBe(false);
  });
});
