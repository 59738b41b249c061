/**
 * weave-mesh as a library: the constructs that model a multi-cluster Weave pod network, their
 * props, and the YAML inventory loader, for use in another cdk8s app.
 */
export { ArgoCdApplicationSet } from './constructs/argo-cd-application-set';
export type { ArgoCdApplicationSetProps } from './constructs/argo-cd-application-set';
export { ClusterChart } from './constructs/cluster-chart';
export type { ClusterChartProps, RouteAgentSettings } from './constructs/cluster-chart';
export { FluxSync } from './constructs/flux-sync';
export type { FluxSyncProps } from './constructs/flux-sync';
export { resolveGitOpsSettings } from './constructs/gitops-settings';
export type { FluxApi, GitOpsSettings, GitOpsTool, ResolvedGitOpsSettings } from './constructs/gitops-settings';
export { DEFAULT_ROUTE_AGENT_IMAGE } from './constructs/node-agent-daemon-set';
export type { NodeAgentSettings } from './constructs/node-agent-daemon-set';
export { OutputChart } from './constructs/output-chart';
export type { OutputChartProps } from './constructs/output-chart';
export { PharosClusterFile } from './constructs/pharos-cluster-file';
export type { PharosClusterFileProps } from './constructs/pharos-cluster-file';
export { RouteAgent } from './constructs/route-agent';
export type { RouteAgentProps } from './constructs/route-agent';
export type { ClusterPeers, IptablesBackend, PrivatePeerAddress } from './constructs/route-agent-script';
export { RouteAgentTeardown } from './constructs/route-agent-teardown';
export type { RouteAgentTeardownProps } from './constructs/route-agent-teardown';
export { WeaveMesh } from './constructs/weave-mesh';
export type { WeaveMeshProps } from './constructs/weave-mesh';
export { loadInventory } from './src/inventory/load';
export type { ClusterFile, LoadResult } from './src/inventory/load';
export { clusterJsonSchema } from './src/mesh/cluster-json-schema';
export type { PharosClusterConfig, PharosHostConfig, PharosNetworkConfig, PharosNetworkConfigInput, PharosWeaveConfig, PharosFirewalldConfig } from './src/mesh/pharos-cluster-config';
export type { ClusterDeclaration, FieldPath, Inventory, Location } from './src/mesh/declaration';
export type { ClusterSpec, HostSpec, MeshSpec } from './src/mesh/model';
export { formatProblem } from './src/mesh/problem';
export type { Problem } from './src/mesh/problem';
export { RULE_IDS, RULES } from './src/mesh/rule-ids';
export type { RuleId, RuleStage } from './src/mesh/rule-ids';
export { runCli } from './src/cli';
export type { MeshFactory, Output } from './src/cli';
export type { OutputTree } from './src/output/tree';
export { readRecordedSubnets } from './src/output/recorded-subnets';
