/**
 * Generates a valid inventory of many clusters, for tests and benchmarks:
 * `node build/generate-inventory.js <count> <dir> [--workers N] [--prefix-length N]`.
 * Subnets are consecutive inside 10.32.0.0/12; workers come from 100.64.0.0/10 and service CIDRs
 * from 172.16.0.0/16, so nothing overlaps.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IPv4, IPv4CidrRange, IPv4Prefix } from 'ip-num';
import { stringify } from 'yaml';
import { Cidr } from '../src/net/cidr';

export interface GenerateOptions {
  /** @default 2 */
  readonly workers?: number;
  /** Prefix length of each cluster's subnet. @default 16, or 20 above 16 clusters */
  readonly prefixLength?: number;
}

export function generateInventory(count: number, options: GenerateOptions = {}): Record<string, Record<string, unknown>> {
  const workers = options.workers ?? 2;
  const prefixLength = options.prefixLength ?? (count > 16 ? 20 : 16);
  if (count > 256 || workers > 250) throw new Error('at most 256 clusters of 250 workers');
  const clusters: Record<string, Record<string, unknown>> = {};
  let subnet: Cidr | undefined = new Cidr(new IPv4CidrRange(IPv4.fromDecimalDottedString('10.32.0.0'), IPv4Prefix.fromNumber(BigInt(prefixLength))));
  for (let index = 0; index < count; index++) {
    if (!subnet) throw new Error(`10.32.0.0/12 holds fewer than ${count} subnets of /${prefixLength}`);
    const name = `cluster-${String(index + 1).padStart(3, '0')}`;
    clusters[name] = {
      hosts: [{ address: `100.64.${index}.250`, role: 'master', user: 'ubuntu' }, ...Array.from({ length: workers }, (_, worker) => ({ address: `100.64.${index}.${worker + 1}`, role: 'worker', user: 'ubuntu' }))],
      network: {
        provider: 'weave',
        service_cidr: `172.16.${index}.0/24`,
        pod_network_cidr: '10.32.0.0/12',
        weave: { password: './shared_password', ipalloc_default_subnet: subnet.text },
      },
    };
    subnet = subnet.next();
  }
  return clusters;
}

export function writeGeneratedInventory(dir: string, clusters: Record<string, Record<string, unknown>>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, config] of Object.entries(clusters)) fs.writeFileSync(path.join(dir, `${name}.yml`), stringify(config));
}

if (require.main === module) {
  const [count, dir, ...flags] = process.argv.slice(2);
  const flag = (name: string) => {
    const at = flags.indexOf(name);
    return at >= 0 ? Number(flags[at + 1]) : undefined;
  };
  writeGeneratedInventory(dir, generateInventory(Number(count), { workers: flag('--workers'), prefixLength: flag('--prefix-length') }));
}
