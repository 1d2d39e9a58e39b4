import { z } from 'zod';

/** A document as clients send it; the daemon chunks it, so every client gets the same chunks. */
export const MetadataValueSchema = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
export const MetadataSchema = z.record(z.string().min(1).max(200), MetadataValueSchema)
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 metadata keys');

export const DocumentSchema = z.strictObject({
  /** Stable identity; indexing the same id again replaces the document. Defaults to `source`. */
  id: z.string().min(1).max(2048).optional(),
  /** Where the text came from: an absolute path, a URL, or any name the client chooses. */
  source: z.string().min(1).max(4096),
  title: z.string().max(4096).optional(),
  text: z.string(),
  metadata: MetadataSchema.optional(),
});

export type Document = z.infer<typeof DocumentSchema>;
export type Metadata = z.infer<typeof MetadataSchema>;
