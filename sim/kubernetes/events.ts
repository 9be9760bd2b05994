/**
 * core/v1 Events as controllers record them (what `kubectl describe` prints under Events:),
 * written straight to storage with a bounded total so long benchmarks do not grow without limit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { groupResourceKey } from './resources.js';
import type { ObjectStore } from './storage.js';
import type { KubeObject } from './types.js';

/** Events kept per cluster before the oldest are dropped (the real server expires them after 1h). */
export const DEFAULT_MAX_EVENTS = 5000;

const EVENTS = groupResourceKey('', 'events');

/** Records events about objects. */
export class EventRecorder {
  private readonly order: { namespace: string; name: string }[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly enabled: boolean,
    private readonly now: () => string,
    private readonly maxEvents = DEFAULT_MAX_EVENTS,
  ) {}

  /** Records one event about `about`, attributed to a component ('deployment-controller'…). */
  record(
    about: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
  ): void {
    if (!this.enabled) return;
    const namespace = about.metadata.namespace ?? 'default';
    const name = `${about.metadata.name}.${randomBytes(8).toString('hex')}`;
    const time = this.now();
    this.store.write(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, uid: randomUUID(), resourceVersion: '', creationTimestamp: time },
      involvedObject: {
        kind: about.kind,
        namespace: about.metadata.namespace,
        name: about.metadata.name,
        uid: about.metadata.uid,
        apiVersion: about.apiVersion,
        resourceVersion: about.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: '',
    });
    this.order.push({ namespace, name });
    while (this.order.length > this.maxEvents) {
      const oldest = this.order.shift();
      if (oldest) this.store.remove(EVENTS, oldest.namespace, oldest.name);
    }
  }
}
