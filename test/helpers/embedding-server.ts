import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ServerBehaviour =
  /** Answers with embeddings of `dimensions`. */
  | 'ok'
  /** 503 for every call. */
  | 'down'
  /** Holds every call without answering. */
  | 'hang'
  /** 429 (Retry-After: 0) for the next call, then 'ok'. */
  | 'rate-limit-once'
  /** Answers with vectors one dimension short. */
  | 'wrong-dimensions';

/**
 * A real OpenAI-compatible `/v1/embeddings` server on loopback, for the `openai` provider's
 * tests: bag-of-words vectors (hashed words), with switchable failures.
 */
export interface EmbeddingServer {
  url: string;
  behaviour: ServerBehaviour;
  /** Calls by HTTP status answered (0: held without an answer). */
  calls: Map<number, number>;
  inputs: number;
  lastAuthorization: string | undefined;
  /** A call with an input holding this word is refused with 400, as servers do for bad input. */
  refuseWord: string | null;
  close(): Promise<void>;
}

export async function startEmbeddingServer(dimensions = 16): Promise<EmbeddingServer> {
  const held: http.ServerResponse[] = [];
  const state: EmbeddingServer = {
    url: '',
    behaviour: 'ok',
    calls: new Map(),
    inputs: 0,
    lastAuthorization: undefined,
    refuseWord: null,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const count = (status: number): void => {
    state.calls.set(status, (state.calls.get(status) ?? 0) + 1);
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      state.lastAuthorization = req.headers.authorization;
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        count(404);
        res.writeHead(404).end('not found');
        return;
      }
      switch (state.behaviour) {
        case 'hang':
          count(0);
          held.push(res);
          return;
        case 'down':
          count(503);
          res.writeHead(503).end('model loading');
          return;
        case 'rate-limit-once':
          state.behaviour = 'ok';
          count(429);
          res.writeHead(429, { 'retry-after': '0' }).end('slow down');
          return;
        default: {
          const { input } = JSON.parse(body) as { input: string[] };
          if (state.refuseWord && input.some((text) => text.includes(state.refuseWord!))) {
            count(400);
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'input rejected' } }));
            return;
          }
          state.inputs += input.length;
          const size = state.behaviour === 'wrong-dimensions' ? dimensions - 1 : dimensions;
          count(200);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
            object: 'list',
            data: input.map((text, index) => ({ object: 'embedding', index, embedding: bagOfWords(text, size) })),
          }));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

function bagOfWords(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let hash = 0;
    for (const ch of word) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    vector[hash % dimensions]! += 1;
  }
  return vector;
}
