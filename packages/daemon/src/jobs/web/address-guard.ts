import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The scraper's guard against reaching into the local network (SSRF): only globally routable
 * unicast addresses are fetched from, unless `scrape.allow_private_addresses` is set. The check
 * runs inside the connection's own DNS lookup, so the address checked is the one connected to
 * (a name cannot resolve to a public address for the check and a private one for the fetch).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

export class AddressRefusedError extends Error {
  readonly code = 'EADDRREFUSED';

  constructor(host: string, address: string) {
    const what = ipaddr.isValid(address) ? ipaddr.process(address).range() : 'invalid';
    super(`refused to fetch from ${host}${host === address ? '' : ` (${address})`}: a ${what} address; set scrape.allow_private_addresses = true to allow it`);
    this.name = 'AddressRefusedError';
  }
}

/** The host of a URL as an address, when it is an IP literal. */
function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return net.isIP(host) ? host : null;
}

/**
 * Throws AddressRefusedError when the URL's host is an IP address that may not be fetched from.
 * Such a host skips DNS, so the connection's guarded lookup never sees it.
 */
export function checkLiteralAddress(url: URL, allowPrivate: boolean): void {
  const literal = literalAddress(url);
  if (literal && !allowPrivate && !isPublicAddress(literal)) throw new AddressRefusedError(url.hostname, literal);
}

/** Throws AddressRefusedError unless every address the URL's host stands for may be fetched from. */
export async function checkUrlAddress(url: URL, allowPrivate: boolean): Promise<void> {
  checkLiteralAddress(url, allowPrivate);
  if (allowPrivate || literalAddress(url)) return;
  const refused = (await dns.promises.lookup(url.hostname, { all: true })).find((a) => !isPublicAddress(a.address));
  if (refused) throw new AddressRefusedError(url.hostname, refused.address);
}

/** A `lookup` for sockets that refuses (all of) a name whose addresses include a non-public one. */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const refused = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (refused) {
        callback(Object.assign(new AddressRefusedError(hostname, refused.address), { errno: 0, syscall: 'lookup' }), '', 0);
        return;
      }
      if ((options as dns.LookupOptions).all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
