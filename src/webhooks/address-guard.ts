/**
 * Which addresses a webhook may be delivered to. A subscriber chooses the URL, so without this guard the service
 * could be made to call its own loopback, the private network it sits in or a cloud metadata endpoint (SSRF).
 * Only globally routable unicast addresses pass.
 */
import { BlockList, isIP } from 'node:net';

type Ranges = Array<[reason: string, cidrs: string[]]>;

/** Checked in order: the first range that holds the address names the refusal (metadata before link-local). */
const IPV4: Ranges = [
  ['metadata', ['169.254.169.254/32']],
  ['unspecified', ['0.0.0.0/8']],
  ['loopback', ['127.0.0.0/8']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
  ['shared', ['100.64.0.0/10']],
  ['link-local', ['169.254.0.0/16']],
  ['multicast', ['224.0.0.0/4']],
  // IETF assignments, documentation, 6to4 relay, benchmarking, future use and broadcast.
  [
    'reserved',
    [
      '192.0.0.0/24',
      '192.0.2.0/24',
      '192.88.99.0/24',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '240.0.0.0/4',
    ],
  ],
];

/** IPv6 outside 2000::/3 (global unicast) is refused anyway; these name the reason or cut holes inside it. */
const IPV6: Ranges = [
  ['metadata', ['fd00:ec2::254/128']],
  ['unspecified', ['::/128']],
  ['loopback', ['::1/128']],
  ['unique-local', ['fc00::/7']],
  ['link-local', ['fe80::/10']],
  ['multicast', ['ff00::/8']],
  // IETF protocol assignments (Teredo, benchmarking, ORCHID) and documentation.
  ['reserved', ['2001::/23', '2001:db8::/32']],
];

/** IPv6 forms that carry an IPv4 address the packets end up at: judged by that address. */
const EMBEDDING: Array<{ list: BlockList; group: number }> = [
  { list: blockList(['::ffff:0:0/96'], 'ipv6'), group: 6 }, // IPv4-mapped
  { list: blockList(['64:ff9b::/96'], 'ipv6'), group: 6 }, // NAT64 (RFC 6052)
  { list: blockList(['2002::/16'], 'ipv6'), group: 1 }, // 6to4
];

const GLOBAL_UNICAST = blockList(['2000::/3'], 'ipv6');
const V4_LISTS = IPV4.map(([reason, cidrs]) => ({ reason, list: blockList(cidrs, 'ipv4') }));
const V6_LISTS = IPV6.map(([reason, cidrs]) => ({ reason, list: blockList(cidrs, 'ipv6') }));

/** Whether an IP address (v4 or v6 text) may receive webhooks when private networks are not allowed. */
export function isPublicAddress(ip: string): boolean {
  return refusalOf(ip) === undefined;
}

/**
 * The reason an address is refused, or undefined when it is public: 'loopback', 'private', 'link-local',
 * 'metadata', 'unspecified', 'multicast', 'reserved', 'shared' (100.64/10), 'unique-local' or 'invalid'.
 */
export function refusalOf(ip: string): string | undefined {
  const version = isIP(ip);
  if (version === 4) return V4_LISTS.find(({ list }) => list.check(ip, 'ipv4'))?.reason;
  if (version !== 6) return 'invalid';
  const address = ip.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) says nothing of the range
  for (const { list, group } of EMBEDDING) {
    if (list.check(address, 'ipv6')) return refusalOf(ipv4At(groupsOf(address), group));
  }
  const named = V6_LISTS.find(({ list }) => list.check(address, 'ipv6'))?.reason;
  return named ?? (GLOBAL_UNICAST.check(address, 'ipv6') ? undefined : 'reserved');
}

function blockList(cidrs: string[], type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), type);
  }
  return list;
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` expanded and a trailing dotted quad split). */
function groupsOf(ip: string): number[] {
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = ip.split('::');
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address held by two groups, from `group` on. */
function ipv4At(groups: number[], group: number): string {
  const [high = 0, low = 0] = groups.slice(group, group + 2);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
