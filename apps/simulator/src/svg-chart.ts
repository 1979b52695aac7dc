/** Renders a line chart as inline SVG for the HTML report (no scripts, no external resources). */
import { axes, tickLabel, type ChartSpec } from './chart-model.js';

const WIDTH = 640;
const HEIGHT = 320;
const PLOT = { left: 64, right: WIDTH - 16, top: 44, bottom: HEIGHT - 44 };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderChartSvg(spec: ChartSpec): string {
  const { x, y } = axes(spec);
  const toX = (value: number) => (PLOT.left + ((value - x.min) / (x.max - x.min)) * (PLOT.right - PLOT.left)).toFixed(1);
  const toY = (value: number) => (PLOT.bottom - ((value - y.min) / (y.max - y.min)) * (PLOT.bottom - PLOT.top)).toFixed(1);
  const parts: string[] = [];
  for (const tick of y.ticks) {
    parts.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${toY(tick)}" y2="${toY(tick)}" class="grid"/>`);
    parts.push(`<text x="${PLOT.left - 6}" y="${toY(tick)}" class="tick" text-anchor="end" dominant-baseline="middle">${tickLabel(tick)}</text>`);
  }
  for (const tick of x.ticks) {
    parts.push(`<text x="${toX(tick)}" y="${PLOT.bottom + 16}" class="tick" text-anchor="middle">${tickLabel(tick)}</text>`);
  }
  parts.push(`<path d="M${PLOT.left},${PLOT.top}V${PLOT.bottom}H${PLOT.right}" class="axis"/>`);
  spec.series.forEach((series, index) => {
    const path = series.points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${toX(px)},${toY(py)}`).join('');
    if (series.points.length === 1) parts.push(`<circle cx="${toX(series.points[0]![0])}" cy="${toY(series.points[0]![1])}" r="3" fill="${series.color}"/>`);
    parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"><title>${escapeHtml(series.name)}</title></path>`);
    parts.push(`<rect x="${PLOT.left + 8 + index * 170}" y="26" width="10" height="10" fill="${series.color}"/>`);
    parts.push(`<text x="${PLOT.left + 22 + index * 170}" y="35" class="tick">${escapeHtml(series.name)}</text>`);
  });
  parts.push(`<text x="${WIDTH / 2}" y="16" class="title" text-anchor="middle">${escapeHtml(spec.title)}</text>`);
  parts.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 8}" class="tick" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(`<text x="14" y="${(PLOT.top + PLOT.bottom) / 2}" class="tick" text-anchor="middle" transform="rotate(-90 14 ${(PLOT.top + PLOT.bottom) / 2})">${escapeHtml(spec.yLabel)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}">${parts.join('')}</svg>`;
}
