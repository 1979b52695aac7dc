/** What a line chart shows, and the axis arithmetic (ranges and round-numbered ticks) its SVG and PNG renderings share. */

export interface ChartSeries {
  name: string;
  color: string;
  points: [number, number][];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Fixed y range; otherwise the data's range, padded to round ticks. */
  yRange?: [number, number];
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
}

export const SERIES_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** Ticks at 1, 2 or 5 × 10^k (at least `minStep`) covering [min, max] in about `count` steps. */
export function niceAxis(min: number, max: number, count = 5, minStep = 0): Axis {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 1, ticks: [0, 0.5, 1] };
  if (max - min < 1e-12) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1;
    return niceAxis(min - pad, max + pad, count, minStep);
  }
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(minStep, [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw)!);
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let value = low; value <= high + step / 2; value += step) ticks.push(Number(value.toPrecision(12)));
  return { min: low, max: high, ticks };
}

export function axes(spec: ChartSpec): { x: Axis; y: Axis } {
  const points = spec.series.flatMap((series) => series.points);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  // x is the round number: whole steps only.
  const x = niceAxis(Math.min(...xs, 1), Math.max(...xs, 1), 8, 1);
  const y = spec.yRange === undefined ? niceAxis(Math.min(...ys), Math.max(...ys)) : niceAxis(spec.yRange[0], spec.yRange[1]);
  return { x, y };
}

/** A tick label short enough for an axis: 0.95, 12k, 1.5M. */
export function tickLabel(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (magnitude >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}
