/**
 * Progress display for long work: one phase at a time. The CLI passes
 * progressBars() (cli-progress on stderr); the library defaults to silence.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(phase: string, total: number, unit: string): void;
  update(value: number): void;
  stop(): void;
}

export const silentProgress: Progress = { start() {}, update() {}, stop() {} };

/** cli-progress bars on a stream (stderr by default). Non-TTY streams get a line every few seconds. */
export function progressBars(stream: NodeJS.WritableStream = process.stderr): Progress {
  let bar: cliProgress.SingleBar | undefined;
  let show = (v: number) => String(v);
  return {
    start(phase, total, unit) {
      bar?.stop();
      show = unit === 'MB' ? (v) => (v / 1e6).toFixed(1) : (v) => String(v);
      bar = new cliProgress.SingleBar(
        { stream, format: `${phase.padEnd(34)} [{bar}] {percentage}% | {done}/{size} ${unit} | {eta_formatted} left`, hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000, etaBuffer: 50 },
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
