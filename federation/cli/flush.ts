/**
 * Resolves once everything written to `stream` so far has been handed to the operating system.
 * Writes complete in order, so the callback of an empty write comes after all earlier ones. A
 * stream that is gone (the reader closed the pipe: EPIPE) resolves at once: nobody is listening.
 */
export function flushed(stream: NodeJS.WritableStream & { destroyed?: boolean }): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('error', done);
      resolve();
    };
    stream.once('error', done);
    try {
      stream.write('', done);
    } catch {
      done();
    }
  });
}
