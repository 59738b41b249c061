import { lowestFreeSubnet, suggestSubnets, usualPrefixLength } from '../src/mesh/allocate';
import { parseIPv4Cidr } from '../src/net/cidr';

function range(text: string) {
  const parsed = parseIPv4Cidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

const pod = range('10.32.0.0/12');

describe('usualPrefixLength', () => {
  it('is the length most clusters use', () => {
    expect(usualPrefixLength(['10.33.0.0/16', '10.34.0.0/16', '10.40.0.0/20'].map(range), pod)).toBe(16);
    expect(usualPrefixLength(['10.33.0.0/20', '10.34.0.0/20', '10.40.0.0/16'].map(range), pod)).toBe(20);
  });
  it('prefers the larger subnet on a tie, and defaults to /16', () => {
    expect(usualPrefixLength(['10.33.0.0/20', '10.34.0.0/16'].map(range), pod)).toBe(16);
    expect(usualPrefixLength([], pod)).toBe(16);
    expect(usualPrefixLength([], range('10.32.0.0/16'))).toBe(20);
  });
});

describe('lowestFreeSubnet', () => {
  it('is the lowest subnet of the size that overlaps nothing in use', () => {
    expect(lowestFreeSubnet(pod, ['10.33.0.0/16', '10.34.0.0/16'].map(range), 16)!.text).toBe('10.32.0.0/16');
    expect(lowestFreeSubnet(pod, ['10.32.0.0/16', '10.33.0.0/16'].map(range), 16)!.text).toBe('10.34.0.0/16');
  });
  it('skips a range partly used by a smaller subnet', () => {
    expect(lowestFreeSubnet(pod, ['10.32.128.0/20'].map(range), 16)!.text).toBe('10.33.0.0/16');
  });
  it('is undefined when the pod network is full', () => {
    const all = Array.from({ length: 16 }, (_, i) => range(`10.${32 + i}.0.0/16`));
    expect(lowestFreeSubnet(pod, all, 16)).toBeUndefined();
    expect(lowestFreeSubnet(pod, [], 8)).toBeUndefined();
  });
});

describe('suggestSubnets', () => {
  it('gives each cluster without a subnet its own, never one in use', () => {
    const suggestions = suggestSubnets(pod, ['10.32.0.0/16', '10.34.0.0/16'].map(range), ['cluster-x', 'cluster-y']);
    expect([...suggestions.entries()]).toEqual([
      ['cluster-x', '10.33.0.0/16'],
      ['cluster-y', '10.35.0.0/16'],
    ]);
  });
});
