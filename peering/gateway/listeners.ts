import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import type { TlsMaterial } from '../identity/cert-rotator.js';
import type { GatewayRequest, GatewayResponse } from './proxy.js';

type Handler = (req: GatewayRequest, res: GatewayResponse) => void;

/** A listener with its address. */
export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

/** The mTLS listener for peer gateways, whose certificates can be swapped live. */
export interface PeerListener extends Listening {
  /** New handshakes use `m`; connections already open go on with what they negotiated. */
  setTls(m: TlsMaterial): void;
}

/**
 * Listens for peer gateways: TLS with a client certificate required and verified against the trust
 * bundle (`rejectUnauthorized`), ALPN h2 or http/1.1. A peer that does not chain to the bundle never
 * gets past the handshake; `onRefused` counts it.
 */
export async function listenForPeers(opts: {
  host: string;
  port: number;
  tls: TlsMaterial;
  handler: Handler;
  onRefused: (err: Error) => void;
}): Promise<PeerListener> {
  const server = http2.createSecureServer(
    {
      cert: opts.tls.certChainPem,
      key: opts.tls.keyPem,
      ca: opts.tls.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      allowHTTP1: true,
      settings: { maxConcurrentStreams: 1000 },
    },
    opts.handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  server.on('tlsClientError', (err) => opts.onRefused(err));
  server.on('sessionError', () => {});
  const sockets = trackSockets(server);
  return {
    port: await listen(server, opts.host, opts.port),
    setTls: (m) => server.setSecureContext({ cert: m.certChainPem, key: m.keyPem, ca: m.caPem }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

/**
 * Listens for apps of this cluster in cleartext on one port: HTTP/1.1, and HTTP/2 with prior
 * knowledge (what gRPC clients speak to a plain `host:port`). The first bytes of a connection tell
 * which: the HTTP/2 preface starts with `PRI * HTTP/2.0`.
 */
export async function listenForApps(opts: {
  host: string;
  port: number;
  handler: Handler;
}): Promise<Listening> {
  const h1 = http.createServer({ keepAliveTimeout: 65_000 }, opts.handler as http.RequestListener);
  const h2 = http2.createServer(
    { settings: { maxConcurrentStreams: 1000 } },
    opts.handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  h2.on('sessionError', () => {});
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.once('data', (first: Buffer) => {
      if (first.subarray(0, 3).toString('latin1') === 'PRI') {
        // The HTTP/2 session reads the socket's handle directly and would miss the bytes already
        // read: it gets a stream that replays them first (HTTP/2 cleartext only; HTTP/1.1 keeps the
        // fast path).
        h2.emit('connection', replaying(socket, first));
        return;
      }
      socket.pause();
      socket.unshift(first);
      h1.emit('connection', socket);
      socket.resume();
    });
    socket.on('error', () => {});
  });
  return {
    port: await listen(front, opts.host, opts.port),
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(front);
    },
  };
}

/** A duplex over `socket` that yields `first` before the socket's further data. */
function replaying(socket: net.Socket, first: Buffer): Duplex {
  const d = new Duplex({
    read: () => socket.resume(),
    write: (chunk, encoding, cb) => socket.write(chunk, encoding, cb),
    final: (cb) => socket.end(cb),
    destroy: (err, cb) => {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  d.push(first);
  socket.on('data', (c: Buffer) => {
    if (!d.push(c)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => d.destroy());
  socket.on('error', (err) => d.destroy(err));
  return d;
}

function trackSockets(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

async function listen(server: net.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

async function closeServer(server: net.Server): Promise<void> {
  const s = server as net.Server & { closeAllConnections?: () => void };
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    s.closeAllConnections?.();
  });
}
