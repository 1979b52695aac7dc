/** Per-round line charts (uPlot, bundled): sized to their container, with a visible empty state until data arrives. */
import uPlot from 'uplot';
import { h } from './dom.js';

export interface ChartSeries {
  label: string;
  color: string;
  /** How a value reads in the legend and on the axis. */
  format: (value: number) => string;
}

export interface ChartSpec {
  title: string;
  series: readonly ChartSeries[];
  empty: string;
  testId: string;
}

const HEIGHT = 220;

export class RoundChart {
  readonly element: HTMLElement;
  private readonly plotArea: HTMLElement;
  private readonly emptyNote: HTMLElement;
  private plot: uPlot | undefined;
  private data: uPlot.AlignedData = [[]];
  private readonly observer: ResizeObserver;

  constructor(private readonly spec: ChartSpec) {
    this.plotArea = h('div', { class: 'chart-plot', 'aria-hidden': 'true' });
    this.emptyNote = h('p', { class: 'chart-empty' }, spec.empty);
    this.element = h(
      'figure',
      { class: 'chart', 'data-testid': spec.testId, 'data-points': '0' },
      h('figcaption', {}, spec.title),
      this.plotArea,
      this.emptyNote,
    );
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.plotArea);
  }

  /** `rounds` on the x axis; one array per series, null where a round has no value. */
  update(rounds: readonly number[], values: readonly (readonly (number | null)[])[]): void {
    this.data = [rounds.slice(), ...values.map((series) => series.slice())] as uPlot.AlignedData;
    // Rounds with at least one value: what the chart has plotted so far.
    const points = rounds.filter((_round, index) => values.some((series) => series[index] !== null && series[index] !== undefined)).length;
    this.element.dataset['points'] = String(points);
    this.element.dataset['rounds'] = String(rounds.length);
    this.emptyNote.hidden = points > 0;
    this.plotArea.hidden = points === 0;
    if (points === 0) return;
    if (this.plot === undefined) this.create();
    else this.plot.setData(this.data);
  }

  private width(): number {
    return Math.max(240, Math.floor(this.plotArea.clientWidth || this.element.clientWidth || 480));
  }

  private create(): void {
    const format = this.spec.series[0]?.format ?? String;
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          { label: 'round', values: (_plot, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? String(tick) : '')) },
          { values: (_plot, ticks) => ticks.map((tick) => format(tick)), size: 84 },
        ],
        series: [
          { label: 'round', value: (_plot, value) => (value === null ? '—' : String(value)) },
          ...this.spec.series.map((series) => ({
            label: series.label,
            stroke: series.color,
            width: 2,
            spanGaps: true,
            points: { show: true, size: 6 },
            value: (_plot: uPlot, value: number | null) => (value === null ? '—' : series.format(value)),
          })),
        ],
      },
      this.data,
      this.plotArea,
    );
  }

  private resize(): void {
    if (this.plot !== undefined && this.plotArea.clientWidth > 0) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }

  dispose(): void {
    this.observer.disconnect();
    this.plot?.destroy();
  }
}
