/**
 * CLI output rules: with --json, stdout carries exactly one JSON document and nothing else;
 * progress and messages go to stderr (a progress bar on a TTY, sparse plain lines otherwise).
 */
import cliProgress from 'cli-progress';

/**
 * A reader that goes away (`ffr … --json | head -c 10`) closes our end of the pipe: the next write
 * fails with EPIPE, which Node reports as an unhandled 'error' event with a stack. Instead the rest
 * of that stream's output is dropped, quietly, and the command finishes with its own exit code (a
 * trainer started by it is not left half-done). Installed once, CLI-wide, by main.ts.
 */
export function dropOutputWhenPipeCloses(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    let closed = false;
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || (closed && e.code === 'ERR_STREAM_DESTROYED')) {
        closed = true;
        stream.write = (() => true) as typeof stream.write;
        return;
      }
      throw e;
    });
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

export interface Progress {
  update(fraction: number, label: string): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; otherwise a line every `every` percent. */
export function progress(title: string, every = 10): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${title} [{bar}] {percentage}% {label}`, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { label: '' });
    return {
      update: (f, label) => bar.update(Math.round(f * 100), { label }),
      stop: () => bar.stop(),
    };
  }
  let lastShown = -1;
  return {
    update: (f, label) => {
      const pct = Math.floor(f * 100);
      if (pct >= lastShown + every || (pct === 100 && lastShown !== 100)) {
        lastShown = pct;
        info(`${title} ${pct}% ${label}`);
      }
    },
    stop: () => {},
  };
}

export function formatPercent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`;
}

export function formatCount(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}K`;
  return String(v);
}

/** A plain text table for the terminal. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
