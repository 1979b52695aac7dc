/** Terminal output of the demo: a progress bar with ETA and human-readable sizes. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export function progressBar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** Rewrites the current terminal line when stdout is a TTY, otherwise prints only whole lines. */
export class StatusLine {
  private readonly tty = process.stdout.isTTY === true;
  private last = '';

  update(text: string): void {
    if (!this.tty || text === this.last) return;
    this.last = text;
    process.stdout.write(`\r\x1b[2K${text}`);
  }

  print(text: string): void {
    if (this.tty) process.stdout.write('\r\x1b[2K');
    process.stdout.write(`${text}\n`);
    if (this.tty && this.last !== '') process.stdout.write(this.last);
  }

  clear(): void {
    if (this.tty) process.stdout.write('\r\x1b[2K');
    this.last = '';
  }
}
