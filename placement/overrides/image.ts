/**
 * Container image references (`[registry/]repository[:tag][@digest]`) parsed and rewritten, so an
 * override can point a cluster at its registry mirror without touching the app's manifest.
 */

/** The parts of an image reference. */
export interface ImageRef {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses an image reference; the first path component is a registry if it has '.', ':' or is localhost. */
export function parseImage(image: string): ImageRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return {
    repository: rest,
    ...(registry !== undefined ? { registry } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Formats an image reference. */
export function formatImage(ref: ImageRef): string {
  return `${ref.registry !== undefined ? `${ref.registry}/` : ''}${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/**
 * Rewrites parts of an image. A digest survives a registry change (a mirror serves the same
 * bytes) but is dropped when the repository or tag changes, since it would pin the old image.
 */
export function rewriteImage(
  image: string,
  change: { registry?: string; repository?: string; tag?: string },
): string {
  const ref = parseImage(image);
  const next: ImageRef = { ...ref };
  if (change.registry !== undefined && change.repository === undefined && isDockerHub(ref.registry)) {
    // `busybox` on Docker Hub is `library/busybox`: a mirror needs the full path, as it gets for
    // `docker.io/library/nginx`, or the two spellings of one image would land in different places.
    if (!ref.repository.includes('/')) next.repository = `library/${ref.repository}`;
  }
  if (change.registry !== undefined) next.registry = change.registry;
  if (change.repository !== undefined) next.repository = change.repository;
  if (change.tag !== undefined) next.tag = change.tag;
  if (change.repository !== undefined || change.tag !== undefined) delete next.digest;
  return formatImage(next);
}

/** Docker Hub, named or implied (no registry part). */
function isDockerHub(registry: string | undefined): boolean {
  return (
    registry === undefined ||
    registry === 'docker.io' ||
    registry === 'index.docker.io' ||
    registry === 'registry-1.docker.io'
  );
}
