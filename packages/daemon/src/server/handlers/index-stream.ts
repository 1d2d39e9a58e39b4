import { WritePipeline } from '../../pipeline/write-pipeline.js';
import type { Handler } from '../dispatcher.js';

/** `index.begin` / `index.docs` / `index.end`: a stream of documents, acknowledged when durable. */
export const handleIndexBegin: Handler<'index.begin'> = (_body, { connection, daemon }) => ({
  stream: daemon.index.streams.open(connection.id),
});

export const handleIndexDocs: Handler<'index.docs'> = async (body, { connection, daemon }) => {
  const { pipeline, streams } = daemon.index;
  streams.get(connection.id, body.stream);
  const bytes = WritePipeline.sizeOf(body.documents);
  const admitted = pipeline.admit(bytes);
  // While the queue is full, read nothing more from this producer.
  connection.holdReading(admitted);
  await admitted;
  streams.add(connection.id, body.stream, pipeline.submitDocuments(body.documents, bytes));
  return { accepted: body.documents.length, queued_bytes: pipeline.status().queued_bytes };
};

export const handleIndexEnd: Handler<'index.end'> = (body, { connection, daemon }) => {
  const { pipeline, streams } = daemon.index;
  streams.get(connection.id, body.stream);
  // The producer is waiting for its acknowledgement: commit now rather than at the next trigger.
  pipeline.commit().catch(() => {});
  return streams.end(connection.id, body.stream, () => pipeline.lastCommitSeq);
};
