// Robust spike detection on DAILY series: each day against a trailing window, by median and MAD, weekday by
// weekday once there is enough history. Pure math: no I/O.

/** A day far from its expected value; `score` is signed (negative for drops). */
export interface DailyAnomaly {
  index: number;
  expected: number;
  actual: number;
  score: number;
  direction: 'spike' | 'drop';
}

/** Options of {@link detectAnomalies}; see ANOMALY_DEFAULTS for the defaults and docs/forecasting.md. */
export interface AnomalyOptions {
  /** Flag |score| above this (default 3.5). */
  threshold?: number;
  /** Days in the trailing window before a day can be judged (default 7). */
  minHistory?: number;
  /** Trailing window in days (default 28). */
  window?: number;
  /** Also report drops (default: spikes only). */
  drops?: boolean;
  /** Absolute floor of the scale, in series units (default 0.01: one cent; pass e.g. 1000 for tokens). */
  minScale?: number;
}

/** Defaults of {@link AnomalyOptions}, plus the relative scale floor (5 % of the expected value). */
export const ANOMALY_DEFAULTS = {
  threshold: 3.5,
  minHistory: 7,
  window: 28,
  minScale: 0.01,
  relativeFloor: 0.05,
} as const;

/** MAD × 1.4826 estimates σ for normal data (1/Φ⁻¹(0.75)); the modified z of Iglewicz & Hoaglin uses 0.6745 = 1/1.4826. */
export const MAD_SCALE = 1.4826;

// Same-weekday median only from this many observations: the median of 1–2 values is just those values.
const MIN_SAME_WEEKDAY = 3;

/**
 * Days whose value is far from the trailing window's median (same-weekday median when the window holds ≥ 3
 * of that weekday): score = (actual − expected) / max(1.4826·MAD, 5 % of |expected|, minScale), flagged when
 * above `threshold` (Iglewicz & Hoaglin 1993, modified z-score > 3.5). `firstWeekday`: weekday of values[0], 0 = Monday.
 */
export function detectAnomalies(
  values: readonly number[],
  firstWeekday: number,
  opts: AnomalyOptions = {},
): DailyAnomaly[] {
  if (!Number.isInteger(firstWeekday) || firstWeekday < 0 || firstWeekday > 6) {
    throw new RangeError(`firstWeekday must be an integer 0 (Monday) … 6 (Sunday), got ${firstWeekday}`);
  }
  const threshold = opts.threshold ?? ANOMALY_DEFAULTS.threshold;
  const minHistory = Math.max(1, opts.minHistory ?? ANOMALY_DEFAULTS.minHistory);
  const window = Math.max(minHistory, opts.window ?? ANOMALY_DEFAULTS.window);
  // Never 0: a zero scale would turn a flat zero series into 0/0.
  const minScale = Math.max(opts.minScale ?? ANOMALY_DEFAULTS.minScale, 1e-12);
  const out: DailyAnomaly[] = [];
  const weekday = (i: number): number => (firstWeekday + i) % 7;

  for (let i = minHistory; i < values.length; i++) {
    const actual = values[i]!;
    if (!Number.isFinite(actual)) continue;
    const start = Math.max(0, i - window);
    // Only the past: the day being judged must not pull its own baseline (or its scale) towards itself.
    const win: number[] = [];
    const byDay: number[][] = [[], [], [], [], [], [], []];
    for (let j = start; j < i; j++) {
      const v = values[j]!;
      if (!Number.isFinite(v)) continue;
      win.push(v);
      byDay[weekday(j)]!.push(v);
    }
    if (win.length < minHistory) continue;
    const overall = median(win);
    const dayMedian = byDay.map((g) => (g.length >= MIN_SAME_WEEKDAY ? median(g) : overall));
    const expected = dayMedian[weekday(i)]!;
    // Scale from the whole window's residuals around each day's own baseline, so that a normal weekday
    // pattern (low weekends) does not count as spread; 28 residuals give a steadier MAD than 4 same-weekday values.
    // Each residual is taken against its weekday's median *without that day* (leave-one-out): with 3–4 values a
    // weekday, an in-sample median sits on one of them, half the residuals are ~0 and the MAD comes out about
    // half the real spread, which flagged ordinary busy days on the demo data.
    const resid: number[] = [];
    for (let j = start; j < i; j++) {
      const v = values[j]!;
      if (!Number.isFinite(v)) continue;
      const g = byDay[weekday(j)]!;
      let base = overall;
      if (g.length - 1 >= MIN_SAME_WEEKDAY - 1 && g.length >= MIN_SAME_WEEKDAY) {
        const others = [...g];
        others.splice(others.indexOf(v), 1);
        base = median(others);
      }
      resid.push(v - base);
    }
    const rMed = median(resid);
    const mad = median(resid.map((r) => Math.abs(r - rMed)));
    // The floor: a flat history has MAD = 0, which would make any blip infinitely unusual. 5 % of the
    // expected value means a change under 5 %·threshold (17.5 % at 3.5) is never flagged; minScale covers
    // expected = 0 (a day of spend after a silent month scores actual/minScale).
    const scale = Math.max(MAD_SCALE * mad, ANOMALY_DEFAULTS.relativeFloor * Math.abs(expected), minScale);
    const score = (actual - expected) / scale;
    if (score > threshold) out.push({ index: i, expected, actual, score, direction: 'spike' });
    else if (opts.drops === true && score < -threshold)
      out.push({ index: i, expected, actual, score, direction: 'drop' });
  }
  return out;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
