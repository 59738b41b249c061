// Summarises a V8 CPU profile (`node --cpu-prof build/main.js synth ...`) of the bundle: time per
// phase of the pipeline (by the function names esbuild keeps) and per package (by the bundle's source
// map). Used by `npm run bench`, so that docs/benchmarks.md says where the time goes from a real run.
import { readFileSync } from 'fs';
import { SourceMap } from 'module';

/** Phases of a synth, by the function that runs each; a sample counts for the innermost one on its stack. */
export const PHASES = [
  ['loadInventory', 'reading the inventory files: checks, the yaml package parsing them with positions, the Psych 3.0 reading'],
  ['validateClusters', 'validation: the zod schema, ip-num parsing each address and CIDR once, the mesh rules'],
  ['ClusterChart', "the model: one cdk8s chart per cluster, its cluster.yml splices (known_peers) and the agent's programs"],
  ['toYaml', "serialising the Kubernetes objects with the yaml package, mostly the route-config DaemonSets with the agent's programs"],
  ['renderOverview', 'the overview'],
  ['writeTreeAtomically', 'writing the files into a new folder and swapping it in'],
  ['trackedPasswordFiles', 'asking git whether it tracks the password file'],
];

const GC = '(garbage collector)';

/**
 * Milliseconds of the profile per phase (plus garbage collection and the rest: node starting, the
 * bundle loading, reporting) and per package the sampled code belongs to.
 * @param {string} profileFile a .cpuprofile written by node --cpu-prof
 * @param {string} bundleFile the bundle it ran (its .map beside it)
 */
export function summarise(profileFile, bundleFile) {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8'));
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const phaseNames = new Set(PHASES.map(([name]) => name));
  const phases = new Map([...PHASES.map(([name]) => [name, 0]), ['gc', 0], ['rest', 0]]);
  const packages = new Map();
  const packageOf = new Map();
  let total = 0;

  const sourcePackage = (frame) => {
    const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
    if (!packageOf.has(key)) {
      let name = 'node.js';
      if (frame.url.endsWith(bundleFile.split('/').pop())) {
        const source = map.findEntry(frame.lineNumber, frame.columnNumber)?.originalSource ?? '';
        const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
        name = inModules ? inModules[1] : 'weave-mesh';
      }
      packageOf.set(key, name);
    }
    return packageOf.get(key);
  };

  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    total += ms;
    let node = nodes.get(id);
    if (node.callFrame.functionName === GC) {
      phases.set('gc', phases.get('gc') + ms);
      packages.set('garbage collection', (packages.get('garbage collection') ?? 0) + ms);
      return;
    }
    // A regular expression or a native call runs for the code that called it.
    let at = id;
    while (node.callFrame.url === '' && parents.has(at) && !['(root)', '(program)', '(idle)'].includes(node.callFrame.functionName)) {
      at = parents.get(at);
      node = nodes.get(at);
    }
    const owner = node.callFrame.url === '' ? 'node.js' : sourcePackage(node.callFrame);
    packages.set(owner, (packages.get(owner) ?? 0) + ms);
    let phase = 'rest';
    for (let up = id; up !== undefined; up = parents.get(up)) {
      const name = nodes.get(up).callFrame.functionName;
      if (phaseNames.has(name)) {
        phase = name;
        break;
      }
    }
    phases.set(phase, phases.get(phase) + ms);
  });
  return { total, phases, packages };
}
