import { Plan } from '../src/output/plan-change';
import { codeSpan, formatInvalidMarkdown, formatNextSteps, formatPlan, formatPlanMarkdown, MARKDOWN_BUDGET, PLAN_MARKER } from '../src/output/plan-format';
import { NextStep } from '../src/output/plan-steps';

const empty: Plan = { clustersAdded: [], clustersRemoved: [], clustersRenamed: [], clusters: [], warnings: [], files: [] };
const plan: Plan = {
  ...empty,
  clustersAdded: [{ cluster: 'c', subnet: '10.35.0.0/16' }],
  clustersRenamed: [{ from: 'b', to: 'z', subnet: '10.34.0.0/16' }],
  clusters: [{ cluster: 'a', routesAdded: ['10.35.0.0/16'], routesRemoved: [], peersAdded: ['203.0.113.11'], peersRemoved: [] }],
  warnings: ['something renumbers'],
  files: [{ file: 'a/pharos/cluster.yml', change: 'modified' }],
};
const steps: NextStep[] = [{ phase: 'after-merge', clusters: ['a'], commands: ['pharos up -c dist/a/pharos/cluster.yml'], why: 'because' }];

/** 256 clusters, 255 of them gaining the same peer. */
function large(): Plan {
  const names = Array.from({ length: 256 }, (_, index) => `cluster-${String(index).padStart(3, '0')}`);
  return {
    ...empty,
    clusters: names.slice(1).map((cluster) => ({ cluster, routesAdded: [], routesRemoved: [], peersAdded: ['100.64.0.99'], peersRemoved: [] })),
    // As many files as synth renders per cluster (cluster.yml, the synced folder, the Flux hub folder).
    files: names.flatMap((cluster) =>
      ['pharos/cluster.yml', 'kubernetes/kube-system.daemonset.route-config.yaml', 'kubernetes/kustomization.yaml', 'kubernetes/kube-system.configmap.route-config.yaml', 'kubernetes/x.yaml', 'kubernetes/y.yaml'].map((file) => ({
        file: `${cluster}/${file}`,
        change: 'modified' as const,
      })),
    ),
  };
}

