import { IPv4, IPv4CidrRange, Validator } from 'ip-num';

/** The outcome of parsing one address or CIDR from the inventory. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const IPV6_HINT = 'Weave Net allocates IPv4 addresses only, so the mesh is IPv4-only';

/**
 * Parses an IPv4 CIDR in canonical form (no host bits set).
 * The reason on failure is a phrase that completes "<value> ...".
 */
export function parseIPv4Cidr(text: string): Parsed<IPv4CidrRange> {
  if (text.includes(':')) {
    return { ok: false, reason: `is an IPv6 CIDR; ${IPV6_HINT}` };
  }
  if (!Validator.isValidIPv4CidrNotation(text)[0]) {
    return { ok: false, reason: 'is not an IPv4 CIDR such as 10.32.0.0/12' };
  }
  const range = IPv4CidrRange.fromCidr(text);
  const canonical = cidrString(range);
  if (canonical !== text) {
    return { ok: false, reason: `has host bits set; did you mean ${canonical}?` };
  }
  return { ok: true, value: range };
}

/** Parses a dotted-quad IPv4 address (no leading zeros, no prefix). */
export function parseIPv4Address(text: string): Parsed<IPv4> {
  if (text.includes(':')) {
    return { ok: false, reason: `is an IPv6 address; ${IPV6_HINT}` };
  }
  if (!Validator.isValidIPv4String(text)[0]) {
    return { ok: false, reason: 'is not an IPv4 address such as 192.0.2.10' };
  }
  return { ok: true, value: IPv4.fromDecimalDottedString(text) };
}

/** The canonical text of a range: network address and prefix length. */
export function cidrString(range: IPv4CidrRange): string {
  return `${range.getFirst().toString()}/${range.getPrefix().getValue()}`;
}

export function rangesOverlap(a: IPv4CidrRange, b: IPv4CidrRange): boolean {
  return a.isOverlapping(b);
}

/** True when `inner` lies entirely inside `outer` (equal counts as inside). */
export function rangeInside(inner: IPv4CidrRange, outer: IPv4CidrRange): boolean {
  return outer.contains(inner);
}

export function rangeContainsAddress(range: IPv4CidrRange, address: IPv4): boolean {
  return range.contains(address);
}

/** Orders IPv4 addresses or CIDRs numerically (10.9.0.0 before 10.10.0.0); anything else after them, by text. */
export function compareAddresses(a: string, b: string): number {
  const ka = numericKey(a);
  const kb = numericKey(b);
  if (ka !== undefined && kb !== undefined) {
    if (ka.address !== kb.address) return ka.address < kb.address ? -1 : 1;
    if (ka.prefix !== kb.prefix) return ka.prefix - kb.prefix;
    return 0;
  }
  if (ka !== undefined) return -1;
  if (kb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function numericKey(text: string): { address: bigint; prefix: number } | undefined {
  const [address, prefix] = text.split('/');
  if (!Validator.isValidIPv4String(address)[0]) return undefined;
  return { address: IPv4.fromDecimalDottedString(address).getValue(), prefix: prefix === undefined ? 32 : Number(prefix) };
}
