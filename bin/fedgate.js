#!/usr/bin/env node
// Entry point of the `fedgate` command: runs the compiled CLI (npm run build).
import '../dist/federation/cli/main.js';
