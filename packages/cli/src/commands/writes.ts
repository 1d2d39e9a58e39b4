import { withClient, type GlobalOptions } from '../context.js';
import { formatBytes, printJson, printLines, table } from '../output.js';

export function deleteDocuments(ids: string[], options: GlobalOptions): Promise<void> {
  return withClient(options, async (client) => {
    const result = await client.delete(ids);
    if (options.json) printJson(result);
    else process.stderr.write(`deleted ${result.deleted} of ${ids.length} document${ids.length === 1 ? '' : 's'}; commit ${result.commit_seq}\n`);
  });
}

export function commit(options: GlobalOptions): Promise<void> {
  return withClient(options, async (client) => {
    const result = await client.commit();
    if (options.json) printJson(result);
    else process.stderr.write(`committed; commit ${result.commit_seq}\n`);
  });
}

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
      ['database', formatBytes(s.database_bytes)],
      ['schema', `version ${s.schema_version}`],
    ], ''));
  });
}
