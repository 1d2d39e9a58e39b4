import type { Handler } from '../dispatcher.js';

export const handleReembed: Handler<'reembed'> = async (_body, { daemon }) => {
  const result = await daemon.index.pipeline.reembed();
  return { pending: result.chunks, model: daemon.index.pipeline.embedder?.model ?? '', commit_seq: result.seq };
};
