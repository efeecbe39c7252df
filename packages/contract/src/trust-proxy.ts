// TRUST_PROXY is read by the API (whose X-Forwarded-For to believe) and by the web server in front
// of it (whether its own socket peer is a proxy). One parser, so the two processes can never read
// the same value two ways. Node-only (node:net), hence its own entry point: the browser bundle
// must not pull it in through the package's index.
import { BlockList, isIP } from 'node:net';

/**
 * A hop count (that many proxies, counted from the API's socket, wrote X-Forwarded-*), or the
 * addresses/CIDRs of the proxies to believe. `[]`, the default, believes no proxy: the API then
 * believes loopback (our own web server) only.
 */
export type TrustProxy = number | string[];

export type TrustProxyResult = { valid: true; trust: TrustProxy } | { valid: false; reason: string };

const MAX_HOPS = 1000;

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `true` used to mean "believe every hop", which lets any client write its own address into
 * X-Forwarded-For. Only a count or the proxies' own addresses say which entry a proxy wrote.
 * The reasons do not name the variable: each caller says where the value came from.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxyResult {
  const trimmed = (raw ?? '').trim();
  const value = trimmed.toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(value)) return { valid: true, trust: [] };
  if (['true', 'yes', 'on'].includes(value)) {
    return {
      valid: false,
      reason:
        'true would believe X-Forwarded-For from every hop, so any client could choose its own address. Give the number of proxies in front of the API (e.g. 2 for a load balancer plus the web app) or their addresses (e.g. 10.0.0.0/8,192.0.2.7).',
    };
  }
  if (/^\d+$/.test(value) && Number(value) <= MAX_HOPS) return { valid: true, trust: Number(value) };
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.find((entry) => !isAddressOrCidr(entry));
  if (entries.length === 0 || bad !== undefined) {
    return {
      valid: false,
      reason: `"${bad ?? trimmed}" is neither a number of proxies nor an IP address or CIDR. Use false, a hop count (1, 2…) or a comma-separated list of the proxies' addresses.`,
    };
  }
  return { valid: true, trust: entries };
}

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/**
 * Whether the web server believes the X-Forwarded-* its socket peer sent. A hop count counts from
 * the API's socket, and through the /api proxy the web server is the first of those hops: only
 * from two on is there a proxy in front of it. A list names the proxies; loopback is not added
 * here (the API adds it for the web server), since local clients reach the web server over loopback.
 */
export function webServerTrustsPeer(trust: TrustProxy): (peer: string) => boolean {
  if (typeof trust === 'number') return () => trust >= 2;
  if (trust.length === 0) return () => false;
  const proxies = new BlockList();
  for (const entry of trust) {
    const [address = '', prefix] = entry.split('/');
    if (prefix === undefined) proxies.addAddress(address, familyOf(address));
    else proxies.addSubnet(address, Number(prefix), familyOf(address));
  }
  return (peer) => {
    // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; the list names it as a.b.c.d.
    const mapped = peer.startsWith('::ffff:') && isIP(peer.slice(7)) === 4 ? peer.slice(7) : peer;
    return proxies.check(mapped, familyOf(mapped));
  };
}
