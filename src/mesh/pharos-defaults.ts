/**
 * Pharos's defaults for a cluster.yml that sets none (kontena/pharos-cluster,
 * lib/pharos/configuration/network.rb): the one home of these values, for validation and for reading
 * a rendered tree's state back.
 */

/** `network.service_cidr` when absent. */
export const PHAROS_DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

/** `network.pod_network_cidr` when absent. */
export const PHAROS_DEFAULT_POD_NETWORK_CIDR = '10.32.0.0/12';
