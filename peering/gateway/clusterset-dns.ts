import * as dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { CLUSTERSET_SUFFIX, serviceKeyOf } from './service-name.js';

/** What the responder answers with. */
export interface ClustersetDnsProps {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** Whether `namespace/name` is an exported service (else NXDOMAIN). */
  isExported(service: string): boolean;
  /** The local gateway's IPv4 address, the answer to every exported name. */
  readonly gatewayIp: string;
  /** Seconds resolvers may cache an answer. Default 5, so a service leaving is noticed soon. */
  readonly ttlSeconds?: number;
}

/** A running responder. */
export interface ClustersetDns {
  readonly port: number;
  close(): Promise<void>;
}

type Question = { type: string; name: string };

/** Response codes (RFC 1035 §4.1.1), carried in the low four bits of the flags. */
const RCODE = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, REFUSED: 5 } as const;

/**
 * The answer to one query (pure): `A <gateway IP>` for `<svc>.<ns>.svc.clusterset.local` of an
 * exported service, no record (NOERROR) for its other types, NXDOMAIN for any other name in the
 * zone, REFUSED outside it (the cluster's DNS forwards only the `clusterset.local` zone here, as
 * with Submariner Lighthouse's CoreDNS plugin), FORMERR when not exactly one question.
 */
export function answerQuery(
  query: dnsPacket.Packet,
  props: Pick<ClustersetDnsProps, 'isExported' | 'gatewayIp' | 'ttlSeconds'>,
): dnsPacket.Packet {
  const questions = (query.questions ?? []) as Question[];
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const reply = (rcode: number, authoritative: boolean, answers: dnsPacket.Answer[] = []) => ({
    id: query.id ?? 0,
    type: 'response' as const,
    flags: (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rd | rcode,
    questions: query.questions ?? [],
    answers,
  });
  const q = questions[0];
  if (questions.length !== 1 || q === undefined) return reply(RCODE.FORMERR, false);
  const name = q.name.toLowerCase().replace(/\.$/, '');
  if (!name.endsWith('.clusterset.local') && name !== 'clusterset.local') return reply(RCODE.REFUSED, false);
  const service = name.endsWith(CLUSTERSET_SUFFIX) ? serviceKeyOf('/', name)?.key : undefined;
  if (service === undefined || !props.isExported(service)) return reply(RCODE.NXDOMAIN, true);
  if (q.type !== 'A') return reply(RCODE.NOERROR, true);
  return reply(RCODE.NOERROR, true, [
    { type: 'A', class: 'IN', name: q.name, ttl: props.ttlSeconds ?? 5, data: props.gatewayIp },
  ]);
}

/**
 * A small authoritative DNS responder (UDP) for the `clusterset.local` zone, so unchanged apps
 * reach exported services by their clusterset name through the local gateway. Packets are
 * decoded and encoded by dns-packet; a packet that does not decode is dropped.
 */
export async function startClustersetDns(props: ClustersetDnsProps): Promise<ClustersetDns> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    if (query.type !== 'query') return;
    socket.send(dnsPacket.encode(answerQuery(query, props)), rinfo.port, rinfo.address);
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(props.port, props.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}
