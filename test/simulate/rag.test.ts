import { describe, expect, it } from 'vitest';
import { RagConfigSchema } from '../../src/simulate/config.ts';
import { ragResult, RagStep, removePromptTokens, trimChunks, trimTotals } from '../../src/simulate/rag.ts';
import { book, priced, runSteps } from './helpers.ts';

const B = book();
const CONFIG = RagConfigSchema.parse({});

// Ranked by score: c0 (0.9, 100, used), c2 (0.8, 300, used), c1 (0.5, 200, unused), c3 (0.3, 400, no flag),
// then the unscored c4 (50, unused). 1,050 tokens; 4 chunks carry a used flag, 2 are used.
const CHUNKS = [
  { tokens: 100, score: 0.9, used: true },
  { tokens: 200, score: 0.5, used: false },
  { tokens: 300, score: 0.8, used: true },
  { tokens: 400, score: 0.3 },
  { tokens: 50, used: false },
];

describe('trimChunks', () => {
  it('top-k keeps the best-scored chunks', () => {
    // keeps c0 + c2 (400 tokens); cuts c1 200 + c3 400 + c4 50 = 650; no used chunk cut.
    expect(trimChunks(CHUNKS, { topK: 2 })).toEqual({
      retrieved: 5,
      judged: 4,
      used: 2,
      kept: 2,
      contextBefore: 1050,
      cutTokens: 650,
      usedCut: 0,
      unscored: 0,
    });
  });

  it('min-score drops low scores, keeps what it cannot judge', () => {
    // keeps c0 and the unscored c4; cuts c2 (0.8 < 0.85, used), c1, c3 = 300 + 200 + 400 = 900.
    expect(trimChunks(CHUNKS, { minScore: 0.85 })).toMatchObject({
      kept: 2,
      cutTokens: 900,
      usedCut: 1,
      unscored: 1,
    });
  });

  it('max-context-tokens stops at the first chunk that does not fit', () => {
    // c0 100 fits; c2 would make 400 > 350: it and everything after are cut = 1,050 − 100 = 950.
    expect(trimChunks(CHUNKS, { maxContextTokens: 350 })).toMatchObject({
      kept: 1,
      cutTokens: 950,
      usedCut: 1,
    });
  });

  it('combines the three', () => {
    // top-k 3 and min-score 0.4 keep c0, c2, c1 (600 ≤ 1000); c3 (0.3) and c4 (4th rank) cut: 400 + 50 = 450.
    expect(trimChunks(CHUNKS, { topK: 3, minScore: 0.4, maxContextTokens: 1000 })).toMatchObject({
      kept: 3,
      cutTokens: 450,
      usedCut: 0,
    });
  });

  it('without a policy cuts nothing', () => {
    expect(trimChunks(CHUNKS, {})).toMatchObject({ kept: 5, cutTokens: 0 });
  });
});

describe('trimTotals (logs with totals only)', () => {
  it('takes chunks as equal and the used ones as ranked first', () => {
    // 9,000 tokens over 15 chunks = 600 each; top-k 4 keeps 2,400, cuts 6,600; 3 used ≤ 4 kept: no risk.
    expect(trimTotals(9000, 15, 3, { topK: 4 })).toEqual({
      retrieved: 15,
      judged: 15,
      used: 3,
      kept: 4,
      contextBefore: 9000,
      cutTokens: 6600,
      usedCut: 0,
      unscored: 0,
    });
    // max 2,000 tokens: floor(2000 × 15 / 9000) = 3 chunks = 1,800 kept, 7,200 cut.
    expect(trimTotals(9000, 15, 3, { maxContextTokens: 2000 })).toMatchObject({
      kept: 3,
      cutTokens: 7200,
      usedCut: 0,
    });
    // top-k 2 with 3 used: one used chunk cut.
    expect(trimTotals(9000, 15, 3, { topK: 2 })).toMatchObject({ kept: 2, cutTokens: 7800, usedCut: 1 });
    // no used count: utilization cannot be measured; min-score cannot judge any chunk.
    expect(trimTotals(9000, 15, undefined, { minScore: 0.5 })).toMatchObject({
      judged: 0,
      cutTokens: 0,
      unscored: 15,
    });
  });
});

describe('removePromptTokens', () => {
  it('takes uncached input first, then cache reads, then five-minute writes', () => {
    // 170 = input 100 + cache read 50 + 20 of the 5-minute writes (30 − 10 one-hour = 20).
    expect(
      removePromptTokens({ input: 100, cacheRead: 50, cacheWrite: 30, cacheWrite1h: 10, output: 5 }, 170),
    ).toEqual({ input: 0, cacheRead: 0, cacheWrite: 10, cacheWrite1h: 10, output: 5 });
  });
});

