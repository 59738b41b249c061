/**
 * The rules the agent's desired.sh derives for a cluster, as iptables-save prints them: what the
 * tests expect to find on a node (the programs' own derivation is tested in route-agent.test.ts).
 */
export interface AgentRulesOptions {
  readonly localSubnet: string;
  readonly routedSubnets: readonly string[];
}

/** The filter rules of WMESH-FORWARD: the cluster's pods may leave through weave for each other subnet. */
export function forwardRules(options: AgentRulesOptions): string[] {
  return options.routedSubnets.map((subnet) => `-A WMESH-FORWARD -s ${options.localSubnet} -d ${subnet} -i weave -o weave -j ACCEPT`);
}

/** The nat rules of WMESH-POSTROUTING: pod traffic between the cluster and each other subnet is never masqueraded, both ways. */
export function natRules(options: AgentRulesOptions): string[] {
  return options.routedSubnets.flatMap((subnet) => [`-A WMESH-POSTROUTING -s ${options.localSubnet} -d ${subnet} -o weave -j ACCEPT`, `-A WMESH-POSTROUTING -s ${subnet} -d ${options.localSubnet} -o weave -j ACCEPT`]);
}
