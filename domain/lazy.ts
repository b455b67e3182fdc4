/**
 * Values built on first use and kept. The workflow bundle's modules are evaluated again for every new
 * workflow (each workflow has its own module state), so a schema built at module evaluation is rebuilt
 * for every case although a workflow validates one or two kinds of body. A lazy record builds the entry
 * that is read, once per module instance; the API, which reads them all, builds each once per process.
 */

/** The record of `builders`' values: each built when its key is first read, then the same value. */
export function lazyRecord<B extends Record<string, () => unknown>>(builders: B): { readonly [K in keyof B]: ReturnType<B[K]> } {
  const record = {} as { [K in keyof B]: ReturnType<B[K]> };
  for (const key of Object.keys(builders) as (keyof B & string)[]) {
    let built = false;
    let value: ReturnType<B[typeof key]> | undefined;
    Object.defineProperty(record, key, {
      enumerable: true,
      configurable: false,
      get() {
        if (!built) {
          value = builders[key]!() as ReturnType<B[typeof key]>;
          built = true;
        }
        return value;
      },
    });
  }
  return record;
}

/** A function answering `build()`'s value, built at the first call. */
export function lazy<T>(build: () => T): () => T {
  let built = false;
  let value: T | undefined;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
