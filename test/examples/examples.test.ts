/**
 * Every YAML document under examples/ is accepted by the API's validation as it stands (the
 * README and `fedgate up` use them), and every example app is selected by an example policy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateObject } from '../../federation/resources/validate.js';
import {
  type KubeObject,
  type PlacementPolicySpec,
  schedule,
  templateInfoFromManifest,
} from '../../placement/index.js';
import { cluster, NOW } from '../placement/helpers.js';

const root = fileURLToPath(new URL('../../examples/', import.meta.url));
const files = (readdirSync(root, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .map((f) => join(root, f))
  .sort();

interface Doc {
  file: string;
  index: number;
  value: unknown;
}

const docs: Doc[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d, index) => {
    if (d.errors.length > 0) throw new Error(`${relative(root, file)}[${index}]: ${d.errors[0]?.message}`);
    return { file: relative(root, file), index, value: d.toJS() as unknown };
  }),
);

describe('examples', () => {
  it('has policies and apps to check', () => {
    expect(files.some((f) => f.includes('/policies/'))).toBe(true);
    expect(files.some((f) => f.includes('/apps/'))).toBe(true);
  });

  it.each(docs.map((d) => [`${d.file}[${d.index}]`, d] as const))('%s validates', (_name, d) => {
    expect(() => validateObject(d.value)).not.toThrow();
  });

  it('every example app is selected by an example policy', () => {
    const validated = docs.map((d) => validateObject(d.value));
    const policies = validated
      .filter((v) => !v.isTemplate && v.object.kind === 'PlacementPolicy')
      .map((v) => ({
        name: v.object.metadata.name,
        spec: (v.object as unknown as { spec: PlacementPolicySpec }).spec,
      }));
    expect(policies.length).toBeGreaterThanOrEqual(6);
    const fleet = [cluster('aws-fra', { provider: 'aws', region: 'eu-central-1' })];
    for (const v of validated.filter((x) => x.isTemplate)) {
      const r = schedule({
        template: templateInfoFromManifest(v.object as unknown as KubeObject),
        policies,
        fleet,
        now: NOW,
      });
      expect(r.status, `${v.object.kind} ${v.object.metadata.name}`).not.toBe('NoMatchingPolicy');
    }
  });
});
