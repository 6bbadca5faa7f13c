/**
 * A recursive resolver stand-in for tests: answers A, AAAA, MX and CNAME from a zone the test writes,
 * follows CNAME chains the way a recursive resolver does (the chain, then the final records), never
 * answers names marked `hang`, and records every question it was asked. Packets are built and read
 * with dns-packet; only UDP (answers here stay far below 512 bytes).
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface ZoneEntry {
  A?: string[];
  AAAA?: string[];
  MX?: Array<{ exchange: string; preference: number }>;
  CNAME?: string;
  /** Never answered: every question about the name is dropped. */
  hang?: boolean;
}

export interface DnsServer {
  address: string;
  port: number;
  /** Every question received, as `TYPE name`, in order. */
  queries: string[];
  zone: Map<string, ZoneEntry>;
  close(): Promise<void>;
}

const key = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Answers for one question, CNAMEs first, as a recursive resolver returns them. */
function answersFor(zone: Map<string, ZoneEntry>, question: dnsPacket.Question): dnsPacket.Answer[] {
  const answers: dnsPacket.Answer[] = [];
  let name = question.name;
  for (let hops = 0; hops < 16; hops++) {
    const entry = zone.get(key(name));
    if (!entry) break;
    if (entry.CNAME && question.type !== 'CNAME') {
      answers.push({ type: 'CNAME', name, ttl: 60, data: entry.CNAME });
      name = entry.CNAME;
      continue;
    }
    if (question.type === 'A')
      for (const data of entry.A ?? []) answers.push({ type: 'A', name, ttl: 60, data });
    if (question.type === 'AAAA')
      for (const data of entry.AAAA ?? []) answers.push({ type: 'AAAA', name, ttl: 60, data });
    if (question.type === 'MX')
      for (const data of entry.MX ?? []) answers.push({ type: 'MX', name, ttl: 60, data });
    break;
  }
  return answers;
}

/** True when the name, or a name its CNAME chain reaches, is marked `hang`. */
function hangs(zone: Map<string, ZoneEntry>, name: string): boolean {
  let current: string | undefined = name;
  for (let hops = 0; current !== undefined && hops < 16; hops++) {
    const entry = zone.get(key(current));
    if (entry?.hang) return true;
    current = entry?.CNAME;
  }
  return false;
}

/** Starts the server on `address` (port 53 by default: glibc's resolver has no port setting). */
export async function startDnsServer(
  address: string,
  zone: Record<string, ZoneEntry> = {},
  port = 53,
): Promise<DnsServer> {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const state: DnsServer = {
    address,
    port,
    queries: [],
    zone: new Map(Object.entries(zone).map(([name, entry]) => [key(name), entry])),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (message, peer) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    state.queries.push(`${question.type} ${question.name}`);
    if (hangs(state.zone, question.name)) return;
    const answers = answersFor(state.zone, question);
    const known = state.zone.has(key(question.name));
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      // RD copied, RA set: a recursive resolver's answer; NXDOMAIN (rcode 3) for names not in the zone.
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
      questions: [question],
      answers,
    });
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return state;
}
