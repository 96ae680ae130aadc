import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParseItem, ParseProblem, UsageRecord } from '../../src/core/record.ts';
import type { InputSource } from '../../src/io/input.ts';
import { claudeCodeParser } from '../../src/parsers/claude-code.ts';
import { outsidePeriod, requestLogParser } from '../../src/parsers/request-log.ts';

async function collect(items: AsyncIterable<ParseItem[]>) {
  const got = { records: [] as UsageRecord[], problems: [] as ParseProblem[] };
  for await (const batch of items) {
    for (const i of batch) {
      if (i.kind === 'record') got.records.push(i.record);
      else if (i.kind === 'problem') got.problems.push(i.problem);
    }
  }
  return got;
}

function input(text: string, hints?: InputSource['hints']): InputSource {
  return {
    name: 'x.jsonl',
    head: text.slice(0, 65536),
    ...(hints ? { hints } : {}),
    chunks: async function* () {
      yield Buffer.from(text);
    },
  };
}

const FROM = '2026-10-02T00:00:00.000Z';
const TO = '2026-10-03T00:00:00.000Z';

describe('request-log: lines outside the period skipped by their timestamp text', () => {
  it('skips a line only when its parsed start is outside the period', () => {
    const stamp = fc
      .integer({ min: Date.UTC(2026, 9, 1), max: Date.UTC(2026, 9, 4) })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(
        stamp,
        fc.dictionary(
          fc.constantFrom('model', 'timestamp', 'ts', 'meta', 'x'),
          fc.oneof(fc.string(), stamp, fc.object()),
        ),
        fc.boolean(),
        (ts, rest, first) => {
          const obj = first ? { timestamp: ts, ...rest } : { ...rest, timestamp: ts };
          const text = JSON.stringify(obj);
          if (outsidePeriod(text, FROM, TO)) {
            const parsed = JSON.parse(text) as { timestamp: string };
            expect(parsed.timestamp < FROM || parsed.timestamp >= TO).toBe(true);
            expect(parsed.timestamp).toBe(text.slice(14, 38));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("skips the lines of finops' own shape, counting them, and parses the rest", async () => {
    const lines = [
      `{"timestamp":"2026-10-01T10:00:00.000Z","provider":"openai","model":"gpt-4o","tokens":{"input":1,"output":1}}`,
      `{"timestamp":"2026-10-02T10:00:00.000Z","provider":"openai","model":"gpt-4o","tokens":{"input":2,"output":1}}`,
      `{"provider":"openai","timestamp":"2026-10-01T10:00:00.000Z","model":"gpt-4o","tokens":{"input":4,"output":1}}`,
    ];
    const hints = { from: FROM, to: TO, outOfPeriod: 0 };
    const got = await collect(requestLogParser.parse(input(lines.join('\n') + '\n', hints)));
    expect(got.records.map((r) => r.tokens.input)).toEqual([2, 4]); // the third is parsed (judged after parsing)
    expect(hints.outOfPeriod).toBe(1);
  });
});

describe('claude-code: lines that cannot be assistant lines are not parsed', () => {
  it('yields the same records and problems as parsing every line', async () => {
    const lines = [
      '{"type":"user","sessionId":"s","message":{"role":"user","content":"hi"},"timestamp":"2026-10-01T00:00:00.000Z"}',
      '{"type":"user","sessionId":"s","message":{"role":"user","content":"bad \\u00e9"}, oops}',
      '{"type":"\\u0061ssistant","sessionId":"s","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-5","usage":{"input_tokens":3,"output_tokens":4}},"timestamp":"2026-10-01T00:00:01.000Z"}',
      '{"type":"user","sessionId":"s","message":{"role":"user","content":"truncat',
    ];
    const got = await collect(claudeCodeParser.parse(input(lines.join('\n') + '\n')));
    expect(got.records.map((r) => r.tokens.output)).toEqual([4]); // the escaped "assistant" is still read
    expect(got.problems.map((p) => p.line)).toEqual([2, 4]); // broken lines are parsed, so reported
  });
});
