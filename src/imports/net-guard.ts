import net from 'node:net';

/**
 * Which addresses an import may download from. An administrator's URL must not become a way to
 * reach the machine itself, the internal network or a cloud metadata service (SSRF), so every
 * address a host name resolves to is checked, on the first request and on every redirect.
 */

type Range = readonly [string, number];

const BLOCKED_V4: Range[] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the 169.254.169.254 metadata service
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

const BLOCKED_V6: Range[] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
  ['fd00:ec2::254', 128], // AWS metadata over IPv6 (inside fc00::/7, listed for the record)
];

const blocked = new net.BlockList();
for (const [a, p] of BLOCKED_V4) blocked.addSubnet(a, p, 'ipv4');
for (const [a, p] of BLOCKED_V6) blocked.addSubnet(a, p, 'ipv6');

/** Expands an IPv6 literal to its 8 groups of 16 bits. */
function v6Groups(ip: string): number[] | null {
  let s = ip.replace(/^\[|\]$/g, '').split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    s = `${s.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = s.includes('::') ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array(fill).fill('0'), ...t].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The IPv4 address an IPv6 address carries, when it carries one that a network would route to
 * that IPv4 host: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
function embeddedV4(ip: string): string | null {
  const g = v6Groups(ip);
  if (!g) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (zeros(0, 6) && (g[6]! !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return null;
}

/** True when an address is loopback, private, link-local, CGNAT, multicast, unspecified, reserved or metadata. */
export function isBlockedAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '');
  const kind = net.isIP(ip);
  if (kind === 4) return blocked.check(ip, 'ipv4');
  if (kind !== 6) return true; // not an address: never connect to it
  const v4 = embeddedV4(ip);
  if (v4 !== null) return blocked.check(v4, 'ipv4');
  return blocked.check(ip.split('%')[0]!, 'ipv6');
}

/** An allow-list for an intranet source: host names (exact) and addresses or CIDR ranges. */
export type AllowList = { hosts: ReadonlySet<string>; ranges: net.BlockList; text: string };

/** Parses IMPORT_URL_ALLOWLIST: comma- or space-separated host names, addresses and CIDR ranges. */
export function parseAllowList(text: string): AllowList {
  const hosts = new Set<string>();
  const ranges = new net.BlockList();
  for (const raw of text.split(/[\s,]+/).filter(Boolean)) {
    const [addr, bits] = raw.split('/') as [string, string | undefined];
    const ip = addr.replace(/^\[|\]$/g, '');
    const kind = net.isIP(ip);
    if (kind) {
      const family = kind === 4 ? 'ipv4' : 'ipv6';
      const max = kind === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
        throw new Error(`« ${raw} » : longueur de préfixe invalide`);
      ranges.addSubnet(ip, prefix, family);
    } else if (bits === undefined && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(raw)) {
      hosts.add(raw.toLowerCase());
    } else {
      throw new Error(`« ${raw} » n’est ni un nom d’hôte, ni une adresse IP, ni une plage CIDR`);
    }
  }
  return { hosts, ranges, text };
}

export const EMPTY_ALLOWLIST: AllowList = parseAllowList('');

/** Whether a connection to `address` for a URL naming `hostname` is allowed. */
export function isAllowed(hostname: string, address: string, allow: AllowList): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (allow.hosts.has(host)) return true;
  const ip = address.replace(/^\[|\]$/g, '');
  const kind = net.isIP(ip);
  if (kind && allow.ranges.check(ip, kind === 4 ? 'ipv4' : 'ipv6')) return true;
  return !isBlockedAddress(ip);
}
