/**
 * Plugins registered by name, in the order they run (Karmada's registry.go). The default registry
 * holds the built-in plugins; a custom one (tests, simulations) can add, replace or drop plugins.
 */
import type { FilterPlugin, ScorePlugin } from './types.js';

/** A set of named plugins. */
export interface Registry {
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly ScorePlugin[];
}

/** Builds a registry, refusing duplicate names. */
export function createRegistry(filters: readonly FilterPlugin[], scores: readonly ScorePlugin[]): Registry {
  const seen = new Set<string>();
  for (const p of [...filters, ...scores]) {
    if (seen.has(p.name)) throw new Error(`duplicate plugin name ${p.name}`);
    seen.add(p.name);
  }
  return { filters: [...filters], scores: [...scores] };
}

/** A registry with only the named plugins (unknown names refused), keeping registry order. */
export function selectPlugins(
  registry: Registry,
  names: { filters?: readonly string[]; scores?: readonly string[] },
): Registry {
  const pick = <T extends { name: string }>(
    all: readonly T[],
    wanted: readonly string[] | undefined,
  ): T[] => {
    if (wanted === undefined) return [...all];
    for (const n of wanted) if (!all.some((p) => p.name === n)) throw new Error(`unknown plugin ${n}`);
    return all.filter((p) => wanted.includes(p.name));
  };
  return createRegistry(pick(registry.filters, names.filters), pick(registry.scores, names.scores));
}

/** A registry with a plugin added at the end or replacing the plugin of the same name. */
export function withPlugin(registry: Registry, plugin: FilterPlugin | ScorePlugin): Registry {
  const isFilter = 'filter' in plugin;
  const replace = <T extends { name: string }>(list: readonly T[], p: T): T[] =>
    list.some((x) => x.name === p.name) ? list.map((x) => (x.name === p.name ? p : x)) : [...list, p];
  return isFilter
    ? { filters: replace(registry.filters, plugin as FilterPlugin), scores: registry.scores }
    : { filters: registry.filters, scores: replace(registry.scores, plugin as ScorePlugin) };
}

/** Wraps a typed score plugin for storage in a registry. */
export function defineScorePlugin<S>(plugin: ScorePlugin<S>): ScorePlugin {
  return plugin as ScorePlugin;
}
