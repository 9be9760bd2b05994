/** What an action handler gets: the request's parameters, the caller's account and region, the state. */
import type { QueryParams } from './query.js';
import type { Ec2Store } from './store.js';
import type { XmlObject } from './xml.js';

/** One request being served. */
export interface ActionContext {
  readonly params: QueryParams;
  /** The account of the access key that signed the request. */
  readonly account: string;
  /** The region of the signature's credential scope. */
  readonly region: string;
  readonly now: number;
  readonly store: Ec2Store;
}

/** An action: reads and changes the state, returns the response members (after requestId). */
export type ActionHandler = (ctx: ActionContext) => XmlObject;
