/** A progress bar on stderr when it is a terminal (and not in --json mode); silent otherwise. */
export interface Progress {
  tick(): void;
  stop(): void;
}

export function createProgress(total: number, quiet: boolean): Progress {
  if (quiet || !process.stderr.isTTY || total < 2) return { tick: () => {}, stop: () => {} };
  let bar: { increment(): void; stop(): void } | null = null;
  let pending = 0;
  let stopped = false;
  // cli-progress is loaded only when a bar is shown.
  void import('cli-progress').then(({ default: cliProgress }) => {
    if (stopped) return;
    const b = new cliProgress.SingleBar({
      stream: process.stderr,
      format: 'indexing [{bar}] {value}/{total} files  {eta_formatted} left',
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    b.start(total, pending);
    bar = b;
  });
  return {
    tick: () => (bar ? bar.increment() : pending++),
    stop: () => {
      stopped = true;
      bar?.stop();
      bar = null;
    },
  };
}
