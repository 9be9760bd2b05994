/**
 * The bench's command-line arguments, without the `--` that `npm run bench:x -- --flag` style
 * invocations leave in front when the script is run directly (`npx tsx bench/x.ts -- --flag`).
 */
export function benchArgs(): string[] {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}
