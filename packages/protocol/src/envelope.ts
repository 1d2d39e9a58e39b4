import { z } from 'zod';
import { isErrorCode } from './errors.js';

/** Envelopes: the outer shape of every frame, independent of the request types. */
export const RequestIdSchema = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z.string().min(1).max(128),
]);
export type RequestId = z.infer<typeof RequestIdSchema>;

export const RequestEnvelopeSchema = z.object({
  kind: z.literal('req'),
  id: RequestIdSchema,
  type: z.string().min(1).max(128),
  body: z.unknown().optional(),
});

export const CancelEnvelopeSchema = z.object({
  kind: z.literal('cancel'),
  id: RequestIdSchema,
});

export const ClientMessageSchema = z.discriminatedUnion('kind', [RequestEnvelopeSchema, CancelEnvelopeSchema]);

export const WireErrorSchema = z.object({
  code: z.string().refine(isErrorCode, 'unknown error code'),
  message: z.string(),
  details: z.unknown().optional(),
});

export const ResponseEnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('res'), id: RequestIdSchema, ok: z.literal(true), body: z.unknown() }),
  z.object({ kind: z.literal('res'), id: RequestIdSchema, ok: z.literal(false), error: WireErrorSchema }),
]);

export const EventEnvelopeSchema = z.object({
  kind: z.literal('event'),
  sub: RequestIdSchema,
  type: z.string(),
  body: z.unknown(),
});

/** A connection-level failure (framing); the sender closes the connection after it. */
export const ConnectionErrorEnvelopeSchema = z.object({
  kind: z.literal('error'),
  error: WireErrorSchema,
});

export const ServerMessageSchema = z.union([ResponseEnvelopeSchema, EventEnvelopeSchema, ConnectionErrorEnvelopeSchema]);

export type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;
export type CancelEnvelope = z.infer<typeof CancelEnvelopeSchema>;
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ResponseEnvelope = z.infer<typeof ResponseEnvelopeSchema>;
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;
export type WireError = z.infer<typeof WireErrorSchema>;
export type ConnectionErrorEnvelope = z.infer<typeof ConnectionErrorEnvelopeSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
