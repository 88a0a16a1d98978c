import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forecastVolume, mape, seasonalNaive } from './forecast.ts';

/** Deterministic PRNG so the backtest is reproducible. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Hourly volume for `days`: a daily curve peaking mid-day, a weekday/weekend swing, slow growth, ±10 % noise. */
function synthetic(days: number, seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let h = 0; h < days * 24; h++) {
    const hour = h % 24;
    const daily = Math.max(0, Math.sin(((hour - 6) / 14) * Math.PI)) * 40 + 5;
    const growth = 1 + h / (days * 24 * 5);
    out.push(Math.round(daily * growth * (0.9 + 0.2 * r())));
  }
  return out;
}

test('Holt-Winters beats the naive last-value forecast on a seasonal series in a rolling backtest', () => {
  const series = synthetic(21, 7);
  const errs = { hw: [] as number[], naive: [] as number[], snaive: [] as number[] };
  for (let day = 14; day < 21; day++) {
    const train = series.slice(0, day * 24);
    const actual = series.slice(day * 24, day * 24 + 24);
    const hw = forecastVolume(train, { season: 24, horizon: 24 });
    assert.equal(hw.method, 'holt_winters');
    errs.hw.push(mape(actual, hw.values));
    errs.naive.push(
      mape(
        actual,
        actual.map(() => train.at(-1) ?? 0),
      ),
    );
    errs.snaive.push(mape(actual, seasonalNaive(train, 24, 24)));
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(avg(errs.hw) < avg(errs.naive) / 2, `HW ${avg(errs.hw)} vs naive ${avg(errs.naive)}`);
  // Seasonal-naive is a strong baseline on stable curves; HW must stay close to it while also following trend.
  assert.ok(
    avg(errs.hw) < avg(errs.snaive) * 1.5,
    `HW ${avg(errs.hw)} vs seasonal naive ${avg(errs.snaive)}`,
  );
  assert.ok(avg(errs.hw) < 0.15, `HW MAPE ${avg(errs.hw)}`);
});

test('forecastVolume() falls back to seasonal-naive with one season and to the mean with less', () => {
  const one = [1, 2, 3, 4];
  assert.deepEqual(forecastVolume(one, { season: 4, horizon: 6 }), {
    method: 'seasonal_naive',
    values: [1, 2, 3, 4, 1, 2],
  });
  assert.deepEqual(forecastVolume([2, 4], { season: 4, horizon: 2 }), { method: 'mean', values: [3, 3] });
  assert.ok(forecastVolume(synthetic(3, 1), { season: 24, horizon: 24 }).values.every((v) => v >= 0));
});
