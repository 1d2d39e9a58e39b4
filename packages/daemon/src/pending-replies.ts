/**
 * Requests posted to a thread, each waiting for the reply that carries its id. The thread
 * answers in any order; when it dies, everything still waiting is failed at once.
 */
export class PendingReplies<T> {
  readonly #waiting = new Map<number, { resolve(value: T): void; reject(error: Error): void }>();
  #nextId = 1;

  get size(): number {
    return this.#waiting.size;
  }

  /** Waits for the reply to a request that `post` sends with the id it is given. */
  request(post: (id: number) => void): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      post(id);
    });
  }

  resolve(id: number, value: T): void {
    this.#waiting.get(id)?.resolve(value);
    this.#waiting.delete(id);
  }

  reject(id: number, error: Error): void {
    this.#waiting.get(id)?.reject(error);
    this.#waiting.delete(id);
  }

  rejectAll(error: Error): void {
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }
}
