import crypto from 'node:crypto';
import type { Document } from '@dindex/protocol';
import { chunkText, type Chunk, type ChunkOptions } from '../index/chunker.js';

/** A document hashed and chunked, ready for the writer. */
export interface PreparedDocument {
  id: string;
  source: string;
  title: string | null;
  metadata: string | null;
  /** Of everything that makes up the stored document: an equal hash means nothing to write. */
  hash: string;
  chunks: Chunk[];
}

export function prepareDocument(doc: Document, chunking: ChunkOptions): PreparedDocument {
  const metadata = doc.metadata ? JSON.stringify(doc.metadata) : null;
  const hash = crypto.hash('sha256', JSON.stringify([doc.source, doc.title ?? null, metadata, doc.text]), 'base64url');
  const chunks = chunkText(doc.text, chunking);
  return {
    id: doc.id ?? doc.source,
    source: doc.source,
    title: doc.title ?? null,
    metadata,
    hash,
    // A title-only document still gets one (empty) chunk, so it can be found by its title.
    chunks: chunks.length === 0 && doc.title ? [{ text: '', heading: null }] : chunks,
  };
}
