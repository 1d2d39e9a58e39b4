import { withClient, type GlobalOptions } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import type { ResultExplanation } from '@dindex/protocol';
import { printJson } from '../output.js';
import { wholeNumber } from '../options.js';

/** `bm25 #2 (11.31) · vector #7 (0.612) · fused 0.0323`: each signal's rank and score. */
function describe(explain: ResultExplanation): string {
  const parts = [
    explain.bm25 ? `bm25 #${explain.bm25.rank} (${explain.bm25.score})` : 'bm25 —',
    explain.vector ? `vector #${explain.vector.rank} (${explain.vector.score})` : 'vector —',
  ];
  if (explain.fused !== null) parts.push(`fused ${explain.fused}`);
  return parts.join(' · ');
}

export interface SearchOptions extends GlobalOptions {
  k: string;
  mode?: 'bm25' | 'vector' | 'hybrid';
  explain?: boolean;
  exact?: boolean;
  sourcePrefix?: string;
  where: string[];
}

export async function search(words: string[], options: SearchOptions): Promise<void> {
  const k = wholeNumber(options.k, '-k', 1, 1000);
  const metadata = Object.fromEntries(options.where.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--where expects key=value, got "${pair}"`, EXIT.usage);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }));
  const filter = {
    ...(options.sourcePrefix ? { source_prefix: options.sourcePrefix } : {}),
    ...(options.where.length ? { metadata } : {}),
  };
  await withClient(options, async (client) => {
    const answer = await client.search(words.join(' '), {
      k,
      ...(options.mode ? { mode: options.mode } : {}),
      ...(Object.keys(filter).length ? { filter } : {}),
      ...(options.exact ? { exact: true } : {}),
      ...(options.explain ? { explain: true } : {}),
    });
    for (const warning of answer.warnings) process.stderr.write(`dindex: ${warning}\n`);
    if (options.json) {
      printJson(answer);
      return;
    }
    // On a terminal the marked terms are bold; elsewhere they keep their **markers**.
    const bold = process.stdout.isTTY ? (s: string) => `\x1b[1m${s}\x1b[22m` : (s: string) => `**${s}**`;
    const lines: string[] = [];
    answer.results.forEach((r, i) => {
      const where = r.heading ? `${r.source} › ${r.heading}` : r.source;
      lines.push(`${String(i + 1).padStart(2)}. ${where}  ${r.score.toFixed(3)}`);
      const snippet = r.snippet.replace(/\s+/g, ' ').replace(/\*\*(.+?)\*\*/g, (_, term: string) => bold(term));
      lines.push(`    ${snippet}`);
      if (r.explain) lines.push(`    doc ${r.doc_id}, chunk ${r.chunk_id}: ${describe(r.explain)}`);
    });
    const summary = `${answer.results.length} result${answer.results.length === 1 ? '' : 's'} in ${answer.took_ms} ms (${answer.mode})`;
    lines.push(answer.results.length ? `\n${summary}` : `no results (${answer.took_ms} ms)`);
    if (options.explain && answer.pruned_terms.length) {
      lines.push(`common terms scored only on the chunks the others found (--exact: on all): ${answer.pruned_terms.join(', ')}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  });
}