describe('simulate rag', () => {
  it('prices the trimmed prompt: chunks and totals, utilization and risk', () => {
    const step = new RagStep({ topK: 2 }, CONFIG);
    const recs = [
      // Sonnet, 10,000 input (the 1,050 chunk tokens included), 500 output:
      // before 10,000 × 3 + 500 × 15 = 37,500 µ$; after (650 cut) 9,350 × 3 + 7,500 = 35,550 µ$.
      priced(B, {
        model: 'claude-sonnet-4-5',
        tokens: { input: 10_000, output: 500 },
        workflow: 'kb',
        rag: { chunks: CHUNKS },
      }),
      // gpt-4o with totals: 9,000 context over 15 chunks, 3 used; top-k 2 keeps 1,200, cuts 7,800.
      // before 10,000 × 2.5 + 100 × 10 = 26,000 µ$; after 2,200 × 2.5 + 1,000 = 6,500 µ$.
      priced(B, {
        model: 'gpt-4o',
        tokens: { input: 10_000, output: 100 },
        workflow: 'faq',
        tags: { rag_context_tokens: '9000', rag_chunks: '15', rag_chunks_used: '3' },
      }),
      // No retrieval data: not a row, unchanged.
      priced(B, { model: 'gpt-4o', tokens: { input: 1000 }, workflow: 'other' }),
    ];
    const { engine, head } = runSteps([step], recs);
    const r = ragResult(head, engine, step);
    const by = Object.fromEntries(r.groups.map((g) => [g.key.workflow, g]));
    expect(Object.keys(by).sort()).toEqual(['faq', 'kb']);
    expect(by.kb).toMatchObject({
      baselineCost: 0.0375,
      simulatedCost: 0.03555,
      savings: 0.00195,
      chunksRetrieved: 5,
      chunksUsed: 2,
      utilization: 0.5, // 2 used of 4 with a flag
      lowUtilization: false,
      contextTokensBefore: 1050,
      contextTokensAfter: 400,
      contextCutShare: 0.619048, // 650 / 1050
      usedChunksCut: 0,
      usedCutShare: 0,
    });
    expect(by.faq).toMatchObject({
      baselineCost: 0.026,
      simulatedCost: 0.0065,
      savings: 0.0195,
      utilization: 0.2, // 3 / 15 < 30 %: a leak
      lowUtilization: true,
      usedChunksCut: 1,
      usedCutShare: 0.333333,
      requestsAtRisk: 1,
    });
    // The total row adds up the rows shown (37,500 + 26,000 µ$ → 35,550 + 6,500); spend holds all usage read.
    expect(r.totals).toMatchObject({ baselineCost: 0.0635, simulatedCost: 0.04205, savings: 0.02145 });
    expect(r.spend).toEqual({ requests: 3, baselineCost: 0.066 }); // + 1000 × 2.5 µ$
    expect(r.policy).toEqual({ topK: 2, minScore: null, maxContextTokens: null });
  });

  it('recomputes the long-context tier after trimming', () => {
    // 210,000 prompt tokens is above Sonnet's 200k tier: $6 per 1M → $1.26. Top-k 2 of 4 × 10,000-token chunks
    // cuts 20,000: 190,000 at the base $3 = $0.57.
    const chunks = [0.9, 0.8, 0.7, 0.6].map((score) => ({ tokens: 10_000, score }));
    const step = new RagStep({ topK: 2 }, CONFIG);
    const { engine, head } = runSteps(
      [step],
      [priced(B, { model: 'claude-sonnet-4-5', tokens: { input: 210_000 }, rag: { chunks } })],
    );
    const r = ragResult(head, engine, step);
    expect(r.totals).toMatchObject({ baselineCost: 1.26, simulatedCost: 0.57, savings: 0.69 });
  });

  it('measures utilization without a policy, and says nothing was trimmed', () => {
    const step = new RagStep({}, CONFIG);
    const { engine, head } = runSteps(
      [step],
      [priced(B, { model: 'gpt-4o', tokens: { input: 2000 }, rag: { chunks: CHUNKS } })],
    );
    const r = ragResult(head, engine, step);
    expect(r.totals).toMatchObject({ savings: 0, utilization: 0.5, contextTokensAfter: 1050 });
    expect(r.notes[0]).toContain('No trimming policy');
  });

  it('counts unreadable totals tags and leaves them out', () => {
    const step = new RagStep({ topK: 1 }, CONFIG);
    const { engine, head } = runSteps(
      [step],
      [
        priced(B, {
          model: 'gpt-4o',
          tokens: { input: 2000 },
          tags: { rag_context_tokens: 'lots', rag_chunks: '3' },
        }),
      ],
    );
    expect(ragResult(head, engine, step).notes.join(' ')).toContain(
      '1 request(s) have unreadable RAG totals tags',
    );
  });
});
