import type { Command } from 'commander';

/**
 * Registers the commands that run fedgate's processes (`server`, `worker`, `up`).
 * Kept apart from the client commands so the two evolve independently.
 */
export function registerProcessCommands(_program: Command): void {
  // Filled in by the runtime wiring (federation/runtime).
}
