import path from 'node:path';
import type { DaemonClient, ImportFormat, JobInfo, JobSpec, JobState } from '@dindex/client';
import { withClient, type GlobalOptions } from '../context.js';
import { EXIT } from '../errors.js';
import { wholeNumber } from '../options.js';
import { formatBytes, printJson, printLines, table } from '../output.js';
import { createProgress, type Progress } from '../progress.js';

/**
 * `dindex import`, `dindex scrape` and `dindex jobs ...`. Imports and scrapes run as jobs in
 * the daemon; attached (the default) the command follows the job's events with a progress bar
 * and a summary, Ctrl-C cancels it (it can be resumed); `--detach` prints the job and returns.
 */
export function importFile(file: string, options: GlobalOptions & { format: ImportFormat; detach?: boolean }): Promise<void> {
  return runJob({ kind: 'import', format: options.format, path: path.resolve(file) }, options);
}

export function scrape(urls: string[], options: GlobalOptions & { depth: string; maxPages: string; allHosts?: boolean; detach?: boolean }): Promise<void> {
  return runJob({
    kind: 'scrape', urls, depth: wholeNumber(options.depth, '--depth'), max_pages: wholeNumber(options.maxPages, '--max-pages', 1), same_host: !options.allHosts,
  }, options);
}

export function jobsList(options: GlobalOptions & { state?: JobState; limit: string }): Promise<void> {
  return withClient(options, async (client) => {
    const jobs = await client.jobs({ ...(options.state ? { state: options.state } : {}), limit: wholeNumber(options.limit, '--limit', 1) });
    if (options.json) return printJson({ jobs });
    if (jobs.length === 0) return printLines(['no jobs']);
    const rows = jobs.map((job) => [job.id, job.state, describeSpec(job), `${job.counts.documents} docs`, position(job)]);
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    printLines(rows.map((row) => row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ')));
  });
}

export function jobsShow(id: string, options: GlobalOptions): Promise<void> {
  return withClient(options, async (client) => {
    const job = await client.job(id);
    if (options.json) return printJson(job);
    printLines(describeJob(job));
  });
}

export function jobsCancel(id: string, options: GlobalOptions): Promise<void> {
  return withClient(options, async (client) => {
    const job = await client.cancelJob(id);
    if (options.json) return printJson(job);
    printLines([`${job.id} ${job.state}: ${summary(job)}; \`dindex jobs resume ${job.id}\` continues it`]);
  });
}

export function jobsWatch(id: string, options: GlobalOptions): Promise<void> {
  return withClient(options, (client) => follow(client, id, options));
}

export function jobsResume(id: string, options: GlobalOptions & { detach?: boolean }): Promise<void> {
  return withClient(options, async (client) => {
    const job = await client.resumeJob(id);
    if (options.detach) return report(job, options);
    await follow(client, job.id, options);
  });
}

async function runJob(spec: JobSpec, options: GlobalOptions & { detach?: boolean }): Promise<void> {
  await withClient(options, async (client) => {
    const job = await client.startJob(spec);
    if (options.detach) return report(job, options);
    if (!options.json) process.stderr.write(`job ${job.id}: ${describeSpec(job)}\n`);
    await follow(client, job.id, options);
  });
}

/** Follows a job to its end; Ctrl-C cancels it. Exit code 1 unless it is done. */
async function follow(client: DaemonClient, id: string, options: GlobalOptions): Promise<void> {
  let progress: Progress | null = null;
  let scale = 1;
  const onInterrupt = (): void => {
    process.stderr.write(`\ncancelling job ${id}...\n`);
    void client.cancelJob(id).catch(() => {});
  };
  process.once('SIGINT', onInterrupt);
  let job: JobInfo;
  try {
    job = await client.watchJob(id, (info) => {
      const { current, total, unit } = info.progress;
      if (!progress && total) {
        scale = unit === 'bytes' ? 1024 * 1024 : 1;
        progress = createProgress(Math.ceil(total / scale), options.json === true, unit === 'bytes' ? 'MiB' : 'pages');
      }
      // A crawl's total grows as it finds links.
      progress?.update(Math.round((current / scale) * 10) / 10, total ? Math.ceil(total / scale) : undefined);
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    (progress as Progress | null)?.stop();
  }
  report(job, options);
  if (job.state !== 'done') process.exitCode = EXIT.error;
}

function report(job: JobInfo, options: GlobalOptions): void {
  if (options.json) return printJson(job);
  if (job.state === 'queued' || job.state === 'running') {
    printLines([job.id]);
    process.stderr.write(`job ${job.id} ${job.state}; follow it with \`dindex jobs watch ${job.id}\`\n`);
    return;
  }
  const took = job.started_at && job.finished_at ? ` in ${((Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000).toFixed(1)} s` : '';
  const lines = [`job ${job.id} ${job.state}${took}: ${summary(job)}`];
  if (job.error) lines.push(`  ${job.error}`);
  for (const p of job.problems) lines.push(`  ${p.where}: ${p.message}`);
  if (job.counts.errors + job.counts.rejected > job.problems.length && job.problems.length > 0) lines.push(`  (the last ${job.problems.length} problems; \`dindex jobs show ${job.id}\`)`);
  if (job.resumable) lines.push(`  \`dindex jobs resume ${job.id}\` continues from the last commit`);
  process.stderr.write(lines.join('\n') + '\n');
}

function summary(job: JobInfo): string {
  const c = job.counts;
  return `${c.documents} documents (${c.chunks} chunks), ${c.skipped} unchanged, ${c.rejected} skipped, ${c.errors} errors`;
}

function describeSpec(job: JobInfo): string {
  const { spec } = job;
  return spec.kind === 'import'
    ? `import ${spec.format} ${spec.path}`
    : `scrape ${spec.urls.join(' ')} (depth ${spec.depth}, ≤ ${spec.max_pages} pages)`;
}

function position(job: JobInfo): string {
  const { current, total, unit } = job.progress;
  const amount = (n: number): string => (unit === 'bytes' ? formatBytes(n) : `${n} pages`);
  if (total) return `${amount(current)} of ${amount(total)} (${Math.floor((current / total) * 100)}%)`;
  return amount(current);
}

function describeJob(job: JobInfo): string[] {
  const { progress } = job;
  const rows: Array<[string, string]> = [
    ['job', job.id],
    ['what', describeSpec(job)],
    ['state', job.state + (job.resumable ? ' (resumable)' : '')],
    ['created', job.created_at],
    ['started', job.started_at ?? '-'],
    ['finished', job.finished_at ?? '-'],
    ['progress', `${progress.stage}, ${position(job)}${progress.rate ? `, ${progress.unit === 'bytes' ? `${formatBytes(progress.rate)}/s` : `${progress.rate} pages/s`}` : ''}${progress.eta_s !== null ? `, ${progress.eta_s} s left` : ''}`],
    ['indexed', summary(job)],
  ];
  if (job.error) rows.push(['error', job.error]);
  return [...table(rows, ''), ...job.problems.map((p) => `  ${p.where}: ${p.message}`)];
}

