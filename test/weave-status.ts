/**
 * Weave Net 2.6.5's `/status/connections` on 127.0.0.1:6784, line by line as Weave prints it, for the
 * stand-ins the agent's tests read (a fake curl, and an HTTP server in the netns end-to-end test).
 * Read from weaveworks/weave at v2.6.5:
 * - prog/weaver/http.go, connectionsTemplate: `{{if .Outbound}}->{{else}}<-{{end}} {{printf "%-21v" .Address}}
 *   {{printf "%-11v" .State}} {{.Info}} {{range $key,$element := .Attrs}}{{if ne $key "name"}}{{$key}}={{$element}}{{end}}{{end}}`
 *   (the attributes run together, in key order; a line without attributes ends with a space);
 * - vendor/github.com/weaveworks/mesh/status.go, makeLocalConnectionStatusSlice: a connection's Info is
 *   `fmt.Sprintf("%-6v %v", name, remotePeer)` (name "none" before a forwarder is chosen), prefixed with
 *   `fmt.Sprintf("%-11v ", "encrypted"|"unencrypted")` when Weave has a password (encrypted also sets
 *   the attribute encrypted=true); an attempt's Info is its last error, `+ ", retry: " + time` when failed;
 * - router/fastdp.go and router/sleeve.go, Attrs: {name: fastdp|sleeve, mtu: N};
 * - the errors: mesh/protocol_crypto.go "Unable to decrypt TCP msg"; ipam/allocator.go "IP allocation
 *   was seeded by different peers (received: %v, ours: %v)"; router/overlay_switch.go "no working
 *   forwarders to %s"; Go's net.DialTCP from ":0" (mesh/router.go: JoinHostPort(router.Host, "0")).
 */

export type ConnectionState = 'established' | 'pending' | 'retrying' | 'failed' | 'connecting';

export interface WeaveConnection {
  readonly outbound?: boolean;
  readonly address: string;
  readonly state: ConnectionState;
  readonly info: string;
  readonly attrs?: Readonly<Record<string, string | number | boolean>>;
}

/** One line of /status/connections. */
export function connectionLine(connection: WeaveConnection): string {
  const attrs = connection.attrs
    ? Object.keys(connection.attrs)
        .sort()
        .filter((key) => key !== 'name')
        .map((key) => `${key}=${connection.attrs![key]}`)
        .join('')
    : '';
  return `${connection.outbound === false ? '<-' : '->'} ${connection.address.padEnd(21)} ${connection.state.padEnd(11)} ${connection.info} ${attrs}`;
}

/** The whole /status/connections body. */
export function connectionsBody(connections: readonly WeaveConnection[]): string {
  return connections.map((connection) => `${connectionLine(connection)}\n`).join('');
}

/** A peer as Weave names it: its MAC-like name and its nickname (the node's host name). */
export function peerName(n: number, nick: string): string {
  return `4a:9c:1f:00:00:${n.toString(16).padStart(2, '0')}(${nick})`;
}

const RETRY = ', retry: 2026-12-04 21:40:01.123456789 +0000 UTC m=+65.123456789';

export function established(address: string, peer: string, options: { encrypted?: boolean; password?: boolean; datapath?: 'fastdp' | 'sleeve'; mtu?: number; outbound?: boolean } = {}): WeaveConnection {
  const { encrypted = true, password = true, datapath = 'fastdp', mtu = 1376, outbound = true } = options;
  const base = `${datapath.padEnd(6)} ${peer}`;
  const info = password ? `${(encrypted ? 'encrypted' : 'unencrypted').padEnd(11)} ${base}` : base;
  return { outbound, address, state: 'established', info, attrs: { name: datapath, mtu, ...(password && encrypted ? { encrypted: true } : {}) } };
}

/** TCP up, the UDP heartbeat not confirmed: no forwarder chosen yet, so no attributes. */
export function pending(address: string, peer: string): WeaveConnection {
  return { address, state: 'pending', info: `${'encrypted'.padEnd(11)} ${'none'.padEnd(6)} ${peer}` };
}

export function failed(address: string, error: string): WeaveConnection {
  return { address, state: 'failed', info: `${error}${RETRY}` };
}

export function retrying(address: string, error: string): WeaveConnection {
  return { address, state: 'retrying', info: error };
}

export function connecting(address: string): WeaveConnection {
  return { address, state: 'connecting', info: '' };
}

export const DECRYPT = 'Unable to decrypt TCP msg';
export const IPAM_SPLIT = `IP allocation was seeded by different peers (received: [${peerName(1, 'node-b1')}], ours: [${peerName(9, 'node-a1')}])`;
export const refused = (address: string) => `dial tcp :0->${address}: connect: connection refused`;
export const timedOut = (address: string) => `dial tcp :0->${address}: connect: connection timed out`;
export const noForwarders = (peer: string) => `no working forwarders to ${peer}`;
