/** A Peering a policy keeps or retires, as the switch-over sees it. */
export interface LinkView {
  readonly name: string;
  readonly clusters: readonly [string, string];
  /** Its Ready condition is True (set up and verified both ways). */
  readonly ready: boolean;
}

/** What to do with the links a new plan no longer has. */
export interface SwitchOver {
  /** Retire now: every new link of both its clusters is Ready. */
  readonly retire: readonly string[];
  /** Keep for now, each with the new links it waits for. */
  readonly waiting: readonly { readonly name: string; readonly waitsFor: readonly string[] }[];
}

/**
 * Make-before-break: a link the plan dropped (a spoke↔spoke link after a switch from mesh to
 * hub-and-spoke) is retired only once every link the plan keeps for either of its clusters (their
 * paths through the hub) is Ready, so traffic between them never loses its path. A link whose
 * clusters have no new link at all (a cluster left the policy) is retired at once.
 */
export function planSwitchOver(stale: readonly LinkView[], wanted: readonly LinkView[]): SwitchOver {
  const retire: string[] = [];
  const waiting: { name: string; waitsFor: string[] }[] = [];
  for (const old of [...stale].sort((a, b) => a.name.localeCompare(b.name))) {
    const paths = wanted.filter((w) => w.clusters.some((c) => old.clusters.includes(c)));
    const notReady = paths.filter((w) => !w.ready).map((w) => w.name);
    if (notReady.length === 0) retire.push(old.name);
    else waiting.push({ name: old.name, waitsFor: notReady.sort() });
  }
  return { retire, waiting };
}
