import type { JobProgress } from '../../shared/features/app/contract';

const WIDTH = 24;

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** One self-updating line on a TTY (stderr); nothing at all otherwise. */
export class ProgressBar {
  private last = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(p: JobProgress): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const fraction = p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : null;
    const bar =
      fraction === null
        ? ''
        : `[${'#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
    const eta = p.etaSeconds === null ? '' : ` ETA ${Math.ceil(p.etaSeconds)}s`;
    this.stream.write(`\r${p.phase} ${bar}${fmt(p.rowsDone)} rows ${fmt(p.rowsPerSecond)} rows/s${eta}\u001b[K`);
  }

  done(): void {
    if (this.enabled && this.last > 0) this.stream.write('\r\u001b[K');
  }
}
