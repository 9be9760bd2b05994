import * as grpc from '@grpc/grpc-js';

/**
 * The gRPC sample service of `fedgate up`: `demo.Greeter/SayHello`, a unary call whose messages
 * are protobuf (HelloRequest { string name = 1; }, HelloReply { string message = 1; string
 * cluster = 2; }), encoded here so the demo needs no .proto toolchain. Served with @grpc/grpc-js
 * over h2c on loopback, called through the gateways by its clusterset name.
 */
const SAY_HELLO = '/demo.Greeter/SayHello';

/** Encodes string fields (numbered 1…) as protobuf length-delimited fields. */
export function encodeStrings(values: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  values.forEach((v, i) => {
    const bytes = Buffer.from(v, 'utf8');
    parts.push(Buffer.from([((i + 1) << 3) | 2]), varint(bytes.length), bytes);
  });
  return Buffer.concat(parts);
}

/** Decodes the string fields of a protobuf message by number (unknown wire types refused). */
export function decodeStrings(buf: Buffer): Map<number, string> {
  const out = new Map<number, string>();
  let i = 0;
  const readVarint = () => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated protobuf message');
      n += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return n;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = readVarint();
    if ((key & 7) !== 2) throw new Error(`unexpected protobuf wire type ${key & 7}`);
    const len = readVarint();
    if (i + len > buf.length) throw new Error('truncated protobuf message');
    out.set(Math.floor(key / 8), buf.subarray(i, i + len).toString('utf8'));
    i += len;
  }
  return out;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

interface HelloRequest {
  readonly name: string;
}
interface HelloReply {
  readonly message: string;
  readonly cluster: string;
}

const sayHello: grpc.MethodDefinition<HelloRequest, HelloReply> = {
  path: SAY_HELLO,
  requestStream: false,
  responseStream: false,
  requestSerialize: (r) => encodeStrings([r.name]),
  requestDeserialize: (b) => ({ name: decodeStrings(b).get(1) ?? '' }),
  responseSerialize: (r) => encodeStrings([r.message, r.cluster]),
  responseDeserialize: (b) => {
    const f = decodeStrings(b);
    return { message: f.get(1) ?? '', cluster: f.get(2) ?? '' };
  },
};

/** A Greeter server on 127.0.0.1 answering as `cluster`. */
export async function startGreeter(cluster: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService({ SayHello: sayHello } as grpc.ServiceDefinition, {
    SayHello: (call: grpc.ServerUnaryCall<HelloRequest, HelloReply>, done: grpc.sendUnaryData<HelloReply>) =>
      done(null, { message: `hello, ${call.request.name}`, cluster }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000).unref();
      }),
  };
}

/** A Greeter client through a gateway's app listener (h2c), addressed by the service's clusterset name. */
export function greeterClient(
  gatewayAddress: string,
  authority: string,
): { sayHello(name: string, timeoutMs?: number): Promise<HelloReply>; close(): void } {
  const client = new grpc.Client(gatewayAddress, grpc.credentials.createInsecure(), {
    'grpc.default_authority': authority,
  });
  return {
    sayHello: (name, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          SAY_HELLO,
          sayHello.requestSerialize,
          sayHello.responseDeserialize,
          { name },
          new grpc.Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err, reply) => (err || !reply ? reject(err ?? new Error('no reply')) : resolve(reply)),
        );
      }),
    close: () => client.close(),
  };
}
