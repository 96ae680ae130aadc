import { describe, expect, it } from 'vitest';
import { ANOMALY_DEFAULTS, detectAnomalies } from '../../src/analysis/anomalies.ts';

// Deterministic small noise (±2 %), so the MAD is not 0 and the floor is not what decides.
const jitter = (t: number): number => 1 + 0.02 * Math.sin(t * 2.7);

describe('detectAnomalies', () => {
  it('finds one spike in a flat series; expected is the level and the scale floor keeps the score finite', () => {
    const y = Array.from({ length: 60 }, () => 100);
    y[40] = 200;
    const a = detectAnomalies(y, 0);
    expect(a).toEqual([{ index: 40, expected: 100, actual: 200, score: 20, direction: 'spike' }]);
    // Flat history: MAD = 0, so the scale is the 5 % floor (5), and the score is (200 − 100) / 5.
    expect(a[0]!.score).toBeGreaterThan(ANOMALY_DEFAULTS.threshold);
  });

  it('finds a spike in a noisy series, against the weekday median', () => {
    const pattern = [100, 100, 100, 100, 100, 20, 20];
    const y = Array.from({ length: 56 }, (_, t) => pattern[t % 7]! * jitter(t));
    y[47] = 60; // a Saturday (values[0] is a Monday) at 3× its norm, still below any weekday
    const a = detectAnomalies(y, 0);
    expect(a.map((x) => x.index)).toEqual([47]);
    expect(a[0]!.expected).toBeGreaterThan(19);
    expect(a[0]!.expected).toBeLessThan(21);
  });

  it('a weekday pattern is not an anomaly: low weekends are normal', () => {
    const pattern = [100, 110, 105, 100, 95, 20, 15];
    const y = Array.from({ length: 70 }, (_, t) => pattern[t % 7]! * jitter(t));
    expect(detectAnomalies(y, 0)).toEqual([]);
    // Once three of each weekday are in the window, weekends are judged against weekends, so not even as drops.
    expect(detectAnomalies(y, 0, { drops: true }).filter((x) => x.index >= 21)).toEqual([]);
  });

  it('gradual growth is not flagged', () => {
    expect(
      detectAnomalies(
        Array.from({ length: 90 }, (_, t) => 100 + 3 * t),
        0,
      ),
    ).toEqual([]);
    expect(
      detectAnomalies(
        Array.from({ length: 90 }, (_, t) => (50 + 2 * t) * jitter(t)),
        4,
        { drops: true },
      ),
    ).toEqual([]);
  });

  it('does not judge the first days (not enough history)', () => {
    const y = [100, 100, 900, 100, 100, 100, 100, 100, 100, 100];
    expect(detectAnomalies(y, 0)).toEqual([]);
    y[8] = 900;
    expect(detectAnomalies(y, 0).map((x) => x.index)).toEqual([8]);
  });

  it('zeros: nothing flagged, no NaN; spend after a silent stretch is a spike', () => {
    expect(
      detectAnomalies(
        Array.from({ length: 40 }, () => 0),
        0,
        { drops: true },
      ),
    ).toEqual([]);
    const y = Array.from({ length: 40 }, () => 0);
    y[30] = 5;
    const a = detectAnomalies(y, 0);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ index: 30, expected: 0, actual: 5, direction: 'spike' });
    expect(Number.isFinite(a[0]!.score)).toBe(true);
    // A cent of spend is within the absolute floor: not flagged.
    y[30] = 0.01;
    expect(detectAnomalies(y, 0)).toEqual([]);
  });

  it('reports drops only when asked, and honours threshold and window', () => {
    const y = Array.from({ length: 40 }, (_, t) => 100 * jitter(t));
    y[35] = 10;
    expect(detectAnomalies(y, 0)).toEqual([]);
    const d = detectAnomalies(y, 0, { drops: true });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ index: 35, direction: 'drop' });
    expect(d[0]!.score).toBeLessThan(-ANOMALY_DEFAULTS.threshold);
    y[36] = 150;
    expect(detectAnomalies(y, 0, { threshold: 1000 })).toEqual([]);
    expect(detectAnomalies(y, 0, { minHistory: 37 })).toEqual([]);
  });
});
