/**
 * The plan of a change: from one rendered tree (the output folder, or a base commit's) to another (the
 * working tree's render). Each job has its own module: plan-state reads a tree's state back,
 * plan-change computes the change, plan-steps derives what to run by hand, plan-format prints it. This
 * module puts them together, so the command stays a thin layer.
 */
import { Problem } from '../mesh/problem';
import { compareTrees, FileDifference } from './compare';
import { planChanges, Plan } from './plan-change';
import { damagedClusterFiles, hostsIn, meshStateOf, MeshState } from './plan-state';
import { leftoverFluxFolders, NextStep, nextSteps } from './plan-steps';
import { OutputTree } from './tree';

export * from './plan-change';
export * from './plan-format';
export * from './plan-state';
export * from './plan-steps';

/** A whole plan: the change, its notes and next steps, the damaged files of the old tree, and every file difference. */
export interface PlanResult {
  readonly changes: Plan;
  readonly notes: readonly string[];
  readonly steps: readonly NextStep[];
  /** Warnings about the old tree's cluster.yml files that cannot be read back. */
  readonly damaged: readonly Problem[];
  readonly differences: readonly FileDifference[];
}

/**
 * Plans going from `before` (the output folder at `outdir`, or a base commit's) to `after` (the
 * render), naming the output folder `shown` in every message (the repository path with --base). A cluster whose
 * rendered cluster.yml cannot be read has no known state: it neither joins nor changes anything in
 * this plan (its file's diff still shows), rather than look like a new cluster.
 */
export function makePlan(before: OutputTree, after: OutputTree, outdir: string, shown = outdir): PlanResult {
  const damaged = damagedClusterFiles(before, shown);
  const unknown = new Set(damaged.map((problem) => problem.cluster));
  const known = (state: MeshState) => new Map([...state].filter(([cluster]) => !unknown.has(cluster)));
  const differences = compareTrees(before, after);
  const nodesOf = (side: 'before' | 'after', cluster: string) => hostsIn(side === 'before' ? before : after, cluster).map(({ address }) => address);
  const changes = planChanges(known(meshStateOf(before)), known(meshStateOf(after)), differences, nodesOf);
  const notes = [
    ...[...unknown].map((cluster) => `cluster ${cluster}: its rendered cluster.yml cannot be read, so this plan cannot say what changes for it; synth renders it again from the inventory`),
    ...leftoverFluxFolders(outdir, [...changes.clustersRemoved.map(({ cluster }) => cluster), ...changes.clustersRenamed.map(({ from }) => from)], shown),
  ];
  return { changes, notes, steps: nextSteps(changes, before, after, shown), damaged, differences };
}
