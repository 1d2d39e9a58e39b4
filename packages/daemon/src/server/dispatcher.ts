import { z } from 'zod';
import {
  DindexError, REQUESTS, isRequestType, type EncodedFrame, type ParsedRequestBody, type RequestType, type ResponseBody,
} from '@dindex/protocol';
import type { RequestContext } from './context.js';

/**
 * An answer, or its whole frame encoded elsewhere: a search thread encodes its own answer,
 * for the request id the context gives.
 */
export type Answer<T extends RequestType> = ResponseBody<T> | EncodedFrame;

export type Handler<T extends RequestType> = (
  body: ParsedRequestBody<T>,
  ctx: RequestContext,
) => Answer<T> | Promise<Answer<T>>;

/** One handler per request type; the compiler checks that none is missing. */
export type HandlerMap = { [T in RequestType]: Handler<T> };

/** Returns the answer, or a promise of it; throws for a request it refuses. */
export type Dispatch = (type: string, body: unknown, ctx: RequestContext) => unknown;

/** Validates a request against its schema and runs its handler; never a chain of ifs. */
export function createDispatcher(handlers: HandlerMap): Dispatch {
  return (type, body, ctx) => {
    if (!isRequestType(type)) {
      throw new DindexError('UNKNOWN_REQUEST', `unknown request type "${type}"`, { known: Object.keys(REQUESTS) });
    }
    const parsed = REQUESTS[type].request.safeParse(body ?? {});
    if (!parsed.success) {
      throw new DindexError('INVALID_REQUEST', `invalid ${type} request: ${z.prettifyError(parsed.error)}`, {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message })),
      });
    }
    const handler = handlers[type] as Handler<typeof type>;
    return handler(parsed.data as never, ctx);
  };
}
