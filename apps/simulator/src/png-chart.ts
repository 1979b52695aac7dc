/** Rasterises a line chart to PNG (pngjs): axes, grid, ticks, a bitmap-font title, labels and legend, one colour per series. */
import { PNG } from 'pngjs';
import { GLYPH_HEIGHT, glyph, textWidth } from './bitmap-font.js';
import { axes, tickLabel, type ChartSpec } from './chart-model.js';

type Rgb = [number, number, number];

const WIDTH = 800;
const HEIGHT = 480;
const PLOT = { left: 90, right: WIDTH - 24, top: 56, bottom: HEIGHT - 64 };
const FONT_SCALE = 2;

function rgb(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

class Canvas {
  readonly png = new PNG({ width: WIDTH, height: HEIGHT });

  constructor() {
    this.png.data.fill(255);
  }

  pixel(x: number, y: number, color: Rgb): void {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= WIDTH || py >= HEIGHT) return;
    const offset = (py * WIDTH + px) * 4;
    this.png.data[offset] = color[0];
    this.png.data[offset + 1] = color[1];
    this.png.data[offset + 2] = color[2];
    this.png.data[offset + 3] = 255;
  }

  rect(x: number, y: number, width: number, height: number, color: Rgb): void {
    for (let dy = 0; dy < height; dy++) for (let dx = 0; dx < width; dx++) this.pixel(x + dx, y + dy, color);
  }

  /** A line `thickness` pixels wide, stepped along its longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const half = Math.floor(thickness / 2);
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      this.rect(Math.round(x) - half, Math.round(y) - half, thickness, thickness, color);
    }
  }

  text(text: string, x: number, y: number, color: Rgb, scale = FONT_SCALE): void {
    [...text].forEach((character, i) => {
      glyph(character).forEach((row, gy) =>
        row.forEach((ink, gx) => ink && this.rect(x + (i * 6 + gx) * scale, y + gy * scale, scale, scale, color)),
      );
    });
  }
}

export function renderChartPng(spec: ChartSpec): Buffer {
  const canvas = new Canvas();
  const { x, y } = axes(spec);
  const toX = (value: number) => PLOT.left + ((value - x.min) / (x.max - x.min)) * (PLOT.right - PLOT.left);
  const toY = (value: number) => PLOT.bottom - ((value - y.min) / (y.max - y.min)) * (PLOT.bottom - PLOT.top);
  const ink: Rgb = [40, 40, 40];
  const grid: Rgb = [225, 225, 225];

  for (const tick of y.ticks) {
    canvas.line(PLOT.left, toY(tick), PLOT.right, toY(tick), grid);
    const label = tickLabel(tick);
    canvas.text(label, PLOT.left - 8 - textWidth(label) * FONT_SCALE, toY(tick) - GLYPH_HEIGHT, ink);
  }
  for (const tick of x.ticks) {
    canvas.line(toX(tick), PLOT.bottom, toX(tick), PLOT.bottom + 5, ink);
    const label = tickLabel(tick);
    canvas.text(label, toX(tick) - (textWidth(label) * FONT_SCALE) / 2, PLOT.bottom + 10, ink);
  }
  canvas.line(PLOT.left, PLOT.top, PLOT.left, PLOT.bottom, ink, 2);
  canvas.line(PLOT.left, PLOT.bottom, PLOT.right, PLOT.bottom, ink, 2);

  canvas.text(spec.title, (WIDTH - textWidth(spec.title) * FONT_SCALE) / 2, 12, ink);
  canvas.text(spec.yLabel, 8, 36, ink, 1.5);
  canvas.text(spec.xLabel, (PLOT.left + PLOT.right - textWidth(spec.xLabel) * FONT_SCALE) / 2, HEIGHT - 26, ink);

  spec.series.forEach((series, index) => {
    const color = rgb(series.color);
    series.points.forEach(([px, py], i) => {
      const previous = series.points[i - 1];
      if (previous !== undefined) canvas.line(toX(previous[0]), toY(previous[1]), toX(px), toY(py), color, 2);
      else canvas.rect(toX(px) - 1, toY(py) - 1, 3, 3, color);
    });
  });
  // The legend sits in a row above the plot, right-aligned, so it never hides a line.
  let legendRight = PLOT.right;
  for (const series of [...spec.series].reverse()) {
    const x0 = legendRight - textWidth(series.name) * FONT_SCALE - 22;
    canvas.rect(x0, 36, 16, 8, rgb(series.color));
    canvas.text(series.name, x0 + 22, 33, ink);
    legendRight = x0 - 18;
  }
  return PNG.sync.write(canvas.png);
}
