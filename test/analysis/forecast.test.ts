import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crossingDay,
  forecastSeries,
  holtWintersFilter,
  holtWintersInit,
  holtWintersSimpleInit,
  holtWintersVariance,
  projectTotal,
  smape,
  studentTQuantile,
  type Forecast,
  type ForecastMethod,
  type HoltWintersState,
} from '../../src/analysis/forecast.ts';

const METHODS: ForecastMethod[] = ['linear', 'holt-winters', 'naive', 'mean'];
const PATTERN = [10, 12, 11, 13, 15, 3, 2]; // Mon … Sun: weekends low

function allNumbers(f: Forecast): number[] {
  return [
    ...f.points.flatMap((p) => [p.mean, p.lo80, p.hi80, p.lo95, p.hi95]),
    ...Object.values(f.total),
    ...Object.values(f.params),
    ...(f.backtest.value === null ? [] : [f.backtest.value]),
  ];
}

function width(f: Forecast): number {
  return Math.max(...f.points.map((p) => p.hi95 - p.lo95), f.total.hi95 - f.total.lo95);
}

describe('linear', () => {
  it('recovers y = 5 + 2t exactly, with (near) zero-width intervals', () => {
    const y = Array.from({ length: 30 }, (_, t) => 5 + 2 * t);
    for (const window of [undefined, 10]) {
      const f = forecastSeries(y, 0, 7, 'linear', { window });
      expect(f.method).toBe('linear');
      expect(f.params.slope).toBeCloseTo(2, 12);
      expect(f.params.intercept).toBeCloseTo(5, 10);
      expect(f.points.map((p) => p.mean)).toEqual(Array.from({ length: 7 }, (_, h) => 5 + 2 * (30 + h)));
      expect(f.total.mean).toBeCloseTo(
        Array.from({ length: 7 }, (_, h) => 5 + 2 * (30 + h)).reduce((a, b) => a + b),
        9,
      );
      expect(width(f)).toBeLessThan(1e-9);
      expect(f.warnings).toEqual([]);
    }
  });

  // y = 10 + 2t + e with e ⟂ (1, t), so OLS gives a = 10, b = 2, SSE = 4, s² = 4/5 exactly.
  // Quantiles from printed t tables: t(5; .975) = 2.5706, t(5; .90) = 1.4759.
  it('uses the OLS prediction-interval formula with Student t quantiles (hand-computed)', () => {
    const y = [11, 11, 14, 16, 18, 19, 23];
    const f = forecastSeries(y, 0, 2, 'linear');
    expect(f.params.slope).toBeCloseTo(2, 12);
    expect(f.params.intercept).toBeCloseTo(10, 12);
    expect(f.params.sigma).toBeCloseTo(Math.sqrt(0.8), 12);
    const p1 = f.points[0]!;
    expect(p1.mean).toBeCloseTo(24, 10);
    // Var(h=1) = s²(1 + 1/7 + (7 − 3)²/28) = 0.8 · 12/7
    const sd1 = Math.sqrt((0.8 * 12) / 7);
    expect(p1.hi95 - p1.mean).toBeCloseTo(2.5706 * sd1, 3);
    expect(p1.hi80 - p1.mean).toBeCloseTo(1.4759 * sd1, 3);
    // Total of 2 days: Var = s²[H + H²(1/n + (x̄_H − x̄)²/Sxx)] = 0.8 · [2 + 4 · (1/7 + 4.5²/28)]
    const sdT = Math.sqrt(0.8 * (2 + 4 * (1 / 7 + 4.5 ** 2 / 28)));
    expect(f.total.mean).toBeCloseTo(24 + 26, 10);
    expect(f.total.hi95 - f.total.mean).toBeCloseTo(2.5706 * sdT, 3);
    // The total's interval is narrower than the sum of the daily ones (errors do not all line up).
    const sumDaily = f.points.reduce((s, p) => s + (p.hi95 - p.mean), 0);
    expect(f.total.hi95 - f.total.mean).toBeLessThan(sumDaily);
  });

  it('Student t quantiles match printed tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.5706, 4);
    expect(studentTQuantile(0.9, 10)).toBeCloseTo(1.3722, 4);
    expect(studentTQuantile(0.975, 1000)).toBeCloseTo(1.9623, 4);
  });

  it('is shift-invariant: adding c moves means by c and keeps widths (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 8, maxLength: 60 }),
        fc.double({ min: 1e4, max: 1e6, noNaN: true }),
        fc.double({ min: 1e4, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        (y, c1, c2, h) => {
          // Both shifts are large enough that no bound is clipped at 0, so the identity is exact up to rounding.
          const a = forecastSeries(
            y.map((v) => v + c1),
            0,
            h,
            'linear',
          );
          const b = forecastSeries(
            y.map((v) => v + c2),
            0,
            h,
            'linear',
          );
          const tol = 1e-7 * Math.max(c1, c2);
          for (let i = 0; i < h; i++) {
            const p = a.points[i]!;
            const q = b.points[i]!;
            expect(Math.abs(p.mean - q.mean - (c1 - c2))).toBeLessThan(tol);
            expect(Math.abs(p.hi95 - p.lo95 - (q.hi95 - q.lo95))).toBeLessThan(tol);
            expect(Math.abs(p.hi80 - p.lo80 - (q.hi80 - q.lo80))).toBeLessThan(tol);
          }
          expect(Math.abs(a.total.hi95 - a.total.lo95 - (b.total.hi95 - b.total.lo95))).toBeLessThan(tol * h);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is scale-equivariant: multiplying by k > 0 scales means and widths by k (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 3, maxLength: 60 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        (y, k, h) => {
          // Clipping at 0 commutes with k > 0, so this holds even where bounds are clipped.
          const a = forecastSeries(y, 3, h, 'linear');
          const b = forecastSeries(
            y.map((v) => v * k),
            3,
            h,
            'linear',
          );
          const close = (u: number, v: number): boolean =>
            Math.abs(u - v) <= 1e-7 * (Math.abs(v) + 1e-6 * k + 1);
          for (let i = 0; i < h; i++) {
            for (const key of ['mean', 'lo80', 'hi80', 'lo95', 'hi95'] as const) {
              expect(close(b.points[i]![key], k * a.points[i]![key])).toBe(true);
            }
          }
          for (const key of ['mean', 'lo80', 'hi80', 'lo95', 'hi95'] as const) {
            expect(close(b.total[key], k * a.total[key])).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('holt-winters', () => {
  it('reproduces a pure weekly pattern within 1e-6', () => {
    const y = Array.from({ length: 35 }, (_, t) => 40 + PATTERN[t % 7]!);
    const f = forecastSeries(y, 0, 14, 'holt-winters');
    expect(f.method).toBe('holt-winters');
    f.points.forEach((p, h) => expect(Math.abs(p.mean - (40 + PATTERN[(35 + h) % 7]!))).toBeLessThan(1e-6));
    expect(width(f)).toBeLessThan(1e-6);
    // Weekday effects are labelled by calendar day: values[0] is a Wednesday here.
    const g = forecastSeries(y, 2, 1, 'holt-winters');
    expect(g.params.season_wed! - g.params.season_sat!).toBeCloseTo(PATTERN[0]! - PATTERN[3]!, 6);
  });

  it('auto picks Holt-Winters over linear on a trending weekly pattern', () => {
    const y = Array.from({ length: 42 }, (_, t) => 50 + 0.5 * t + PATTERN[t % 7]!);
    const auto = forecastSeries(y, 0, 7);
    const lin = forecastSeries(y, 0, 7, 'linear');
    expect(auto.method).toBe('holt-winters');
    expect(auto.backtest.value).toBeLessThan(1e-9);
    expect(lin.backtest.value).toBeGreaterThan(0.01);
    auto.points.forEach((p, h) =>
      expect(p.mean).toBeCloseTo(50 + 0.5 * (42 + h) + PATTERN[(42 + h) % 7]!, 6),
    );
  });

  it('adapts to a step change and reports the backtest error', () => {
    const y = Array.from({ length: 70 }, (_, t) => (t < 40 ? 100 : 200) + PATTERN[t % 7]!);
    const f = forecastSeries(y, 0, 7, 'holt-winters');
    f.points.forEach((p, h) => expect(Math.abs(p.mean - (200 + PATTERN[(70 + h) % 7]!))).toBeLessThan(2));
    expect(f.backtest).toMatchObject({ metric: 'sMAPE', folds: 5, horizon: 7 });
    // The fold at origin 35 straddles the step (day 40), so the error is real, and it is what auto reports.
    expect(f.backtest.value).toBeGreaterThan(0.01);
    const auto = forecastSeries(y, 0, 7);
    expect(auto.method).toBe('holt-winters');
    expect(auto.backtest.value).toBeCloseTo(f.backtest.value!, 12);
    expect(forecastSeries(y, 0, 7, 'linear').backtest.value).toBeGreaterThan(f.backtest.value!);
  });

  it('heuristic initial states are exact for a line plus a weekly pattern', () => {
    const y = Array.from({ length: 28 }, (_, t) => 3 + 0.5 * t + PATTERN[t % 7]!);
    const s = holtWintersInit(y, 7);
    const meanP = PATTERN.reduce((a, b) => a + b) / 7;
    expect(s.trend).toBeCloseTo(0.5, 12);
    expect(s.level).toBeCloseTo(3 - 0.5 + meanP, 12); // the state one day before values[0]
    s.season.forEach((v, j) => expect(v).toBeCloseTo(PATTERN[j]! - meanP, 12));
  });

  // ETS(A,A,A) forecast variance, closed form of Hyndman et al. (2008) Table 6.1 / fpp2 Table 7.8, with the
  // ETS β = α·β*: σ_h²/σ² = 1 + (h−1)[α² + αβh + β²h(2h−1)/6] + γk[2α + γ + βm(k+1)], k = ⌊(h−1)/m⌋.
  it('variance matches the published closed form; the total matches a direct covariance sum', () => {
    const m = 7;
    for (const p of [
      { alpha: 0.3, beta: 0.1, gamma: 0.2 },
      { alpha: 0.9, beta: 0.5, gamma: 0.05 },
      { alpha: 0.05, beta: 0, gamma: 0.6 },
    ]) {
      const H = 31;
      const v = holtWintersVariance(p, m, H);
      const b = p.alpha * p.beta;
      for (let h = 1; h <= H; h++) {
        const k = Math.floor((h - 1) / m);
        const closed =
          1 +
          (h - 1) * (p.alpha ** 2 + p.alpha * b * h + (b * b * h * (2 * h - 1)) / 6) +
          p.gamma * k * (2 * p.alpha + p.gamma + b * m * (k + 1));
        expect(v.point[h - 1]).toBeCloseTo(closed, 9);
      }
      // e_h = Σ_{j<h} c_j ε_{h−j}: Var(Σ e_h) = Σ_h Σ_h' Σ_i c_{h−i} c_{h'−i}.
      const c = (j: number): number => (j === 0 ? 1 : p.alpha + b * j + (j % m === 0 ? p.gamma : 0));
      let direct = 0;
      for (let h = 1; h <= H; h++) {
        for (let g = 1; g <= H; g++) {
          for (let i = 1; i <= Math.min(h, g); i++) direct += c(h - i) * c(g - i);
        }
      }
      expect(v.total).toBeCloseTo(direct, 6);
    }
  });
});

// Reference: R forecast::hw(austourists, seasonal = "additive", initial = "simple", alpha = 0.441,
// beta = 0.030, gamma = 0.002) (parameters from fpp2 §7.3), states and fitted values written with full
// precision by ExpediaGroup/adaptive-alerting, file anomdetect/src/test/resources/tests/
// austourists-tests-holtwinters-additive.csv at commit a574cc37863ac7243093a5120360fd02cd5e247e (generator:
// anomdetect/src/test/resources/scripts/GenerateAustouristsTests.R). Columns: y, y.hat (one-step fitted), then
// R's states after each observation: l, b, s1 = newest seasonal … s4 = oldest; the first row is the initial state.
// Quarterly data, so period 4: the filter is the same code the daily forecasts run with period 7.
const AUSTOURISTS_HW_ADDITIVE = `
"y","y.hat","l","b","s1","s2","s3","s4"
NaN,0,25.5275345,1.06587325,2.0639025,-0.209842500000001,-6.3790385,4.5249785
30.052513,31.11838625,26.12335764675,1.0517717469025,4.5228467535,2.0639025,-0.209842500000001,-6.3790385
19.148496,20.7960908936525,26.4485400455517,1.02997406645948,-6.3823336897873,4.5228467535,2.0639025,-0.209842500000001
25.317692,27.2686716120112,26.6181321031143,1.00416260619257,-0.213744459224023,-6.3823336897873,4.5228467535,2.0639025
27.591437,29.6861972093068,26.6985054570025,0.976448928623438,2.05971297958138,-0.213744459224023,-6.3823336897873,4.5228467535
32.076456,32.197801139126,27.6214411792714,0.974843532432802,4.52260406322175,2.05971297958138,-0.213744459224023,-6.3823336897873
23.487961,22.2139510219169,29.1581231120389,0.991698684442841,-6.37978566983114,4.52260406322175,2.05971297958138,-0.213744459224023
28.47594,29.9360773372577,29.5059012307511,0.972381067470922,-0.216664733898538,-6.37978566983114,4.52260406322175,2.05971297958138
35.123753,32.5379952778034,31.6186014537107,1.00659064213558,2.06488449502578,-0.216664733898538,-6.37978566983114,4.52260406322175
36.838485,37.147796159068,32.4887858746973,1.00249845550111,4.52198544090361,2.06488449502578,-0.216664733898538,-6.37978566983114
25.007017,27.1114986603673,32.5632079179764,0.974656163134454,-6.38399463315187,4.52198544090361,2.06488449502578,-0.216664733898538
30.72223,33.3211993472123,32.3917185989902,0.940271798670835,-0.221862672592963,-6.38399463315187,4.52198544090361,2.06488449502578
28.693759,35.3968748926869,30.3759162889862,0.851589575410588,2.0514782632404,-0.221862672592963,-6.38399463315187,4.52198544090361
36.640986,35.7494913053004,31.6206550247593,0.863384050221464,4.52376843029301,2.0514782632404,-0.221862672592963,-6.38399463315187
23.824609,26.1000444418289,31.4805720451342,0.833280039326068,-6.38854550403553,4.52376843029301,2.0514782632404,-0.221862672592963
29.311683,32.0919894118673,31.0877369568268,0.796496585497063,-0.227423285416698,-6.38854550403553,4.52376843029301,2.0514782632404
31.770309,33.9357118055643,30.92929090507,0.767848306379448,2.04714745762927,-0.227423285416698,-6.38854550403553,4.52376843029301
35.177877,36.2209076417425,31.237162698441,0.754049010989195,4.52168236900953,2.04714745762927,-0.227423285416698,-6.38854550403553
19.775244,25.6026662053947,29.4213185168512,0.676952215211823,-6.40020034844632,4.52168236900953,2.04714745762927,-0.227423285416698
29.60175,29.8708474466463,29.979598758092,0.673392055992692,-0.22796148030999,-6.40020034844632,4.52168236900953,2.04714745762927
34.538842,32.7001382717139,31.4638591582588,0.697718106317917,2.05082486508585,-0.22796148030999,-6.40020034844632,4.52168236900953
41.273599,36.6832596335863,34.1859169251652,0.758448296135571,4.53086304774235,2.05082486508585,-0.22796148030999,-6.40020034844632
26.655862,28.5441648728544,34.1116236543719,0.733466049127706,-6.40397695419203,4.53086304774235,2.05082486508585,-0.22796148030999
28.279859,34.6171282231897,32.050353976073,0.649623977304907,-0.24063601875637,-6.40397695419203,4.53086304774235,2.05082486508585
35.191153,34.7508028184638,32.8941723834354,0.655449810206631,2.05170556544892,-0.24063601875637,-6.40397695419203,4.53086304774235
42.2056638559382,38.0804852413844,35.3688259626603,0.710025923277178,4.53911340497146,2.05170556544892,-0.24063601875637,-6.40397695419203
24.6491713296294,29.6748749317454,33.8625165974043,0.643535864621183,-6.41402836139626,4.53911340497146,2.05170556544892,-0.24063601875637
32.6673351386246,34.2654164432691,33.8012986066772,0.622393248960737,-0.243832181365659,-6.41402836139626,4.53911340497146,2.05170556544892
37.2573540134764,36.4753974210869,34.7685347128817,0.63273853467805,2.0532694786337,-0.243832181365659,-6.41402836139626,4.53911340497146
45.2424602720635,39.9403866525313,37.7394877137735,0.702884968664461,4.54971755221052,2.0532694786337,-0.243832181365659,-6.41402836139626
29.3504812742718,32.0283443210417,37.2614350788124,0.667456840555695,-6.4193840874898,4.54971755221052,2.0532694786337,-0.243832181365659
36.3442072775119,37.6850597380025,37.3375759842918,0.649717362503405,-0.24651388628664,-6.4193840874898,4.54971755221052,2.0532694786337
41.7820813647366,40.0405628254289,38.7553030226299,0.672757652778446,2.05675251571231,-0.24651388628664,-6.4193840874898,4.54971755221052
49.2765984345619,43.9777782276189,41.7648403866702,0.742861044116302,4.56031519262441,2.05675251571231,-0.24651388628664,-6.4193840874898
31.2754013898459,36.0883173432967,40.3852054953147,0.679186166052148,-6.4290099193967,4.56031519262441,2.05675251571231,-0.24651388628664
37.8506254947152,40.8178777750802,39.7558334057259,0.639929418382918,-0.25244839084737,-6.4290099193967,4.56031519262441,2.05675251571231
38.83704413019,42.4525153398211,38.8013400206615,0.592096734279499,2.04952157329305,-0.25244839084737,-6.4290099193967,4.56031519262441
51.236900336137,43.9537519475654,42.6053051943011,0.688452787460301,4.57488148940155,2.04952157329305,-0.25244839084737,-6.4290099193967
31.8385516171558,36.8647480623647,41.0772053494243,0.621956208490188,-6.43906231228712,4.57488148940155,2.04952157329305,-0.25244839084737
41.3234212576972,41.4467131670671,41.6447898258823,0.620325056529224,-0.25269497466611,-6.43906231228712,4.57488148940155,2.04952157329305
42.7990033724349,44.3146364557046,41.5967206926896,0.600273230837566,2.04649030712651,-0.25269497466611,-6.43906231228712,4.57488148940155
55.708358364385,46.7718754129287,46.1379829051194,0.718502900285332,4.59275445530447,2.04649030712651,-0.25269497466611,-6.43906231228712
33.4071449171312,40.4174234931176,43.7649529533947,0.625756914725032,-6.45308286943909,4.59275445530447,2.04649030712651,-0.25269497466611
42.3166379718116,44.1380148934536,43.5874826456756,0.601660098051708,-0.256337728509394,-6.45308286943909,4.59275445530447,2.04649030712651
45.1571225674731,46.2356330508538,43.7135196205564,0.587391404356581,2.04433328615975,-0.256337728509394,-6.45308286943909,4.59275445530447
59.5760799633937,48.8936654802175,49.0118558119937,0.728719747969003,4.61411928427082,2.04433328615975,-0.256337728509394,-6.45308286943909
34.8373301595328,43.2874926905236,46.0140538837958,0.616924097683994,-6.46998319450107,4.61411928427082,2.04433328615975,-0.256337728509394
44.8416807241332,46.3746402529704,45.9549428292626,0.596643043117478,-0.259403647567068,-6.46998319450107,4.61411928427082,2.04433328615975
46.971249602779,48.5959191585398,45.8351065982895,0.575148664894763,2.04108394704823,-0.259403647567068,-6.46998319450107,4.61411928427082
60.0190309438716,51.0243745474551,50.376898734004,0.694147969019353,4.63210859706365,2.04108394704823,-0.259403647567068,-6.46998319450107
38.3711785132276,44.6010635085222,48.3236674200984,0.611726590531605,-6.48244296449166,4.63210859706365,2.04108394704823,-0.259403647567068
46.9758641283558,48.6759903630629,48.1856383411241,0.58923392044643,-0.262803900036482,-6.48244296449166,4.63210859706365,2.04108394704823
50.7337964560878,50.8159562086188,48.7386398107044,0.588146946920444,2.04091962754317,-0.262803900036482,-6.48244296449166,4.63210859706365
61.6468731860574,53.9588953546885,52.7171849812585,0.689858893629455,4.64748455272639,2.04091962754317,-0.262803900036482,-6.48244296449166
39.2995693656296,46.9246009103963,50.0444049636459,0.588979726292191,-6.4976930275812,4.64748455272639,2.04091962754317,-0.262803900036482
52.6712090814052,50.3705807899016,51.6479617664912,0.619417038588784,-0.258202643453475,-6.4976930275812,4.64748455272639,2.04091962754317
54.3323168946667,54.3082984326231,52.2779709468412,0.619734802841621,2.04096766446726,-0.258202643453475,-6.4976930275812,4.64748455272639
66.834358381339,57.5451903024092,56.9942288724908,0.742630496525863,4.66606288888425,2.04096766446726,-0.258202643453475,-6.4976930275812
40.8711884667851,51.2391663414355,53.1645811262959,0.605462149244238,-6.5184289833305,4.66606288888425,2.04096766446726,-0.258202643453475
51.8285357927739,53.5118406320866,53.0277058414032,0.58319202622013,-0.2615692531321,-6.5184289833305,4.66606288888425,2.04096766446726
57.4919099342262,55.6518655320906,54.4223574489651,0.607535813660384,2.04464775327153,-0.2615692531321,-6.5184289833305,4.66606288888425
65.2514698518726,59.6959561515098,57.4798748044855,0.681035259916185,4.67717391628497,2.04464775327153,-0.2615692531321,-6.5184289833305
43.0612082202828,51.6424810810712,54.376568732794,0.567505019967954,-6.53559152905208,4.67717391628497,2.04464775327153,-0.2615692531321
54.7607571288007,54.6825044996299,54.9785831622263,0.568540302251884,-0.261412747873759,-6.53559152905208,4.67717391628497,2.04464775327153
59.8344749355003,57.5917712177497,56.5361558040062,0.598211272437724,2.04913316070703,-0.261412747873759,-6.53559152905208,4.67717391628497
73.2570274672009,61.8115409927289,62.1818266116861,0.749635058494989,4.70006488923392,2.04913316070703,-0.261412747873759,-6.53559152905208
47.6966237298,56.395870141129,59.095094002785,0.634544028473106,-6.55299002187473,4.70006488923392,2.04913316070703,-0.261412747873759
61.0977680206996,59.4682252833843,60.4482663784141,0.656102878887787,-0.258153662399128,-6.55299002187473,4.70006488923392,2.04913316070703
66.0557612187001,63.1535024180089,62.3842653884067,0.694499762820931,2.05493767830841,-0.258153662399128,-6.55299002187473,4.70006488923392
`;

describe('holt-winters: reference implementation (R forecast::hw on austourists)', () => {
  const rows = AUSTOURISTS_HW_ADDITIVE.trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number));
  const init = rows[0]!;
  const obs = rows.slice(1);
  const y = obs.map((r) => r[0]!);
  const params = { alpha: 0.441, beta: 0.03, gamma: 0.002 };
  const m = 4;
  // R's s1 … s4 after observation t (0-based) are s_t, s_{t−1}, …; our season[j] holds phase j = t mod m.
  const toState = (r: number[], t: number): HoltWintersState => {
    const season = [0, 0, 0, 0];
    for (let k = 0; k < m; k++) season[(((t - k) % m) + m) % m] = r[4 + k]!;
    return { level: r[2]!, trend: r[3]!, season };
  };
  const near = (a: number, b: number): void =>
    expect(Math.abs(a - b)).toBeLessThan(1e-9 * Math.max(1, Math.abs(b)));

  it("simple initialisation reproduces R's initial states from the data", () => {
    const s = holtWintersSimpleInit(y, m);
    const ref = toState(init, -1);
    near(s.level, ref.level);
    near(s.trend, ref.trend);
    s.season.forEach((v, j) => near(v, ref.season[j]!));
  });

  it('filter reproduces every fitted value and every state to the printed precision', () => {
    const start = toState(init, -1);
    const { fitted } = holtWintersFilter(y, m, params, start);
    expect(fitted).toHaveLength(68);
    fitted.forEach((v, t) => near(v, obs[t]![1]!));
    for (let t = 0; t < y.length; t++) {
      const { state } = holtWintersFilter(y.slice(0, t + 1), m, params, start);
      const ref = toState(obs[t]!, t);
      near(state.level, ref.level);
      near(state.trend, ref.trend);
      state.season.forEach((v, j) => near(v, ref.season[j]!));
    }
    // Final state (2015 Q4): l = 62.3842653884067, b = 0.694499762820931; forecasts are l + h·b + s.
    const { state } = holtWintersFilter(y, m, params, start);
    near(state.level, 62.3842653884067);
    near(state.trend, 0.694499762820931);
    // 2016 Q1 forecast = l + b + s(Q1) where s(Q1) is R's s4 of the last row (4.70006488923392).
    near(
      state.level + state.trend + state.season[68 % m]!,
      62.3842653884067 + 0.694499762820931 + 4.70006488923392,
    );
  });
});

describe('short, flat and degenerate series', () => {
  it('all zeros: every method forecasts 0 with no NaN', () => {
    const y = Array.from({ length: 40 }, () => 0);
    for (const m of [...METHODS, 'auto'] as const) {
      const f = forecastSeries(y, 0, 10, m);
      expect(allNumbers(f).every(Number.isFinite)).toBe(true);
      expect(f.points.every((p) => p.mean === 0 && p.hi95 === 0)).toBe(true);
      expect(f.total.hi95).toBe(0);
      expect(f.backtest.value).toBe(0);
    }
    expect(smape([0, 0], [0, 0])).toBe(0);
  });

  it('a constant series forecasts the constant with zero width, by every method', () => {
    const y = Array.from({ length: 30 }, () => 42);
    for (const m of [...METHODS, 'auto'] as const) {
      const f = forecastSeries(y, 4, 9, m);
      f.points.forEach((p) => expect(p.mean).toBeCloseTo(42, 9));
      expect(f.total.mean).toBeCloseTo(42 * 9, 7);
      expect(width(f)).toBeLessThan(1e-6);
    }
  });

  it('fewer than 7 days: mean with a warning, no backtest and a wide interval', () => {
    for (const y of [[5], [5, 7, 6], [100, 120, 90, 110, 105, 95]]) {
      const f = forecastSeries(y, 0, 7);
      expect(f.method).toBe('mean');
      expect(f.backtest).toEqual({ metric: 'sMAPE', value: null, folds: 0, horizon: 7 });
      expect(f.warnings.join(' ')).toMatch(new RegExp(`only ${y.length} days? of history`));
      const level = y.reduce((a, b) => a + b) / y.length;
      // σ ≥ 50 % of the level and t quantiles with n − 1 df: the 95 % band is at least ±1.28·level.
      for (const p of f.points) expect(p.hi95 - p.mean).toBeGreaterThan(1.28 * level);
    }
    const one = forecastSeries([5], 0, 1);
    expect(one.points[0]!.hi95).toBeCloseTo(5 + 12.7062 * 5 * Math.SQRT2, 3); // t(1; .975), σ = |y|, √(1 + 1/1)
  });

  it('no history at all: zeros and a warning', () => {
    const f = forecastSeries([], 0, 3);
    expect(f.points.map((p) => p.mean)).toEqual([0, 0, 0]);
    expect(f.warnings[0]).toMatch(/no history/);
  });

  it('7–13 days: weekly seasonality not fitted; holt-winters falls back with a warning', () => {
    const y = [10, 12, 11, 13, 15, 3, 2, 10, 12, 11];
    const f = forecastSeries(y, 0, 7, 'holt-winters');
    expect(f.method).not.toBe('holt-winters');
    expect(f.warnings.join(' ')).toMatch(/holt-winters needs at least 14 days/);
    expect(f.warnings.join(' ')).toMatch(/weekly seasonality not fitted/);
    expect(f.warnings.join(' ')).toMatch(/too little history to backtest/);
  });

  it('clips negative forecasts at 0 and says so', () => {
    const y = Array.from({ length: 20 }, (_, t) => 100 - 5 * t + (t % 2));
    const f = forecastSeries(y, 0, 14, 'linear');
    expect(f.points.every((p) => p.mean >= 0 && p.lo95 >= 0 && p.lo80 >= 0)).toBe(true);
    expect(f.points.at(-1)!.mean).toBe(0);
    expect(Object.values(f.total).every((v) => v >= 0)).toBe(true);
    expect(f.warnings.join(' ')).toMatch(/clipped at 0/);
    expect(() => forecastSeries([1, Number.NaN], 0, 1)).toThrow(RangeError);
    expect(() => forecastSeries([1], 7, 1)).toThrow(RangeError);
  });

  it('is deterministic', () => {
    const y = Array.from({ length: 90 }, (_, t) => 100 + t + 20 * Math.sin(t * 1.3) + 5 * PATTERN[t % 7]!);
    for (const m of [...METHODS, 'auto'] as const) {
      expect(forecastSeries(y, 1, 30, m)).toEqual(forecastSeries([...y], 1, 30, m));
    }
  });
});

describe('mean and naive', () => {
  it('mean: total variance σ²(H + H²/n) over the last 28 days', () => {
    const y = Array.from({ length: 28 }, (_, t) => (t % 2 === 0 ? 90 : 110));
    const f = forecastSeries(y, 0, 10, 'mean');
    const sd = Math.sqrt(100 * (28 / 27)); // sample sd of ±10
    expect(f.total.mean).toBeCloseTo(1000, 9);
    expect(f.total.hi95 - f.total.mean).toBeCloseTo(
      studentTQuantile(0.975, 27) * sd * Math.sqrt(10 + 100 / 28),
      9,
    );
  });

  it('naive is seasonal (same weekday last week) from 14 days on', () => {
    const y = Array.from({ length: 21 }, (_, t) => 10 * PATTERN[t % 7]!);
    const f = forecastSeries(y, 0, 7, 'naive');
    expect(f.params.seasonal).toBe(1);
    f.points.forEach((p, h) => expect(p.mean).toBe(10 * PATTERN[(21 + h) % 7]!));
  });
});

describe('projectTotal and crossingDay', () => {
  it('projectTotal is forecastSeries over the remaining days', () => {
    const y = Array.from({ length: 40 }, (_, t) => 100 + PATTERN[t % 7]!);
    expect(projectTotal(y, 2, 12)).toEqual(forecastSeries(y, 2, 12));
    expect(projectTotal(y, 2, 0).points).toEqual([]);
  });

  it('crossingDay returns the first day the cumulative spend reaches the threshold', () => {
    const pts = [1, 2, 3, 4].map((index) => ({ index, mean: 10, lo80: 5, hi80: 20, lo95: 0, hi95: 30 }));
    expect(crossingDay(50, pts, 70)).toBe(2);
    expect(crossingDay(50, pts, 70, 'hi80')).toBe(1);
    expect(crossingDay(50, pts, 91)).toBeNull();
    expect(crossingDay(80, pts, 70)).toBe(0);
  });

  it('sMAPE follows its definition', () => {
    expect(smape([100], [110])).toBeCloseTo(10 / 105, 12);
    expect(smape([0, 100], [5, 100])).toBeCloseTo(1, 12); // (2 + 0) / 2
  });
});
