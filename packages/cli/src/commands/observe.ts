import { withClient, type GlobalOptions } from '../context.js';
import { formatBytes, printJson, printLines, table } from '../output.js';

export function stats(options: GlobalOptions): Promise<void> {
  return withClient(options, async (client) => {
    const s = await client.stats();
    if (options.json) {
      printJson(s);
      return;
    }
    printLines(table([
      ['documents', String(s.documents)],
      ['chunks', String(s.chunks)],
      ['vectors', s.vectors_pending ? `${s.vectors} (${s.vectors_pending} pending)` : String(s.vectors)],
      ['embedding', s.embedding_model ? `${s.embedding_model}${s.embedding_dimensions ? `, ${s.embedding_dimensions} dimensions` : ''}` : 'none'],
      ['last commit', String(s.last_commit_seq)],
      ['queued', `${s.queued_documents} documents`],
      ['database', `${formatBytes(s.database_bytes)}, ${s.index_segments} index segment${s.index_segments === 1 ? '' : 's'}`],
      ['schema', `version ${s.schema_version}`],
    ], ''));
  });
}

export function metrics(options: GlobalOptions): Promise<void> {
  return withClient(options, async (client) => {
    const text = await client.metrics();
    if (options.json) printJson({ text });
    else process.stdout.write(text);
  });
}

/** Exit 1 when a check fails (after repair, when asked): scripts can act on it. */
export function doctor(options: GlobalOptions & { repair?: boolean }): Promise<void> {
  return withClient(options, async (client) => {
    const report = await client.doctor({ repair: options.repair === true });
    if (options.json) printJson(report);
    else {
      printLines(table(report.checks.map((c) => [c.name, `${c.ok ? 'ok' : 'FAILED'}${c.repaired ? ' (repaired)' : ''}  ${c.detail}`]), ''));
      process.stderr.write(`${report.ok ? 'all checks passed' : 'problems found; `dindex doctor --repair` rebuilds what can be rebuilt'} (${report.took_ms} ms)\n`);
    }
    if (!report.ok) process.exitCode = 1;
  });
}
