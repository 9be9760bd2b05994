// The `fedgate` command (bin/fedgate.js runs the compiled form of this file, or this file through tsx).
import { flushed } from './flush.js';
import { runCli } from './program.js';

// A reader that stops early (`fedgate get … | head`) closes the pipe: nothing more to say, and no
// stack trace for it either.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });

const code = await runCli(process.argv.slice(2));
// Exit explicitly: idle keep-alive sockets must not hold the CLI open. But only once stdout and
// stderr are written out: into a pipe whose reader is slower than us, Node queues what the pipe
// cannot take yet, and process.exit would drop it.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
