import { withClient, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

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
