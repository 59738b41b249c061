import { IPv4, IPv4CidrRange, Validator } from 'ip-num';
import { memoize } from '../util/memoize';

/** The outcome of parsing one address or CIDR from the inventory. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * A parsed IPv4 CIDR. ip-num parses it and computes its bounds once; relations between ranges then
 * compare those bounds, which keeps a 256-cluster mesh's pairwise checks cheap.
 */
export class Cidr {
  /** Canonical text: network address and prefix length. */
  public readonly text: string;
  public readonly first: bigint;
  public readonly last: bigint;
  public readonly prefixLength: number;

  public constructor(public readonly range: IPv4CidrRange) {
    this.first = range.getFirst().getValue();
    this.last = range.getLast().getValue();
    this.prefixLength = Number(range.getPrefix().getValue());
    this.text = `${range.getFirst().toString()}/${this.prefixLength}`;
  }

  public overlaps(other: Cidr): boolean {
    return this.first <= other.last && other.first <= this.last;
  }

  /** True when `other` lies entirely inside this range (equal counts as inside). */
  public contains(other: Cidr | Address): boolean {
    return other instanceof Cidr ? this.first <= other.first && other.last <= this.last : this.first <= other.value && other.value <= this.last;
  }

  /** The next range of the same size, or undefined past the end of the address space. */
  public next(): Cidr | undefined {
    const next = this.range.nextRange();
    return next ? new Cidr(next) : undefined;
  }
}

/** A parsed IPv4 address. */
export interface Address {
  readonly text: string;
  readonly value: bigint;
}

const IPV6_HINT = 'Weave Net allocates IPv4 addresses only, so the mesh is IPv4-only';

/**
 * Parses an IPv4 CIDR in canonical form (no host bits set).
 * The reason on failure is a phrase that completes "<value> ...".
 * ip-num takes tens of microseconds per CIDR, and a mesh repeats them (every cluster's pod network,
 * every rule that reads a subnet): each text is parsed once.
 */
export const parseIPv4Cidr: (text: string) => Parsed<Cidr> = memoize(parseCidr);

function parseCidr(text: string): Parsed<Cidr> {
  if (text.includes(':')) {
    return { ok: false, reason: `is an IPv6 CIDR; ${IPV6_HINT}` };
  }
  if (!Validator.isValidIPv4CidrNotation(text)[0]) {
    return { ok: false, reason: 'is not an IPv4 CIDR such as 10.32.0.0/12' };
  }
  const cidr = new Cidr(IPv4CidrRange.fromCidr(text));
  if (/(^|[./])0\d/.test(text)) {
    // 10.34.0.0/016 and 010.34.0.0/16 are leading zeros, not host bits (and 010 means 8 to some parsers).
    return { ok: false, reason: `is written with leading zeros; write ${cidr.text}` };
  }
  if (cidr.text !== text) {
    return { ok: false, reason: `has host bits set; did you mean ${cidr.text}?` };
  }
  return { ok: true, value: cidr };
}

/** Parses a dotted-quad IPv4 address (no leading zeros, no prefix). */
export const parseIPv4Address: (text: string) => Parsed<Address> = memoize(parseAddress);

function parseAddress(text: string): Parsed<Address> {
  if (text.includes(':')) {
    return { ok: false, reason: `is an IPv6 address; ${IPV6_HINT}` };
  }
  if (!Validator.isValidIPv4String(text)[0]) {
    return { ok: false, reason: 'is not an IPv4 address such as 192.0.2.10' };
  }
  return { ok: true, value: { text, value: IPv4.fromDecimalDottedString(text).getValue() } };
}

/** Orders IPv4 addresses or CIDRs numerically (10.9.0.0 before 10.10.0.0); anything else after them, by text. */
export function compareAddresses(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  if (ka && kb) {
    if (ka.address !== kb.address) return ka.address < kb.address ? -1 : 1;
    return ka.prefix - kb.prefix;
  }
  if (ka) return -1;
  if (kb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface SortKey {
  readonly address: bigint;
  readonly prefix: number;
}

// Sorting a large mesh's peers compares the same few thousand addresses millions of times: parse each once.
const sortKey = memoize((text: string): SortKey | null => {
  const [address, prefix] = text.split('/');
  const parsed = parseIPv4Address(address);
  return parsed.ok ? { address: parsed.value.value, prefix: prefix === undefined ? 32 : Number(prefix) } : null;
});

/** Address ranges no node or pod network may use (RFC 6890): what each is, for messages. */
const RESERVED: readonly { readonly range: Cidr; readonly what: string }[] = [
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved or broadcast address'],
].map(([text, what]) => ({ range: new Cidr(IPv4CidrRange.fromCidr(text)), what }));

/** What reserved range an address or CIDR lies in or overlaps, such as `a loopback address (127.0.0.0/8)`; undefined when none. */
export function reservedRange(value: Address | Cidr): string | undefined {
  const hit = RESERVED.find(({ range }) => (value instanceof Cidr ? range.overlaps(value) : range.contains(value)));
  return hit && `${hit.what} (${hit.range.text})`;
}
