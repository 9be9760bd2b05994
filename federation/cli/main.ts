#!/usr/bin/env node
// The `fedgate` command (bin/fedgate.js runs the compiled form of this file).
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// Exit explicitly: idle keep-alive sockets must not hold the CLI open. Writes to pipes and files
// are synchronous on Linux, so nothing printed is lost.
process.exit(code);
