/** Terminal progress of a simulation: a line per round, and on a TTY a bar with ETA kept on the last line. */
import type { RoundLine } from './run-files.js';

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

export function formatRound(line: RoundLine, total: number): string {
  const accuracy = line.accuracy === null ? '   n/a ' : `${(line.accuracy * 100).toFixed(2)}%`;
  const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
  return `round ${String(line.round).padStart(String(total).length)}/${total} ${line.status.padEnd(9)} acc ${accuracy} loss ${line.loss?.toFixed(4) ?? 'n/a'} clients ${line.participants}/${line.selected} dropped ${line.dropped} up ${mib(line.bytesUp)} MiB down ${mib(line.bytesDown)} MiB ${(line.durationMs / 1000).toFixed(1)}s simulated, ${(line.wallMs / 1000).toFixed(1)}s wall`;
}

export class Progress {
  private readonly startedAt = performance.now();
  private firstRoundAt: number | undefined;
  private done = 0;
  private bar = '';
  private readonly ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    // On a TTY the bar's clock keeps moving during long rounds (a CNN round can take a minute).
    if (this.tty) this.ticker = setInterval(() => this.drawBar(), 1000).unref();
  }

  /** The job's first round started: the ETA counts from here, not from loading data and connecting the fleet. */
  started(): void {
    this.firstRoundAt ??= performance.now();
  }

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  status(text: string): void {
    this.write(text);
  }

  round(line: RoundLine): void {
    this.done = line.round;
    this.write(formatRound(line, this.total));
    this.drawBar();
  }

  finish(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    if (this.tty && this.bar !== '') this.stream.write('\r\x1b[2K');
  }

  private drawBar(): void {
    if (this.firstRoundAt === undefined) return;
    const now = performance.now();
    const width = 30;
    const filled = Math.round((Math.min(this.done, this.total) / this.total) * width);
    const perRound = (now - this.firstRoundAt) / Math.max(this.done, 1);
    const eta = this.done === 0 ? 'estimating' : duration(perRound * (this.total - this.done));
    this.bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} rounds  elapsed ${duration(now - this.startedAt)}  eta ${eta}`;
    if (this.tty) this.stream.write(`\r\x1b[2K${this.bar}`);
  }

  private write(text: string): void {
    this.stream.write(this.tty ? `\r\x1b[2K${text}\n${this.bar}` : `${text}\n`);
  }
}
