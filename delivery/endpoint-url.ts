import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * Endpoint URLs are chosen by people; a URL that reaches into the service's own network (loopback,
 * private, link-local, unique-local, carrier-grade NAT, unspecified, multicast, reserved) would let a
 * subscriber probe it (SSRF). ipaddr.js classifies addresses; only `unicast` ones are public.
 */
export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

export async function checkEndpointUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `scheme ${url.protocol} is not http or https` };
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL are not allowed' };
  if (allowPrivate) return { ok: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return { ok: false, reason: `host ${host} does not resolve` };
    }
  }
  const inner = addresses.find((a) => !isPublicAddress(a));
  if (inner) return { ok: false, reason: `host ${host} resolves to ${inner}, a private, loopback or reserved address` };
  return { ok: true, url };
}
