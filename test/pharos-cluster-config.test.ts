import * as z from 'zod/mini';
import { ClusterSchema, HostSchema, NetworkSchema, WeaveSchema } from '../src/mesh/cluster-config';
import { PharosClusterConfig, PharosHostConfig, PharosNetworkConfig, PharosWeaveConfig } from '../src/mesh/pharos-cluster-config';

/**
 * The public interfaces are hand-written; the schema checks every cluster. They must accept the
 * same values: each is assignable to the other, checked by `tsc --noEmit` (a drift is a compile
 * error here, naming the field).
 */
type Equivalent<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function agree<_T extends true>(): void {}

agree<Equivalent<PharosClusterConfig, z.input<typeof ClusterSchema>>>();
agree<Equivalent<PharosHostConfig, z.input<typeof HostSchema>>>();
agree<Equivalent<PharosNetworkConfig, z.input<typeof NetworkSchema>>>();
agree<Equivalent<PharosWeaveConfig, z.input<typeof WeaveSchema>>>();

// Field by field too, so that an optional field made required (or a type widened) on one side shows.
const interfaceToSchema = (value: PharosClusterConfig): z.input<typeof ClusterSchema> => value;
const schemaToInterface = (value: z.input<typeof ClusterSchema>): PharosClusterConfig => value;

describe('PharosClusterConfig', () => {
  it('accepts what the schema accepts (the Pharos documentation pair round-trips through both types)', () => {
    const cluster: PharosClusterConfig = {
      hosts: [
        { address: '192.0.2.10', private_address: '10.0.0.10', role: 'master', user: 'ubuntu', ssh_key_path: '~/.ssh/id_rsa' },
        { address: '192.0.2.11', role: 'worker', ssh_port: 22, bastion: { address: '192.0.2.1' } },
      ],
      network: { service_cidr: '172.16.0.0/16', pod_network_cidr: '10.32.0.0/12', weave: { password: './shared_password', ipalloc_default_subnet: '10.33.0.0/16' } },
    };
    expect(ClusterSchema.safeParse(schemaToInterface(interfaceToSchema(cluster))).success).toBe(true);
  });

  it('the schema refuses what the interface forbids: a host without a role', () => {
    // @ts-expect-error role is required by the interface as by the schema
    const host: PharosHostConfig = { address: '192.0.2.10' };
    expect(HostSchema.safeParse(host).success).toBe(false);
  });
});
