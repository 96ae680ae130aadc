import { describe, expect, it } from 'vitest';
import { parseConfig, priceOverrides } from '../../src/config/load.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { STARTER_CONFIG } from '../../src/config/starter.ts';

describe('config errors name the key path', () => {
  const cases: { name: string; yaml: string; error: string }[] = [
    {
      name: 'unknown top-level key',
      yaml: 'atribution: {}',
      error: 'f.yaml: (top level): Unrecognized key: "atribution"',
    },
    {
      name: 'rules not a list',
      yaml: 'attribution:\n  rules: {}',
      error: 'f.yaml: attribution.rules: Invalid input: expected array',
    },
    {
      name: 'unknown match key',
      yaml: 'attribution:\n  rules:\n    - match: { modle: x }\n      set: { team: a }',
      error: 'f.yaml: attribution.rules.0.match: Unrecognized key: "modle"',
    },
    {
      name: 'empty set',
      yaml: 'attribution:\n  rules:\n    - match: { model: x }\n      set: {}',
      error: 'f.yaml: attribution.rules.0.set: set needs at least one dimension',
    },
    {
      name: 'unknown set key',
      yaml: 'attribution:\n  rules:\n    - set: { squad: a }',
      error: 'f.yaml: attribution.rules.0.set: Unrecognized key: "squad"',
    },
    {
      name: 'discount out of range',
      yaml: 'pricing:\n  overrides:\n    - model: x\n      discount: 15',
      error: 'f.yaml: pricing.overrides.0.discount: Too big: expected number to be <=1',
    },
    {
      name: 'override without prices',
      yaml: 'pricing:\n  overrides:\n    - model: x',
      error:
        'f.yaml: pricing.overrides.0: give either discount, or input and output prices (USD per 1M tokens)',
    },
    {
      name: 'negative price',
      yaml: 'pricing:\n  overrides:\n    - model: x\n      input: -1\n      output: 2',
      error: 'f.yaml: pricing.overrides.0.input: Too small: expected number to be >=0',
    },
    {
      name: 'bad date',
      yaml: 'pricing:\n  overrides:\n    - model: x\n      input: 1\n      output: 2\n      effective_from: 2026/01/01',
      error: 'f.yaml: pricing.overrides.0.effective_from: expected a date as YYYY-MM-DD',
    },
    {
      name: 'bad time zone',
      yaml: 'timezone: Mars/Olympus',
      error: 'f.yaml: timezone: unknown time zone "Mars/Olympus"',
    },
    { name: 'not YAML', yaml: 'attribution: [', error: 'f.yaml: not valid YAML' },
  ];
  it.each(cases)('$name', ({ yaml, error }) => {
    expect(() => parseConfig(yaml, 'f.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(yaml, 'f.yaml')).toThrow(error);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    expect(() => parseConfig(bomb.join('\n'), 'bomb.yaml')).toThrow(ConfigError);
  });
});

describe('config values', () => {
  it('an empty file gives the defaults', () => {
    const c = parseConfig('', 'f.yaml');
    expect(c.attribution).toEqual({ rules: [], default: 'unattributed' });
    expect(c.pricing.overrides).toEqual([]);
  });

  it('maps overrides to the pricer', () => {
    const c = parseConfig(
      'pricing:\n  overrides:\n    - model: "gpt-4o*"\n      discount: 0.15\n    - model: acme\n      provider: self-hosted\n      input: 0.2\n      output: 0.6\n      cache_read: 0.02\n      batch_input: 0.1\n      effective_from: 2026-01-01\n',
      'f.yaml',
    );
    expect(priceOverrides(c)).toEqual([
      { model: 'gpt-4o*', discount: 0.15 },
      {
        model: 'acme',
        provider: 'self-hosted',
        prices: { input: 0.2, output: 0.6, cacheRead: 0.02 },
        batch: { input: 0.1 },
        effectiveFrom: '2026-01-01',
      },
    ]);
  });

  it('the starter config from `finops init` is valid', () => {
    const c = parseConfig(STARTER_CONFIG, 'finops.yaml');
    expect(c.attribution.rules.length).toBeGreaterThan(0);
  });
});
