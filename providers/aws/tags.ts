/** EC2 tags: the Name tag that makes creates idempotent, tag specifications, filters. */
import type { Filter, ResourceType, Tag, TagSpecification } from '@aws-sdk/client-ec2';

/** The Name tag as a filter. */
export function nameFilter(name: string): Filter {
  return { Name: 'tag:Name', Values: [name] };
}

/** Tags a resource at creation (one call, no window where it exists unnamed). */
export function tagSpec(
  type: ResourceType,
  name: string,
  extra: Readonly<Record<string, string>> = {},
): TagSpecification[] {
  const tags: Tag[] = [
    { Key: 'Name', Value: name },
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
  ];
  return [{ ResourceType: type, Tags: tags }];
}

/** EC2's tag list as a record. */
export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** The Name tag, or undefined. */
export function nameOf(tags: readonly Tag[] | undefined): string | undefined {
  return tags?.find((t) => t.Key === 'Name')?.Value;
}
