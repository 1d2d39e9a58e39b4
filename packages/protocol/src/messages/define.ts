import type { z } from 'zod';

/** One request type of the protocol: its name and the schemas of its body and answer. */
export interface RequestDefinition<
  TType extends string = string,
  TRequest extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
> {
  readonly type: TType;
  readonly request: TRequest;
  readonly response: TResponse;
}

export function defineRequest<TType extends string, TRequest extends z.ZodType, TResponse extends z.ZodType>(
  type: TType,
  schemas: { request: TRequest; response: TResponse },
): RequestDefinition<TType, TRequest, TResponse> {
  return { type, ...schemas };
}
