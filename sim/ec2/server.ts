/**
 * The EC2 simulator: an HTTP server on 127.0.0.1 speaking EC2's query protocol (POST / with a
 * form body, or GET /?Action=…), SigV4-verified against the configured accounts' secrets, answering
 * in EC2's XML, with fault injection. `startEc2Sim` seeds nothing: see `Ec2Sim.seed`.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inventoryActions } from './actions-inventory.js';
import { peeringActions, statusOf } from './actions-peering.js';
import { routeActions } from './actions-routes.js';
import { storageActions } from './actions-storage.js';
import { vgwState, vpnActions, vpnState } from './actions-vpn.js';
import type { ActionHandler } from './context.js';
import { Ec2Error } from './errors.js';
import { Ec2FaultInjector, type Ec2Faults } from './faults.js';
import { QueryParams } from './query.js';
import { Ec2Seeder } from './seeder.js';
import { verifySigV4 } from './sigv4.js';
import { Ec2Store } from './store.js';
import { errorXml, responseXml } from './xml.js';

/** One AWS account the simulator knows, and the access key that signs for it. */
export interface Ec2Account {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Options of the EC2 simulator. */
export interface Ec2SimOptions {
  readonly accounts: readonly Ec2Account[];
  /** Port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** How long long-running changes take (snapshot, copy, VPN, attachment, peering), ms (default 300). */
  readonly operationMs?: number;
  /** Bearer token of the /_sim control routes (default: a random one, see `controlToken`). */
  readonly controlToken?: string;
}

/** Kinds of resources `countLive` counts. */
export type Ec2ResourceKind =
  | 'peering'
  | 'vpn-gateway'
  | 'peer-gateway'
  | 'vpn-connection'
  | 'route'
  | 'snapshot'
  | 'volume';

/** A running EC2 simulator. */
export interface Ec2Sim {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly faults: Ec2Faults;
  readonly store: Ec2Store;
  readonly seed: Ec2Seeder;
  /** Bearer token of POST /_sim/faults. */
  readonly controlToken: string;
  /** API requests served so far, by Action (including throttled and refused ones). */
  served(): Record<string, number>;
  /** Live resources of a kind over all accounts and regions (the conformance suite's idempotency check). */
  countLive(kind: Ec2ResourceKind): number;
  close(): Promise<void>;
}

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ...inventoryActions,
  ...peeringActions,
  ...vpnActions,
  ...routeActions,
  ...storageActions,
};

const MAX_BODY = 1 << 20;

/** Starts the simulator on 127.0.0.1. */
export async function startEc2Sim(options: Ec2SimOptions): Promise<Ec2Sim> {
  const operationMs = options.operationMs ?? 300;
  const faults = new Ec2FaultInjector(operationMs);
  const store = new Ec2Store(faults);
  const controlToken = options.controlToken ?? randomUUID();
  const served: Record<string, number> = {};
  const accounts = new Map(options.accounts.map((a) => [a.accessKeyId, a]));

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const url = req.url ?? '/';
        if (url.startsWith('/_sim/')) control(req, res, url, body);
        else api(req, res, url, body);
      })
      .catch((err: unknown) => send(res, 500, 'text/plain', String(err)));
  });

  function api(req: IncomingMessage, res: ServerResponse, url: string, body: string): void {
    const requestId = randomUUID();
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const params = new QueryParams(req.method === 'GET' ? query : body);
    const action = params.action ?? '(none)';
    served[action] = (served[action] ?? 0) + 1;
    try {
      if (req.method !== 'POST' && req.method !== 'GET')
        throw new Ec2Error('InvalidAction', `The method ${req.method} is not supported`, 405);
      const signer = verifySigV4(
        { method: req.method, url, headers: req.headers, body },
        (key) => accounts.get(key)?.secretAccessKey,
      );
      const verdict = faults.verdict();
      if (verdict === 'throttle') throw new Ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503);
      if (verdict === 'fail')
        throw new Ec2Error('Unavailable', "The server is overloaded and can't handle the request.", 503);
      if (!params.action)
        throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
      const handler = ACTIONS[params.action];
      if (!handler)
        throw new Ec2Error('InvalidAction', `The action ${params.action} is not valid for this web service.`);
      if (params.get('Version') !== '2016-11-15')
        throw new Ec2Error('InvalidParameterValue', `Invalid API version: ${params.get('Version')}`);
      const account = accounts.get(signer.accessKeyId)!.accountId;
      const members = handler({ params, account, region: signer.region, now: Date.now(), store });
      send(res, 200, 'text/xml;charset=UTF-8', responseXml(params.action, requestId, members));
    } catch (err) {
      if (err instanceof Ec2Error)
        send(res, err.status, 'text/xml;charset=UTF-8', errorXml(err.code, err.message, requestId));
      else
        send(
          res,
          500,
          'text/xml;charset=UTF-8',
          errorXml('InternalError', 'An internal error has occurred', requestId),
        );
    }
  }

  function control(req: IncomingMessage, res: ServerResponse, url: string, body: string): void {
    const given = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${controlToken}`);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      send(res, 401, 'application/json', '{"error":"unauthorized"}');
    } else if (url === '/_sim/faults' && req.method === 'POST') {
      try {
        faults.applyBody(JSON.parse(body || '{}'));
        send(res, 204, 'application/json', '');
      } catch (err) {
        send(
          res,
          400,
          'application/json',
          JSON.stringify({ error: err instanceof Error ? err.message : String(err) }),
        );
      }
    } else if (url === '/_sim/served' && req.method === 'GET') {
      send(res, 200, 'application/json', JSON.stringify(served));
    } else {
      send(res, 404, 'application/json', '{"error":"not found"}');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    store,
    seed: new Ec2Seeder(store),
    controlToken,
    served: () => ({ ...served }),
    countLive: (kind) => countLive(store, kind),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function countLive(store: Ec2Store, kind: Ec2ResourceKind): number {
  const now = Date.now();
  switch (kind) {
    case 'peering':
      return [...store.peerings.values()].filter(
        (p) => !['deleted', 'rejected', 'failed', 'expired'].includes(statusOf(p, now).code),
      ).length;
    case 'vpn-gateway':
      return [...store.vpnGateways.values()].filter((g) => vgwState(g, now) !== 'deleted').length;
    case 'peer-gateway':
      return [...store.customerGateways.values()].filter((c) => !c.deleted).length;
    case 'vpn-connection':
      return [...store.vpnConnections.values()].filter((c) => vpnState(c, now) !== 'deleted').length;
    case 'route':
      return [...store.routeTables.values()].reduce(
        (n, t) => n + t.routes.filter((r) => r.origin === 'CreateRoute').length,
        0,
      );
    case 'snapshot':
      return store.snapshots.size;
    case 'volume':
      return store.volumes.size;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}
