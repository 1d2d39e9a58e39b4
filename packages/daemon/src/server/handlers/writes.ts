import type { Handler } from '../dispatcher.js';

export const handleDelete: Handler<'delete'> = async (body, { daemon }) => {
  const result = await daemon.index.pipeline.delete(body.ids);
  return { deleted: result.deleted, commit_seq: result.seq };
};

export const handleCommit: Handler<'commit'> = async (_body, { daemon }) => {
  const result = await daemon.index.pipeline.commit();
  return { commit_seq: result.seq };
};

export const handleStats: Handler<'stats'> = (_body, { daemon }) => ({
  ...daemon.index.search.searcher.stats(),
  queued_documents: daemon.index.pipeline.status().queued_documents,
});
