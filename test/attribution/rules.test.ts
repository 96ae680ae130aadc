import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { globMatch } from '../../src/attribution/glob.ts';
import { createAttributor } from '../../src/attribution/rules.ts';
import { parseConfig } from '../../src/config/load.ts';
import { stringMap, type UsageRecord } from '../../src/core/record.ts';

function record(over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    start: '2026-10-01T00:00:00.000Z',
    provider: 'openai',
    model: 'gpt-4o-mini',
    modelRaw: 'gpt-4o-mini-2024-07-18',
    requests: 1,
    tokens: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1 },
    dims: {},
    tags: stringMap(),
    source: { file: 'x.jsonl', line: 1, format: 'request-log' },
    ...over,
  };
}

describe('globMatch', () => {
  it.each([
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['*mini', 'gpt-4o-mini', true],
    ['proj_?', 'proj_a', true],
    ['proj_?', 'proj_ab', false],
    ['PROJ_*', 'proj_support', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
  ])('%s vs %s → %s', (p, t, want) => {
    expect(globMatch(p, t)).toBe(want);
  });

  it('agrees with a reference regex on random inputs', () => {
    const alpha = fc.constantFrom('a', 'b', '*', '?');
    fc.assert(
      fc.property(
        fc.array(alpha, { maxLength: 8 }),
        fc.array(fc.constantFrom('a', 'b'), { maxLength: 10 }),
        (p, t) => {
          const pattern = p.join('');
          const text = t.join('');
          const re = new RegExp(`^${pattern.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
          expect(globMatch(pattern, text)).toBe(re.test(text));
        },
      ),
    );
  });

  it('stays linear on a pattern that makes backtracking regexes explode', () => {
    // /^(a*)*b$/-style blow-up: many stars against a long non-matching text. Correctness is the assertion;
    // a catastrophic implementation would not return within the test timeout.
    const pattern = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
    expect(globMatch(pattern, 'a'.repeat(5000))).toBe(false);
  });
});

describe('attribution rules', () => {
  const config = parseConfig(
    `
attribution:
  rules:
    - match: { project: "proj_support*" }
      set: { team: support, app: helpdesk }
    - match: { provider: openai, model: "gpt-4o*" }
      set: { team: platform, workflow: chat }
    - match: { tags: { feature: search } }
      set: { app: search }
    - match: { app: helpdesk }
      set: { environment: prod }
  default: nobody
`,
    'finops.yaml',
  );
  const attr = createAttributor(config.attribution.rules, config.attribution.default);

  it('applies rules in order; the first writer of a dimension wins', () => {
    const r = attr.attribute(record({ dims: { project: 'proj_support_eu' } }));
    // rule 1 sets team+app, rule 2 matches too but team is taken (keeps support) and adds workflow.
    expect(r.dims).toEqual({
      project: 'proj_support_eu',
      team: 'support',
      app: 'helpdesk',
      workflow: 'chat',
      environment: 'prod',
    });
  });

  it("keeps the source's own dimensions", () => {
    const r = attr.attribute(record({ dims: { project: 'proj_support', team: 'billing' } }));
    expect(r.dims.team).toBe('billing');
    expect(r.dims.app).toBe('helpdesk');
  });

  it('matches the raw model id as well as the canonical one', () => {
    const r = attr.attribute(record({ model: 'other', modelRaw: 'gpt-4o-2024-08-06' }));
    expect(r.dims.team).toBe('platform');
  });

  it('matches tags and fills the default for what nothing set', () => {
    const tags = stringMap();
    tags.feature = 'search';
    const r = attr.attribute(
      record({ provider: 'anthropic', model: 'claude-sonnet-4-5', modelRaw: 'claude-sonnet-4-5', tags }),
    );
    expect(r.dims).toEqual({ app: 'search', team: 'nobody', workflow: 'nobody', environment: 'nobody' });
  });

  it('does not read inherited properties as tags', () => {
    const cfg = parseConfig(
      'attribution:\n  rules:\n    - match: { tags: { constructor: "*" } }\n      set: { team: x }\n',
      'f.yaml',
    );
    const r = createAttributor(cfg.attribution.rules, 'u').attribute(record());
    expect(r.dims.team).toBe('u');
  });
});
