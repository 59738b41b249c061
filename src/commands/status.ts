import { allUp, collectStatus, formatStatus, Kubectl, systemKubectl } from '../status/links';
import { Command, sourcesOf } from './command';

/**
 * `status`: Weave's links between the clusters as every route agent sees them on its node, collected
 * through one kubectl context per cluster (named like the cluster), many calls at once. The logic is src/status; see docs/status.md.
 */
export function statusCommand(kubectl: () => Kubectl = () => systemKubectl()): Command {
  return {
    summary: "Weave's links between the clusters, from every node's route agent (kubectl context per cluster); exit 1 unless all are up",
    run(options, factory, output) {
      const mesh = factory(options.clusters, options.outdir);
      for (const problem of mesh.problems) options.report.problem(problem);
      const errors = mesh.errors().length;
      if (errors > 0) {
        output.err(`weave-mesh: ${errors} ${errors === 1 ? 'error' : 'errors'} in ${sourcesOf(mesh, options.clusters)}; no cluster was asked`);
        return 1;
      }
      if (mesh.clusters.length < 2) {
        // Its agents report no links (they have no other cluster's peers) and keep no status file.
        output.out(`weave-mesh: the mesh has ${mesh.clusters.length === 1 ? 'one cluster' : 'no cluster'}: there are no links between clusters to show`);
        options.report.set('allUp', true);
        options.report.set('clusters', []);
        return 0;
      }
      const agents = mesh.clusters.map((chart) => ({
        cluster: chart.cluster.name,
        context: chart.cluster.name,
        namespace: chart.routeAgent.daemonSet.metadata.namespace ?? 'kube-system',
        daemonSet: chart.routeAgent.daemonSet.metadata.name!,
      }));
      return collectStatus(agents, kubectl()).then((clusters) => {
        const up = allUp(clusters);
        options.report.set('allUp', up);
        options.report.set('clusters', clusters);
        for (const line of formatStatus(clusters)) output.out(line);
        if (!up) output.err('weave-mesh: not every link between the clusters is up; the lines above say why, and what to do');
        return up ? 0 : 1;
      });
    },
  };
}

export const status = statusCommand();
