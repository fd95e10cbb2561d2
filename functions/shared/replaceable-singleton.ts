/**
 * A value built once per process (one Lambda container) on first use, by a factory the process may replace
 * before that: how the engine modules let the local stack install its own adapters. A failed build is not
 * kept, so a cold start that failed (a throttled client, a missing model) is tried again on the next use.
 */
export interface ReplaceableSingleton<T, A extends unknown[]> {
  /** Builds with `factory` from now on; a value already built is dropped. */
  replaceFactory(factory: (...args: A) => T | Promise<T>): void;
  /** The value, built with `args` by the current factory on the first call. */
  get(...args: A): Promise<T>;
}

export function replaceableSingleton<T, A extends unknown[]>(initial: (...args: A) => T | Promise<T>): ReplaceableSingleton<T, A> {
  let factory = initial;
  let value: Promise<T> | undefined;
  return {
    replaceFactory(next) {
      factory = next;
      value = undefined;
    },
    get(...args) {
      value ??= Promise.resolve()
        .then(() => factory(...args))
        .catch((error: unknown) => {
          value = undefined;
          throw error;
        });
      return value;
    },
  };
}
