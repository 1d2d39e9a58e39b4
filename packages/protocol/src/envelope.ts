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

/**
 * Hot-path parsers. Every frame passes through one of these, so the common, valid shapes are
 * recognised by a direct structural check that accepts exactly what the schema accepts (a test
 * holds the two together); anything else goes through zod, which also explains the failure.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseClientMessage(raw: unknown): Parsed<ClientMessage> {
  if (isRecord(raw) && isRequestId(raw.id)) {
    if (raw.kind === 'req' && isTypeName(raw.type)) return { ok: true, value: raw as RequestEnvelope };
    if (raw.kind === 'cancel') return { ok: true, value: raw as CancelEnvelope };
  }
  return viaSchema(ClientMessageSchema, raw);
}

export function parseServerMessage(raw: unknown): Parsed<ServerMessage> {
  if (isRecord(raw)) {
    if (raw.kind === 'res' && isRequestId(raw.id)) {
      if (raw.ok === true && 'body' in raw) return { ok: true, value: raw as ResponseEnvelope };
      if (raw.ok === false && isWireError(raw.error)) return { ok: true, value: raw as ResponseEnvelope };
    }
    if (raw.kind === 'event' && isRequestId(raw.sub) && typeof raw.type === 'string' && 'body' in raw) {
      return { ok: true, value: raw as EventEnvelope };
    }
  }
  return viaSchema(ServerMessageSchema, raw);
}

function viaSchema<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: z.prettifyError(result.error) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  return typeof value === 'string' && value.length >= 1 && value.length <= 128;
}

function isTypeName(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128;
}

function isWireError(value: unknown): value is WireError {
  return isRecord(value) && isErrorCode(value.code) && typeof value.message === 'string';
}
