export interface HoltWintersParams {
  alpha: number;
  beta: number;
  gamma: number;
}

export interface ForecastResult {
  method: 'holt_winters' | 'seasonal_naive' | 'mean';
  values: number[];
  params?: HoltWintersParams;
}

/**
 * Additive Holt-Winters: level + trend + seasonal index per position in the
 * season. Returns the one-step-ahead fitted errors' SSE and an `h`-step
 * forecast from the end of `series`. Needs two full seasons.
 */
export function holtWinters(
  series: readonly number[],
  season: number,
  options: HoltWintersParams & { horizon: number },
): { forecast: number[]; sse: number } {
  if (!Number.isInteger(season) || season < 2) throw new RangeError('season must be an integer ≥ 2');
  if (series.length < 2 * season) throw new RangeError('holtWinters needs at least two seasons of history');
  const { alpha, beta, gamma, horizon } = options;
  const at = (i: number) => series[i] ?? 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < season; i++) {
    first += at(i);
    second += at(i + season);
  }
  let level = first / season;
  let trend = (second - first) / season / season;
  const seasonal = Array.from({ length: season }, (_, i) => at(i) - level);
  let sse = 0;
  for (let t = season; t < series.length; t++) {
    const s = seasonal[t % season] ?? 0;
    const y = at(t);
    const err = y - (level + trend + s);
    sse += err * err;
    const prevLevel = level;
    level = alpha * (y - s) + (1 - alpha) * (level + trend);
    trend = beta * (level - prevLevel) + (1 - beta) * trend;
    seasonal[t % season] = gamma * (y - level) + (1 - gamma) * s;
  }
  const n = series.length;
  const forecast = Array.from({ length: horizon }, (_, h) =>
    Math.max(0, level + (h + 1) * trend + (seasonal[(n + h) % season] ?? 0)),
  );
  return { forecast, sse };
}

const GRID = [0.05, 0.15, 0.3, 0.5, 0.8];
const TREND_GRID = [0, 0.02, 0.1];

/** Holt-Winters with parameters picked by the lowest in-sample one-step SSE over a small grid. */
export function fitHoltWinters(series: readonly number[], season: number, horizon: number): ForecastResult {
  let best: { params: HoltWintersParams; sse: number; forecast: number[] } | undefined;
  for (const alpha of GRID)
    for (const beta of TREND_GRID)
      for (const gamma of GRID) {
        const r = holtWinters(series, season, { alpha, beta, gamma, horizon });
        if (!best || r.sse < best.sse) best = { params: { alpha, beta, gamma }, ...r };
      }
  if (!best) throw new Error('unreachable: grid is not empty');
  return { method: 'holt_winters', values: best.forecast, params: best.params };
}

/** The value one season ago, repeated. */
export function seasonalNaive(series: readonly number[], season: number, horizon: number): number[] {
  if (series.length < season) throw new RangeError('seasonalNaive needs one season of history');
  return Array.from({ length: horizon }, (_, h) => series[series.length - season + (h % season)] ?? 0);
}

/**
 * Forecast contact volume: Holt-Winters when two seasons of history exist,
 * seasonal-naive with one, else the mean.
 * @example forecastVolume(offeredPerInterval, { season: 96, horizon: 96 })
 */
export function forecastVolume(
  series: readonly number[],
  options: { season: number; horizon: number },
): ForecastResult {
  const { season, horizon } = options;
  if (series.length >= 2 * season) return fitHoltWinters(series, season, horizon);
  if (series.length >= season)
    return { method: 'seasonal_naive', values: seasonalNaive(series, season, horizon) };
  const mean = series.length ? series.reduce((a, b) => a + b, 0) / series.length : 0;
  return { method: 'mean', values: Array.from({ length: horizon }, () => mean) };
}

/** Mean absolute percentage error over points where the actual is non-zero. */
export function mape(actual: readonly number[], predicted: readonly number[]): number {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    if (a === 0) return;
    sum += Math.abs((a - (predicted[i] ?? 0)) / a);
    n++;
  });
  return n === 0 ? 0 : sum / n;
}
