import { compareAddresses, parseIPv4Address, parseIPv4Cidr } from '../src/net/cidr';

function range(text: string) {
  const parsed = parseIPv4Cidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('parseIPv4Cidr', () => {
  it('accepts canonical IPv4 CIDRs', () => {
    expect(range('10.32.0.0/12')).toEqual(expect.objectContaining({ text: '10.32.0.0/12', prefixLength: 12, first: 169869312n, last: 170917887n }));
    expect(range('0.0.0.0/0')).toEqual(expect.objectContaining({ text: '0.0.0.0/0', first: 0n, last: 4294967295n }));
  });

  it.each([
    ['10.33.0.1/16', 'has host bits set; did you mean 10.33.0.0/16?'],
    ['10.33.0.0', 'is not an IPv4 CIDR such as 10.32.0.0/12'],
    ['10.33.0.0/33', 'is not an IPv4 CIDR such as 10.32.0.0/12'],
    ['300.1.0.0/16', 'is not an IPv4 CIDR such as 10.32.0.0/12'],
    ['fd00::/64', 'is an IPv6 CIDR; Weave Net allocates IPv4 addresses only, so the mesh is IPv4-only'],
    ['', 'is not an IPv4 CIDR such as 10.32.0.0/12'],
  ])('refuses %j: %s', (text, reason) => {
    expect(parseIPv4Cidr(text)).toEqual({ ok: false, reason });
  });
});

describe('parseIPv4Address', () => {
  it('accepts dotted quads', () => {
    expect(parseIPv4Address('192.0.2.1').ok).toBe(true);
  });
  it.each(['192.0.2', '192.0.2.256', '01.2.3.4', 'node-1', '192.0.2.1/32'])('refuses %j', (text) => {
    expect(parseIPv4Address(text).ok).toBe(false);
  });
  it('names IPv6 as unsupported', () => {
    expect(parseIPv4Address('2001:db8::1')).toEqual({ ok: false, reason: expect.stringContaining('IPv6') });
  });
});

describe('range relations', () => {
  it('detects overlap, containment and disjointness', () => {
    expect(range('10.33.0.0/16').overlaps(range('10.33.128.0/17'))).toBe(true);
    expect(range('10.33.128.0/17').overlaps(range('10.33.0.0/16'))).toBe(true);
    expect(range('10.33.0.0/16').overlaps(range('10.34.0.0/16'))).toBe(false);
    expect(range('10.33.255.255/32').overlaps(range('10.34.0.0/16'))).toBe(false);
    expect(range('10.32.0.0/12').contains(range('10.33.0.0/16'))).toBe(true);
    expect(range('10.32.0.0/12').contains(range('10.48.0.0/16'))).toBe(false);
    expect(range('10.33.0.0/16').contains(range('10.32.0.0/12'))).toBe(false);
    const address = (text: string) => (parseIPv4Address(text) as { value: any }).value;
    expect(range('10.32.0.0/12').contains(address('10.47.255.255'))).toBe(true);
    expect(range('10.32.0.0/12').contains(address('10.48.0.0'))).toBe(false);
    expect(range('10.32.0.0/12').next()?.text).toBe('10.48.0.0/12');
    expect(range('255.255.255.0/24').next()).toBeUndefined();
  });
});

describe('compareAddresses', () => {
  it('orders numerically, then host names by text', () => {
    const sorted = ['10.10.0.0/16', 'peer.example.org', '10.9.0.0/16', '192.0.2.100', '192.0.2.9', 'a.example.org'].sort(compareAddresses);
    expect(sorted).toEqual(['10.9.0.0/16', '10.10.0.0/16', '192.0.2.9', '192.0.2.100', 'a.example.org', 'peer.example.org']);
  });
});