describe('formatting a plan', () => {
  it('as text: one line per cluster joining, renamed or changing, warnings, a file count', () => {
    expect(formatPlan(plan)).toEqual([
      '+ cluster c joins the mesh with subnet 10.35.0.0/16',
      '> cluster b is renamed z (subnet 10.34.0.0/16, the same hosts: its nodes stay in the mesh)',
      '~ cluster a: routes + 10.35.0.0/16; peers + 203.0.113.11',
      'WARNING: something renumbers',
      '1 file changes',
    ]);
    expect(formatPlan(empty)).toEqual(['no changes: the output folder is what the inventory renders']);
    expect(formatPlan(empty, { ref: 'main', commit: 'f'.repeat(40) })).toEqual(["no changes: the base's output folder is what the inventory renders"]);
  });

  it('as text, groups identical changes: one line for 255 clusters', () => {
    const lines = formatPlan(large()).filter((line) => line.startsWith('~'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^~ 255 clusters: peers \+ 100\.64\.0\.99 \(cluster-001, cluster-002, .*, cluster-255\)$/);
  });

  it('as text next steps, with comments unprompted', () => {
    expect(formatNextSteps(steps)).toEqual(['', expect.stringMatching(/^next steps, once this is merged/), '  $ pharos up -c dist/a/pharos/cluster.yml', '      because']);
    expect(formatNextSteps([{ phase: 'after-merge', clusters: [], commands: ['# or:', 'x'], why: 'w' }]).slice(2)).toEqual(['  # or:', '  $ x', '      w']);
    expect(formatNextSteps([])).toEqual([]);
  });

  it('puts a step to run before the merge under its own heading, in text and Markdown', () => {
    // A renamed cluster's Flux is suspended before the merge: never listed among the steps "once this is merged".
    const phased: NextStep[] = [{ phase: 'before-merge', clusters: ['z'], commands: ['flux suspend kustomization flux-system'], why: 'suspend first' }, ...steps];
    const text = formatNextSteps(phased);
    expect(text).toEqual([
      '',
      'before this is merged:',
      '  $ flux suspend kustomization flux-system',
      '      suspend first',
      '',
      expect.stringMatching(/^next steps, once this is merged/),
      '  $ pharos up -c dist/a/pharos/cluster.yml',
      '      because',
    ]);
    const markdown = formatPlanMarkdown(plan, { outdir: 'dist', steps: phased });
    const before = markdown.indexOf('#### Before merging');
    const after = markdown.indexOf('#### Next steps, once this is merged');
    expect(before).toBeGreaterThan(0);
    expect(markdown.indexOf('flux suspend')).toBeGreaterThan(before);
    expect(markdown.indexOf('flux suspend')).toBeLessThan(after);
    expect(markdown.slice(after)).not.toContain('flux suspend');
    // Only before-merge steps: no empty "next steps" heading.
    expect(formatNextSteps(phased.slice(0, 1))).toEqual(['', 'before this is merged:', '  $ flux suspend kustomization flux-system', '      suspend first']);
    expect(formatPlanMarkdown(plan, { outdir: 'dist', steps: phased.slice(0, 1) })).not.toContain('#### Next steps');
  });

  it('as Markdown: the marker first, warnings of the run and of the plan, tables, steps and the files', () => {
    const markdown = formatPlanMarkdown(plan, { outdir: 'dist', steps, warnings: ['gitops.repoURL: is the <placeholder>'] });
    expect(markdown.split('\n').slice(0, 2)).toEqual([PLAN_MARKER, '### weave-mesh plan']);
    expect(markdown).toContain('> [!WARNING]\n> gitops.repoURL: is the \\<placeholder\\>');
    expect(markdown).toContain('> [!WARNING]\n> something renumbers');
    expect(markdown).toContain('| joins | c | `10.35.0.0/16` |');
    expect(markdown).toContain('| renamed | b → z (same hosts: its nodes stay) | `10.34.0.0/16` |');
    expect(markdown).toContain('| a |  | `10.35.0.0/16` |  | `203.0.113.11` |  |');
    expect(markdown).toContain('#### Next steps, once this is merged\n\n- because:\n  ```sh\n  pharos up -c dist/a/pharos/cluster.yml\n  ```');
    expect(markdown).toContain('- modified: `a/pharos/cluster.yml`');
    expect(formatPlanMarkdown(empty, { outdir: 'dist' })).toBe(`${PLAN_MARKER}\n### weave-mesh plan\n\nNo changes: \`dist\` is what the inventory renders.`);
  });

  it('as Markdown, groups identical changes in one row', () => {
    const rows = formatPlanMarkdown(large(), { outdir: 'dist' })
      .split('\n')
      .filter((line) => line.includes('100.64.0.99'));
    expect(rows).toEqual([expect.stringMatching(/^\| <details><summary>255 clusters: cluster-001 … cluster-255<\/summary>cluster-001, cluster-002, .*<\/details> \| {2}\| {2}\| {2}\| `100\.64\.0\.99` \| {2}\|$/)]);
  });

  it('as Markdown, stays within the budget, cutting from the end and saying what was left out and where the full plan is', () => {
    const full = formatPlanMarkdown(large(), { outdir: 'dist', budget: 1_000_000 });
    expect(full).not.toContain('Cut to fit');
    for (const budget of [MARKDOWN_BUDGET, 20_000, 6_000]) {
      const markdown = formatPlanMarkdown(large(), { outdir: 'dist', budget });
      expect(markdown.length).toBeLessThanOrEqual(budget);
      expect(markdown.startsWith(`${PLAN_MARKER}\n`)).toBe(true);
      const closing = markdown.split('\n').pop()!;
      expect(closing).toMatch(
        /^_Cut to fit a GitHub comment \([\d,]+ characters\): \d+ files left out\. The full plan is in this job's log, but for the list of files: run `npm run plan -- --base <base>` \(it ends with the diff; `--format json` for every detail\) on `dist`\._$/,
      );
      // The workflow's plan runs with --summary: its log names no file, so the closing line must not send the reader there for them.
      const log = formatPlan(large()).join('\n');
      expect(log).not.toContain(large().files[0].file);
      const left = Number(/(\d+) files left out/.exec(closing)![1]);
      expect(markdown.split('\n').filter((line) => line.startsWith('- modified: '))).toHaveLength(large().files.length - left);
    }
    const tiny = formatPlanMarkdown(large(), { outdir: 'dist', budget: 1_000 });
    expect(tiny.length).toBeLessThanOrEqual(1_000);
    expect(tiny).toMatch(/1 rows of cluster changes, 1536 files left out/);
  });

  it('as Markdown, cuts warnings that do not fit like the rest, and counts them in the closing line', () => {
    // 256 clusters with a warning each (a peer count, trusted_subnets) are more than a comment holds.
    const warnings = Array.from({ length: 256 }, (_, index) => `dist/cluster-${index}/pharos/cluster.yml: cluster cluster-${index}: ${'a long warning '.repeat(20)}`);
    for (const change of [large(), empty]) {
      const markdown = formatPlanMarkdown(change, { outdir: 'dist', warnings, base: { ref: 'main', commit: 'f'.repeat(40) } });
      expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
      const lines = markdown.split('\n');
      expect(lines.slice(0, 2)).toEqual([PLAN_MARKER, '### weave-mesh plan']);
      const left = Number(/: (\d+) warnings(?: left out|,)/.exec(lines[lines.length - 1])?.[1]);
      expect(lines.filter((line) => line === '> [!WARNING]')).toHaveLength(256 - left);
      expect(left).toBeGreaterThan(0);
      if (change === empty) expect(markdown).toContain("No changes: the base's `dist` is what the inventory renders.");
    }
  });

  it('shows every file name as one code span, whatever backticks it holds', () => {
    // A base commit's output folder arrives in a pull request; its file names reach the Markdown.
    const name = 'cluster-a/x` <details><summary>[click](https:evil.example) @octocat ``.yaml';
    const markdown = formatPlanMarkdown({ ...empty, files: [{ file: name, change: 'removed' }] }, { outdir: 'dist' });
    expect(markdown).toContain(`- removed: \`\`\`${name}\`\`\``);
    expect(codeSpan('plain.yaml')).toBe('`plain.yaml`');
    expect(codeSpan('`a`')).toBe('`` `a` ``');
    expect(codeSpan(' a ')).toBe('`  a  `');
  });

  it('escapes the problems of an invalid inventory, with the marker', () => {
    expect(formatInvalidMarkdown(['error: x <y> `z`'], 'dist')).toBe(`${PLAN_MARKER}\n### weave-mesh plan\n\n**1 error** in the inventory; no plan was made for \`dist\`. Fix these first:\n\n- error: x \\<y\\> \\\`z\\\``);
  });
});
