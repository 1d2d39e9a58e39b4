import { setTimeout as sleep } from 'node:timers/promises';
import { withClient, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { createProgress } from '../progress.js';

const POLL_MS = 500;

/**
 * Drops the index's vectors and has the daemon embed every chunk again with the configured
 * model. Attached, it follows the count of pending chunks to 0; `--detach` returns at once.
 */
export function reembed(options: GlobalOptions & { detach?: boolean }): Promise<void> {
  return withClient(options, async (client) => {
    const started = await client.reembed();
    if (!options.json) process.stderr.write(`re-embedding ${started.pending} chunks with ${started.model}\n`);
    if (options.detach) {
      if (options.json) printJson(started);
      return;
    }
    const progress = createProgress(started.pending, options.json === true, 'chunks');
    let stats = await client.stats();
    let lastError: string | null = null;
    while (stats.vectors_pending > 0) {
      progress.update(started.pending - stats.vectors_pending);
      await sleep(POLL_MS);
      stats = await client.stats();
      const { embedding } = await client.status();
      if (embedding.last_error && embedding.last_error !== lastError && !options.json) {
        process.stderr.write(`\ndindex: the embedder is failing, the daemon keeps retrying: ${embedding.last_error}\n`);
      }
      lastError = embedding.last_error;
    }
    progress.stop();
    if (options.json) printJson({ ...started, pending: 0, vectors: stats.vectors });
    else process.stderr.write(`done: ${stats.vectors} vectors\n`);
  });
}
