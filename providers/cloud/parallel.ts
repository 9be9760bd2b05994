/**
 * Runs provider calls side by side as one call. Each is given the caller's options with a signal
 * that aborts when the caller's does or when another of them fails, and the result settles only
 * once every one has: no request or retry of a failed call's siblings runs on after it. (With
 * `Promise.all`, a sibling kept retrying with backoff in the background, and its late requests
 * reached the provider after the caller had given up.)
 */
export async function inParallel<O extends { readonly signal?: AbortSignal }, T extends readonly unknown[]>(
  opts: O,
  calls: { readonly [K in keyof T]: (opts: O) => Promise<T[K]> },
): Promise<T> {
  const outer = opts.signal;
  const ac = new AbortController();
  const onAbort = () => ac.abort(outer?.reason);
  if (outer?.aborted) ac.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  const linked = { ...opts, signal: ac.signal };
  let failure: { readonly error: unknown } | undefined;
  try {
    const settled = await Promise.allSettled(
      (calls as readonly ((o: O) => Promise<unknown>)[]).map((call) =>
        call(linked).catch((error: unknown) => {
          if (!failure) {
            failure = { error };
            ac.abort(error);
          }
          throw error;
        }),
      ),
    );
    if (failure) throw failure.error;
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
}
