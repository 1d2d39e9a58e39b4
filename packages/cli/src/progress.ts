/** A progress bar on stderr when it is a terminal (and not in --json mode); silent otherwise. */
export interface Progress {
  tick(): void;
  /** Sets how far along the work is, out of the total; a new total when the work's size became better known. */
  update(value: number, total?: number): void;
  stop(): void;
}

export function createProgress(total: number, quiet: boolean, unit = 'files'): Progress {
  if (quiet || !process.stderr.isTTY || total < 2) return { tick: () => {}, update: () => {}, stop: () => {} };
  let bar: { update(value: number): void; setTotal(total: number): void; stop(): void } | null = null;
  let value = 0;
  let latestTotal = total;
  let stopped = false;
  // cli-progress is loaded only when a bar is shown.
  void import('cli-progress').then(({ default: cliProgress }) => {
    if (stopped) return;
    const b = new cliProgress.SingleBar({
      stream: process.stderr,
      format: `[{bar}] {value}/{total} ${unit}  {eta_formatted} left`,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    b.start(latestTotal, value);
    bar = b;
  });
  const update = (next: number, nextTotal?: number): void => {
    value = next;
    if (nextTotal !== undefined && nextTotal !== latestTotal) {
      latestTotal = nextTotal;
      bar?.setTotal(nextTotal);
    }
    bar?.update(value);
  };
  return {
    tick: () => update(value + 1),
    update,
    stop: () => {
      stopped = true;
      bar?.stop();
      bar = null;
    },
  };
}
