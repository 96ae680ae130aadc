// Forecasts of DAILY series (USD or tokens): linear trend, additive Holt-Winters with a weekly period,
// naive and mean fallbacks, and an `auto` choice by rolling-origin backtest. Pure math: no I/O, no clock, no
// randomness, so the same series always gives the same forecast.
//
// Every interval here is Gaussian and treats the fitted parameters as known ("plug-in"), except the linear
// trend, whose OLS formula includes the uncertainty of the fitted line. Real spend has fatter tails
// than that (launches, batch jobs), so the intervals are a floor on the real uncertainty, not a ceiling.
// The backtest error is reported next to each forecast because of that.

/** A forecasting method; `auto` (see {@link MethodChoice}) picks one of these by backtest. */
export type ForecastMethod = 'linear' | 'holt-winters' | 'naive' | 'mean';

/** What a caller may ask for. */
export type MethodChoice = ForecastMethod | 'auto';

/** A point forecast with its central 80 % and 95 % prediction intervals; never negative. */
export interface Band {
  mean: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

/** One forecast day; `index` counts days after the last observation (1 = the next day). */
export interface ForecastPoint extends Band {
  index: number;
}

/** Rolling-origin forecast error: `value` is a fraction (sMAPE 0–2; 0.12 = 12 %), null when history is too short. */
export interface Backtest {
  metric: 'sMAPE' | 'MAPE';
  value: number | null;
  folds: number;
  horizon: number;
}

/** A forecast over `horizon` days, with the interval of the horizon's total and the backtest error. */
export interface Forecast {
  method: ForecastMethod;
  points: ForecastPoint[];
  total: Band;
  backtest: Backtest;
  params: Record<string, number>;
  warnings: string[];
}

/** Options of {@link forecastSeries}. `window` limits the linear fit to the trailing `window` days. */
export interface ForecastOptions {
  window?: number;
}

/** Smoothing parameters of additive Holt-Winters, in the method form of Hyndman & Athanasopoulos. */
export interface HoltWintersParams {
  alpha: number;
  /** β* of the method form (trend smoothing); the ETS form's β is α·β*. */
  beta: number;
  gamma: number;
}

/**
 * Holt-Winters states just before the first observation (or after the last): `season[j]` is the effect of
 * every index t with t mod period = j, so it lines up with the series, not with calendar weekdays.
 */
export interface HoltWintersState {
  level: number;
  trend: number;
  season: number[];
}

/** Days in the seasonal cycle of a daily series (one week). */
export const PERIOD = 7;
/** Below this many days there is no trend or weekly estimate: mean/naive only, widened intervals. */
export const MIN_HISTORY = 7;
/** Holt-Winters needs two full weeks to initialise its weekly pattern. */
export const HW_MIN_HISTORY = 2 * PERIOD;
/** Backtest origins per method. */
export const BACKTEST_FOLDS = 5;
/** Backtest windows forecast at most this many days ahead. */
export const BACKTEST_HORIZON = 7;

// The mean fallback averages the last four weeks: old history of a growing bill would drag it down.
const MEAN_WINDOW = 4 * PERIOD;
// With < MIN_HISTORY days one cannot tell noise from a weekly pattern; an sd from 2–6 days is often tiny
// (e.g. two similar weekdays), so the scale is floored at half the mean level. This is a judgement, not a fit.
const SHORT_SIGMA_FLOOR = 0.5;
// Free parameters of ETS(A,A,A) with m = 7 as forecast::ets counts them: α, β, γ, level, trend, m − 1 seasonals.
const HW_PARAMS = 3 + 2 + (PERIOD - 1);
const Z80 = 1.2815515655446004; // Φ⁻¹(0.90)
const Z95 = 1.959963984540054; // Φ⁻¹(0.975)
// Ties in the backtest go to the earlier method: the structural model first (it nests the others' shapes).
const AUTO_ORDER: readonly ForecastMethod[] = ['holt-winters', 'linear', 'naive', 'mean'];

/** Everything a method fit yields, before clipping: error variances are in squared series units. */
interface Fit {
  method: ForecastMethod;
  means: number[];
  pointVar: number[];
  totalVar: number;
  /** Degrees of freedom of the t quantiles; Infinity means normal quantiles. */
  df: number;
  params: Record<string, number>;
  warnings: string[];
}

/**
 * Forecasts `horizon` days after `values` (one value per consecutive day, oldest first; `firstWeekday` is the
 * weekday of values[0], 0 = Monday). Throws RangeError on non-finite values or bad arguments.
 */
export function forecastSeries(
  values: readonly number[],
  firstWeekday: number,
  horizon: number,
  method: MethodChoice = 'auto',
  opts: ForecastOptions = {},
): Forecast {
  checkInputs(values, firstWeekday, horizon);
  const n = values.length;
  const warnings: string[] = [];
  const bh = Math.max(1, Math.min(horizon, BACKTEST_HORIZON));
  if (n === 0) {
    const fit: Fit = {
      method: 'mean',
      means: [],
      pointVar: [],
      totalVar: 0,
      df: Infinity,
      params: {},
      warnings,
    };
    fit.means = filled(horizon, 0);
    fit.pointVar = filled(horizon, 0);
    warnings.push('no history: the forecast is 0 and its interval means nothing');
    return finish(fit, { metric: 'sMAPE', value: null, folds: 0, horizon: bh }, n, horizon);
  }

  let chosen: ForecastMethod;
  let bt: Backtest;
  if (
    method === 'auto' ||
    (method === 'holt-winters' && n < HW_MIN_HISTORY) ||
    (method === 'linear' && n < 3)
  ) {
    if (method !== 'auto') {
      const need = method === 'linear' ? 3 : HW_MIN_HISTORY;
      warnings.push(
        `${method} needs at least ${need} days of history (has ${n}); chose the method automatically`,
      );
    }
    ({ chosen, bt } = chooseAuto(values, firstWeekday, bh, opts));
  } else {
    chosen = method;
    const minOrigin = method === 'holt-winters' ? HW_MIN_HISTORY : MIN_HISTORY;
    const scores = backtest(values, firstWeekday, bh, [method], minOrigin, opts);
    bt = { metric: 'sMAPE', value: scores.get(method) ?? null, folds: scores.folds, horizon: bh };
  }
  const fit = fitMethod(chosen, values, firstWeekday, horizon, opts);
  fit.warnings.unshift(...warnings);
  if (bt.value === null && n >= MIN_HISTORY) {
    fit.warnings.push(`too little history to backtest (${n} days): the forecast error is unknown`);
  }
  return finish(fit, bt, n, horizon);
}

/**
 * Projects the rest of a period (for budgets: spent so far + this forecast's total); a thin alias of
 * {@link forecastSeries} so that callers say what they mean.
 */
export function projectTotal(
  values: readonly number[],
  firstWeekday: number,
  daysRemaining: number,
  method: MethodChoice = 'auto',
): Forecast {
  return forecastSeries(values, firstWeekday, daysRemaining, method);
}

/**
 * First forecast index at which `cumulativeSoFar` plus the forecast days reach `threshold`, by the daily
 * mean or the daily hi80; 0 when already reached, null when not within the horizon.
 */
export function crossingDay(
  cumulativeSoFar: number,
  forecastPoints: readonly ForecastPoint[],
  threshold: number,
  bound: 'mean' | 'hi80' = 'mean',
): number | null {
  if (cumulativeSoFar >= threshold) return 0;
  // Summing daily hi80s is deliberately pessimistic (every day at its own 90th percentile): an early
  // warning for budgets, not a calibrated quantile of the cumulative sum (use Forecast.total for that).
  let cum = cumulativeSoFar;
  for (const p of forecastPoints) {
    cum += p[bound];
    if (cum >= threshold) return p.index;
  }
  return null;
}

/**
 * Symmetric MAPE as a fraction: 1/N · Σ |F − A| / ((|A| + |F|) / 2), a term being 0 when A = F = 0; range 0–2.
 */
export function smape(actual: readonly number[], predicted: readonly number[]): number {
  const n = Math.min(actual.length, predicted.length);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += smapeTerm(actual[i]!, predicted[i]!);
  return sum / n;
}

function smapeTerm(a: number, f: number): number {
  const d = Math.abs(a) + Math.abs(f);
  return d === 0 ? 0 : (2 * Math.abs(f - a)) / d;
}

// ---------------------------------------------------------------- auto and backtest

function chooseAuto(
  values: readonly number[],
  firstWeekday: number,
  bh: number,
  opts: ForecastOptions,
): { chosen: ForecastMethod; bt: Backtest } {
  const n = values.length;
  if (n < MIN_HISTORY) return { chosen: 'mean', bt: { metric: 'sMAPE', value: null, folds: 0, horizon: bh } };
  // All candidates are scored on the same origins, so the comparison is fair; Holt-Winters joins only when
  // it can be fitted (14 days) at the earliest origin.
  const withHw = n - bh >= HW_MIN_HISTORY;
  const candidates = withHw ? AUTO_ORDER : AUTO_ORDER.filter((m) => m !== 'holt-winters');
  const scores = backtest(values, firstWeekday, bh, candidates, withHw ? HW_MIN_HISTORY : MIN_HISTORY, opts);
  if (scores.folds === 0) {
    // No origin to compare on: the mean of recent days is the least presumptuous choice.
    return { chosen: 'mean', bt: { metric: 'sMAPE', value: null, folds: 0, horizon: bh } };
  }
  let chosen: ForecastMethod = candidates[0]!;
  let best = scores.get(chosen)!;
  for (const m of candidates) {
    const s = scores.get(m)!;
    if (s < best - 1e-9) {
      best = s;
      chosen = m;
    }
  }
  return { chosen, bt: { metric: 'sMAPE', value: best, folds: scores.folds, horizon: bh } };
}

/** sMAPE per method over origins n − bh·k (k = 1…5) that leave at least `minOrigin` training days. */
function backtest(
  values: readonly number[],
  firstWeekday: number,
  bh: number,
  methods: readonly ForecastMethod[],
  minOrigin: number,
  opts: ForecastOptions,
): Map<ForecastMethod, number> & { folds: number } {
  const n = values.length;
  const origins: number[] = [];
  for (let k = 1; k <= BACKTEST_FOLDS; k++) {
    const o = n - bh * k;
    if (o < minOrigin) break;
    origins.push(o);
  }
  const out = Object.assign(new Map<ForecastMethod, number>(), { folds: origins.length });
  if (origins.length === 0) return out;
  for (const m of methods) {
    let sum = 0;
    for (const o of origins) {
      const fit = fitMethod(m, values.slice(0, o), firstWeekday, bh, opts);
      for (let h = 0; h < bh; h++) sum += smapeTerm(values[o + h]!, Math.max(0, fit.means[h]!));
    }
    out.set(m, sum / (origins.length * bh));
  }
  return out;
}

// ---------------------------------------------------------------- assembling the result

function fitMethod(
  method: ForecastMethod,
  values: readonly number[],
  firstWeekday: number,
  horizon: number,
  opts: ForecastOptions,
): Fit {
  switch (method) {
    case 'linear':
      return fitLinear(values, horizon, opts.window);
    case 'holt-winters':
      return fitHoltWinters(values, firstWeekday, horizon);
    case 'naive':
      return fitNaive(values, horizon);
    case 'mean':
      return fitMean(values, horizon);
  }
}

function finish(fit: Fit, backtestResult: Backtest, n: number, horizon: number): Forecast {
  const warnings = fit.warnings;
  if (n > 0 && n < MIN_HISTORY) {
    warnings.push(
      `only ${n} day${n === 1 ? '' : 's'} of history (< ${MIN_HISTORY}): no trend or weekly pattern can be ` +
        `estimated; the interval is widened (scale at least ${SHORT_SIGMA_FLOOR * 100} % of the mean level)`,
    );
  } else if (n >= MIN_HISTORY && n < HW_MIN_HISTORY) {
    warnings.push(`only ${n} days of history: weekly seasonality not fitted (needs ${HW_MIN_HISTORY})`);
  }
  const q80 = quantile(0.9, fit.df);
  const q95 = quantile(0.975, fit.df);
  let clipped = false;
  const points: ForecastPoint[] = [];
  for (let h = 0; h < horizon; h++) {
    const m = fit.means[h]!;
    if (m < 0) clipped = true;
    points.push({ index: h + 1, ...band(m, Math.sqrt(fit.pointVar[h]!), q80, q95) });
  }
  // The total's centre is the sum of the (clipped) daily means, so that it agrees with the points; its spread
  // is the sum's own sd (errors of different days are correlated), never the sum of the daily bounds.
  const centre = points.reduce((s, p) => s + p.mean, 0);
  const total = band(centre, Math.sqrt(fit.totalVar), q80, q95);
  if (clipped)
    warnings.push('the forecast goes below 0 on some days; clipped at 0 (spend cannot be negative)');
  return { method: fit.method, points, total, backtest: backtestResult, params: fit.params, warnings };
}

// Spend and tokens are never negative, so every mean and bound is clipped at 0. Clipping a lower bound
// keeps the interval's coverage (the truth is ≥ 0 anyway); a clipped mean reads "about nothing".
function band(mean: number, sd: number, q80: number, q95: number): Band {
  const s = Number.isFinite(sd) ? sd : 0;
  return {
    mean: Math.max(0, mean),
    lo80: Math.max(0, mean - q80 * s),
    hi80: Math.max(0, mean + q80 * s),
    lo95: Math.max(0, mean - q95 * s),
    hi95: Math.max(0, mean + q95 * s),
  };
}

function checkInputs(values: readonly number[], firstWeekday: number, horizon: number): void {
  if (!Number.isInteger(firstWeekday) || firstWeekday < 0 || firstWeekday > 6) {
    throw new RangeError(`firstWeekday must be an integer 0 (Monday) … 6 (Sunday), got ${firstWeekday}`);
  }
  if (!Number.isInteger(horizon) || horizon < 0) {
    throw new RangeError(`horizon must be a non-negative integer, got ${horizon}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`values[${i}] is not a finite number`);
  }
}

// ---------------------------------------------------------------- mean and naive

// Mean of the last four weeks, iid errors: Var(y_{n+h} − ȳ) = σ²(1 + 1/n); the horizon total's error is
// Σε − H(ȳ − μ), so Var = σ²(H + H²/n). t quantiles with n − 1 df.
function fitMean(values: readonly number[], horizon: number): Fit {
  const w = values.slice(-MEAN_WINDOW);
  const n = w.length;
  const mu = mean(w);
  let sigma = n >= 2 ? Math.sqrt(w.reduce((s, y) => s + (y - mu) ** 2, 0) / (n - 1)) : Math.abs(mu);
  if (values.length < MIN_HISTORY) sigma = Math.max(sigma, SHORT_SIGMA_FLOOR * Math.abs(mu));
  const s2 = sigma * sigma;
  return {
    method: 'mean',
    means: filled(horizon, mu),
    pointVar: filled(horizon, s2 * (1 + 1 / n)),
    totalVar: s2 * (horizon + (horizon * horizon) / n),
    df: Math.max(n - 1, 1),
    params: { mean: mu, sigma, n },
    warnings: [],
  };
}

// Seasonal naive once two weeks exist (tomorrow = the same weekday last week: y_t = y_{t−7} + ε_t), else
// the last value (random walk y_t = y_{t−1} + ε_t). Variances follow from summing the ε's each forecast
// carries: day h carries k + 1 = ⌊(h−1)/7⌋ + 1 (seasonal) or h (random walk) of them, and ε_{n+i} enters the
// total once per later forecast day that depends on it.
function fitNaive(values: readonly number[], horizon: number): Fit {
  const n = values.length;
  const seasonal = n >= HW_MIN_HISTORY;
  const lag = seasonal ? PERIOD : 1;
  let ss = 0;
  for (let t = lag; t < n; t++) ss += (values[t]! - values[t - lag]!) ** 2;
  const dfRaw = n - lag;
  const last = values[n - 1]!;
  let sigma = dfRaw > 0 ? Math.sqrt(ss / dfRaw) : Math.abs(last);
  if (n < MIN_HISTORY) sigma = Math.max(sigma, SHORT_SIGMA_FLOOR * Math.abs(mean(values)));
  const s2 = sigma * sigma;
  const means: number[] = [];
  const pointVar: number[] = [];
  let totalMult = 0;
  for (let h = 1; h <= horizon; h++) {
    const k = Math.floor((h - 1) / PERIOD);
    means.push(seasonal ? values[n - 1 + h - PERIOD * (k + 1)]! : last);
    pointVar.push(s2 * (seasonal ? k + 1 : h));
    // h here doubles as i, the day of a shock ε_{n+i}; it enters every later day of its phase (seasonal) or all.
    totalMult += seasonal ? (Math.floor((horizon - h) / PERIOD) + 1) ** 2 : (horizon - h + 1) ** 2;
  }
  return {
    method: 'naive',
    means,
    pointVar,
    totalVar: s2 * totalMult,
    df: Math.max(dfRaw, 1),
    params: { seasonal: seasonal ? 1 : 0, last, sigma },
    warnings: [],
  };
}

// ---------------------------------------------------------------- linear trend

// OLS y_t = a + b·t on the day index t (absolute, so `intercept` is the value at values[0] even with a
// window). Prediction interval (e.g. Montgomery, Peck & Vining, Introduction to Linear Regression, §2.5):
//   ŷ(x0) ± t_{n−2, 1−α/2} · s · √(1 + 1/n + (x0 − x̄)²/Sxx),   s² = SSE/(n − 2).
// Student t rather than z: s is estimated from as few as 7 points, where t_{5, .975} = 2.57 vs z = 1.96;
// for long windows the two agree. Horizon total: Σ_h(ŷ_h − y_h) = H·[(ā − a) + (b̂ − b)·x̄_H] − Σε, so
//   Var = s²·[H + H²·(1/n + (x̄_H − x̄)²/Sxx)],   x̄_H = mean of the forecast days' indices.
// Exact for iid normal residuals; daily spend residuals are autocorrelated (weekly pattern, regimes), so
// this interval is optimistic for such series, which the backtest shows.
function fitLinear(values: readonly number[], horizon: number, window?: number): Fit {
  const n = values.length;
  const start = window !== undefined && window >= 3 ? Math.max(0, n - Math.floor(window)) : 0;
  const m = n - start;
  const xBar = start + (m - 1) / 2;
  let yBar = 0;
  for (let t = start; t < n; t++) yBar += values[t]!;
  yBar /= m;
  let sxx = 0;
  let sxy = 0;
  for (let t = start; t < n; t++) {
    const dx = t - xBar;
    sxx += dx * dx;
    sxy += dx * (values[t]! - yBar);
  }
  const slope = sxy / sxx;
  const intercept = yBar - slope * xBar;
  let sse = 0;
  for (let t = start; t < n; t++) sse += (values[t]! - intercept - slope * t) ** 2;
  const df = m - 2;
  let sigma = Math.sqrt(sse / df);
  if (n < MIN_HISTORY) sigma = Math.max(sigma, SHORT_SIGMA_FLOOR * Math.abs(yBar));
  const s2 = sigma * sigma;
  const means: number[] = [];
  const pointVar: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    const x0 = n - 1 + h;
    means.push(intercept + slope * x0);
    pointVar.push(s2 * (1 + 1 / m + (x0 - xBar) ** 2 / sxx));
  }
  const xH = n - 1 + (horizon + 1) / 2;
  const totalVar = s2 * (horizon + horizon * horizon * (1 / m + (xH - xBar) ** 2 / sxx));
  return {
    method: 'linear',
    means,
    pointVar,
    totalVar,
    df,
    params: { intercept, slope, sigma, n: m, df },
    warnings: [],
  };
}

// ---------------------------------------------------------------- Holt-Winters

/**
 * Runs additive Holt-Winters over `values` from the state `init` (method form, Hyndman & Athanasopoulos,
 * fpp2 §7.3): returns one-step fitted values, their SSE and the final state.
 */
export function holtWintersFilter(
  values: readonly number[],
  period: number,
  params: HoltWintersParams,
  init: HoltWintersState,
): { fitted: number[]; sse: number; state: HoltWintersState } {
  const fitted: number[] = [];
  const r = runHw(values, period, params, init, fitted);
  return { fitted, sse: r.sse, state: r.state };
}

//   ŷ_t = ℓ_{t−1} + b_{t−1} + s_{t−m}
//   ℓ_t = α(y_t − s_{t−m}) + (1 − α)(ℓ_{t−1} + b_{t−1})
//   b_t = β*(ℓ_t − ℓ_{t−1}) + (1 − β*)b_{t−1}
//   s_t = γ(y_t − ℓ_{t−1} − b_{t−1}) + (1 − γ)s_{t−m}
// (fpp2's seasonal equation, as forecast::hw implements it; R's stats::HoltWinters uses y_t − ℓ_t instead.)
function runHw(
  values: readonly number[],
  period: number,
  p: HoltWintersParams,
  init: HoltWintersState,
  fitted?: number[],
): { sse: number; state: HoltWintersState } {
  const s = Float64Array.from(init.season);
  let l = init.level;
  let b = init.trend;
  let sse = 0;
  for (let t = 0; t < values.length; t++) {
    const j = t % period;
    const y = values[t]!;
    const sj = s[j]!;
    const yHat = l + b + sj;
    fitted?.push(yHat);
    const e = y - yHat;
    sse += e * e;
    const lNew = p.alpha * (y - sj) + (1 - p.alpha) * (l + b);
    s[j] = p.gamma * (y - l - b) + (1 - p.gamma) * sj;
    b = p.beta * (lNew - l) + (1 - p.beta) * b;
    l = lNew;
  }
  return { sse, state: { level: l, trend: b, season: Array.from(s) } };
}

/**
 * "Simple" initial states (fpp2 §7.6; forecast::hw(initial = "simple"); statsmodels "simple"): level = mean
 * of the first cycle, trend = (mean of cycle 2 − mean of cycle 1)/m, season = first cycle − level.
 */
export function holtWintersSimpleInit(values: readonly number[], period: number): HoltWintersState {
  const first = mean(values.slice(0, period));
  const second = mean(values.slice(period, 2 * period));
  return {
    level: first,
    trend: (second - first) / period,
    season: values.slice(0, period).map((y) => y - first),
  };
}

/**
 * Heuristic initial states (Hyndman, Koehler, Ord & Snyder 2008, "Forecasting with Exponential Smoothing",
 * §2.6.1; statsmodels initialization_method="heuristic"); needs two full cycles.
 */
export function holtWintersInit(values: readonly number[], period: number): HoltWintersState {
  // 1. A centred moving average (2×m-MA for even m) over the first k = min(5, ⌊n/m⌋) cycles.
  const k = Math.min(5, Math.floor(values.length / period));
  const len = k * period;
  const half = Math.floor(period / 2);
  const sums = filled(period, 0);
  const counts = filled(period, 0);
  for (let t = half; t < len - half; t++) {
    let ma: number;
    if (period % 2 === 1) {
      ma = 0;
      for (let i = t - half; i <= t + half; i++) ma += values[i]!;
      ma /= period;
    } else {
      ma = (values[t - half]! / 2 + values[t + half]! / 2) / period;
      for (let i = t - half + 1; i < t + half; i++) ma += values[i]! / period;
    }
    // 2. Seasonal index of phase j: mean of (y − MA) over its detrended values, then centred to sum 0.
    const j = t % period;
    sums[j]! += values[t]! - ma;
    counts[j]! += 1;
  }
  const raw = sums.map((s, j) => (counts[j]! > 0 ? s / counts[j]! : 0));
  const centre = mean(raw);
  const season = raw.map((s) => s - centre);
  // 3. Level and trend: OLS of the seasonally adjusted values on t + 1, so the intercept is the state just
  // before values[0]. Hyndman et al. use the first 10 values; we use two full cycles (14 days), so each
  // weekday weighs the same. (statsmodels regresses the MA itself and its intercept lands m/2 days late.)
  const fitLen = Math.min(values.length, 2 * period);
  const xBar = (fitLen + 1) / 2;
  let yBar = 0;
  for (let t = 0; t < fitLen; t++) yBar += values[t]! - season[t % period]!;
  yBar /= fitLen;
  let sxx = 0;
  let sxy = 0;
  for (let t = 0; t < fitLen; t++) {
    const dx = t + 1 - xBar;
    sxx += dx * dx;
    sxy += dx * (values[t]! - season[t % period]! - yBar);
  }
  const trend = sxy / sxx;
  return { level: yBar - trend * xBar, trend, season };
}

/**
 * Forecast-error variance multipliers of ETS(A,A,A) (Hyndman et al. 2008, ch. 6, class 1; fpp2 Table 7.8):
 * Var(e_{n+h}) = σ²·Σ_{j<h} c_j², c_0 = 1, c_j = α + αβ*·j + γ·[j mod m = 0]; `total` is Var(Σ_h e_{n+h})/σ².
 */
export function holtWintersVariance(
  params: HoltWintersParams,
  period: number,
  horizon: number,
): { point: number[]; total: number } {
  // The method's β* is the ETS β divided by α (fpp2 §7.5), hence αβ* in c_j.
  const c: number[] = [1];
  for (let j = 1; j < horizon; j++) {
    c.push(params.alpha + params.alpha * params.beta * j + (j % period === 0 ? params.gamma : 0));
  }
  const point: number[] = [];
  let acc = 0;
  for (let h = 0; h < horizon; h++) {
    acc += c[h]! ** 2;
    point.push(acc);
  }
  // e_{n+h} = Σ_{j<h} c_j ε_{n+h−j}, so the shock ε_{n+i} enters the total with weight C_{H−i} = Σ_{j≤H−i} c_j:
  // Var(total)/σ² = Σ_{i=1..H} C_{H−i}². Exact under the model (not the sum of per-day bounds).
  let total = 0;
  let cum = 0;
  for (let j = 0; j < horizon; j++) {
    cum += c[j]!;
    total += cum * cum;
  }
  return { point, total };
}

/**
 * Fits α, β*, γ by minimising the one-step SSE from the heuristic start: a coarse grid, then Nelder–Mead
 * inside 0 ≤ α, β* ≤ 1, 0 ≤ γ ≤ 1 − α (the usual region, fpp2 §7.3). Deterministic.
 */
export function fitHoltWintersParams(
  values: readonly number[],
  period: number,
  init: HoltWintersState,
): HoltWintersParams {
  const f = (x: readonly number[]): number => {
    const sse = runHw(values, period, project(x), init).sse;
    // A divergent recursion (e.g. α = β* = 1 on a wild series) is just a bad candidate.
    return Number.isFinite(sse) ? sse : Number.MAX_VALUE;
  };
  let best = [0.2, 0.05, 0.1];
  let bestF = Infinity;
  for (const a of [0.05, 0.2, 0.4, 0.6, 0.8, 0.95]) {
    for (const b of [0, 0.05, 0.2]) {
      for (const g of [0, 0.1, 0.3, 0.6]) {
        if (g > 1 - a) continue;
        const v = f([a, b, g]);
        if (v < bestF) {
          bestF = v;
          best = [a, b, g];
        }
      }
    }
  }
  return project(nelderMead(f, best, 0.1, 200));
}

function project(x: readonly number[]): HoltWintersParams {
  const alpha = clamp01(x[0]!);
  return { alpha, beta: clamp01(x[1]!), gamma: Math.min(clamp01(x[2]!), 1 - alpha) };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

// Plain Nelder–Mead (reflection 1, expansion 2, contraction ½, shrink ½); the caller clamps to the box.
function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  step: number,
  maxIter: number,
): number[] {
  const d = x0.length;
  const simplex: { x: number[]; f: number }[] = [{ x: [...x0], f: f(x0) }];
  for (let i = 0; i < d; i++) {
    const x = [...x0];
    // Step inward when a step outward would leave [0, 1], so the simplex is not flat from the start.
    x[i] = x[i]! + step <= 1 ? x[i]! + step : x[i]! - step;
    simplex.push({ x, f: f(x) });
  }
  const at = (a: readonly number[], b: readonly number[], t: number): number[] =>
    a.map((v, i) => v + t * (b[i]! - v));
  for (let iter = 0; iter < maxIter; iter++) {
    simplex.sort((p, q) => p.f - q.f);
    const lo = simplex[0]!;
    const hi = simplex[d]!;
    if (hi.f - lo.f <= 1e-10 * (Math.abs(lo.f) + 1e-300)) break;
    const centroid = filled(d, 0);
    for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) centroid[k]! += simplex[i]!.x[k]! / d;
    const xr = at(centroid, hi.x, -1);
    const fr = f(xr);
    if (fr < lo.f) {
      const xe = at(centroid, hi.x, -2);
      const fe = f(xe);
      simplex[d] = fe < fr ? { x: xe, f: fe } : { x: xr, f: fr };
    } else if (fr < simplex[d - 1]!.f) {
      simplex[d] = { x: xr, f: fr };
    } else {
      const xc = fr < hi.f ? at(centroid, xr, 0.5) : at(centroid, hi.x, 0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, hi.f)) {
        simplex[d] = { x: xc, f: fc };
      } else {
        for (let i = 1; i <= d; i++) {
          const x = at(lo.x, simplex[i]!.x, 0.5);
          simplex[i] = { x, f: f(x) };
        }
      }
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  return simplex[0]!.x;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

// σ² = SSE/(n − p) with p = 11 free parameters (as forecast::ets counts them); t quantiles with n − p df are
// our small-sample widening (Hyndman et al. use normal quantiles; for n ≥ 60 the difference is < 3 %).
function fitHoltWinters(values: readonly number[], firstWeekday: number, horizon: number): Fit {
  const n = values.length;
  const init = holtWintersInit(values, PERIOD);
  const p = fitHoltWintersParams(values, PERIOD, init);
  const { sse, state } = runHw(values, PERIOD, p, init);
  const df = Math.max(n - HW_PARAMS, 1);
  const sigma = Math.sqrt(sse / df);
  const v = holtWintersVariance(p, PERIOD, horizon);
  const means: number[] = [];
  for (let h = 1; h <= horizon; h++)
    means.push(state.level + h * state.trend + state.season[(n - 1 + h) % PERIOD]!);
  const params: Record<string, number> = {
    alpha: p.alpha,
    beta: p.beta,
    gamma: p.gamma,
    level: state.level,
    trend: state.trend,
    initialLevel: init.level,
    initialTrend: init.trend,
    sigma,
    sse,
    df,
  };
  // The weekly effects by calendar weekday, for reports ("Saturdays run $40 under the level").
  for (let j = 0; j < PERIOD; j++) params[`season_${WEEKDAYS[(firstWeekday + j) % 7]!}`] = state.season[j]!;
  return {
    method: 'holt-winters',
    means,
    pointVar: v.point.map((x) => x * sigma * sigma),
    totalVar: v.total * sigma * sigma,
    df,
    params,
    warnings: [],
  };
}

// ---------------------------------------------------------------- small numeric helpers

function filled(length: number, value: number): number[] {
  return Array.from({ length }, () => value);
}

function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

const tCache = new Map<string, number>();

function quantile(p: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e7) return p === 0.9 ? Z80 : p === 0.975 ? Z95 : Number.NaN;
  return studentTQuantile(p, df);
}

/**
 * Quantile of Student's t with `df` degrees of freedom (p in (0.5, 1)), by bisection on the CDF
 * 1 − ½·I_{df/(df+t²)}(df/2, ½); cached per (p, df).
 */
export function studentTQuantile(p: number, df: number): number {
  const key = `${p}:${df}`;
  const hit = tCache.get(key);
  if (hit !== undefined) return hit;
  const cdf = (t: number): number => 1 - 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  let lo = 0;
  let hi = 1;
  while (cdf(hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  const q = (lo + hi) / 2;
  tCache.set(key, q);
  return q;
}

// Regularised incomplete beta I_x(a, b) by its continued fraction (modified Lentz; Numerical Recipes §6.4).
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaFraction(1 - x, b, a)) / b;
  return (front * betaFraction(x, a, b)) / a;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

// Lanczos approximation (g = 7, n = 9), ~15 significant digits for x > 0.
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}
