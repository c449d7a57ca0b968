/**
 * Progress display for long work: one phase at a time. The CLI passes
 * progressFor() (cli-progress bars on a terminal, plain lines every few
 * seconds when stderr is a file or a pipe); the library defaults to silence.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(phase: string, total: number, unit: string): void;
  update(value: number): void;
  stop(): void;
}

export const silentProgress: Progress = { start() {}, update() {}, stop() {} };

/** cli-progress bars on a stream (stderr by default), for terminals. */
export function progressBars(stream: NodeJS.WritableStream = process.stderr): Progress {
  let bar: cliProgress.SingleBar | undefined;
  let show = (v: number) => String(v);
  return {
    start(phase, total, unit) {
      bar?.stop();
      show = unit === 'MB' ? (v) => (v / 1e6).toFixed(1) : (v) => String(v);
      bar = new cliProgress.SingleBar(
        { stream, format: `${phase.padEnd(34)} [{bar}] {percentage}% | {done}/{size} ${unit} | {eta_formatted} left`, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { done: show(0), size: show(total) });
    },
    update(value) {
      bar?.update(value, { done: show(value) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

export interface ProgressLineOptions {
  /** The clock, in milliseconds (default Date.now); tests inject one. */
  readonly now?: () => number;
  /** At most one line per interval (default 5 s). */
  readonly intervalMs?: number;
}

/**
 * Progress as plain lines, for output that is not a terminal (CI logs,
 * `| tee`): the first phase's start, then one line at most every
 * `intervalMs`, whatever the phase ("phase: done/total unit (p %), ~T s left").
 */
export function progressLines(stream: NodeJS.WritableStream = process.stderr, options: ProgressLineOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 5000;
  let last: number | undefined;
  let phase = '';
  let total = 0;
  let unit = '';
  let started = 0;
  const show = (v: number) => (unit === 'MB' ? (v / 1e6).toFixed(1) : String(v));
  const print = (value: number, t: number) => {
    last = t;
    const fraction = total > 0 ? value / total : 0;
    const elapsed = (t - started) / 1000;
    const left = value > 0 && value < total ? `, ~${Math.round((elapsed * (total - value)) / value)} s left` : '';
    stream.write(`${phase}: ${show(value)}/${show(total)} ${unit} (${Math.floor(100 * fraction)} %)${left}\n`);
  };
  const maybePrint = (value: number) => {
    const t = now();
    if (last === undefined || t - last >= interval) print(value, t);
  };
  return {
    start(p, size, u) {
      phase = p;
      total = size;
      unit = u;
      started = now();
      maybePrint(0);
    },
    update(value) {
      maybePrint(value);
    },
    stop() {},
  };
}

/** The CLI's progress display on `stream`: bars on a terminal, lines otherwise. */
export function progressFor(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr, options: ProgressLineOptions = {}): Progress {
  return stream.isTTY === true ? progressBars(stream) : progressLines(stream, options);
}
