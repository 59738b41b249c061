import { Plan } from '../src/output/plan-change';
import { formatInvalidMarkdown, formatNextSteps, formatNextStepsMarkdown, formatPlan, formatPlanMarkdown } from '../src/output/plan-format';

const empty: Plan = { clustersAdded: [], clustersRemoved: [], clusters: [], warnings: [], files: [] };
const plan: Plan = {
  clustersAdded: [{ cluster: 'c', subnet: '10.35.0.0/16' }],
  clustersRemoved: [],
  clusters: [{ cluster: 'a', routesAdded: ['10.35.0.0/16'], routesRemoved: [], peersAdded: ['203.0.113.11'], peersRemoved: [] }],
  warnings: ['something renumbers'],
  files: [{ file: 'a/pharos/cluster.yml', change: 'modified' }],
};
const steps = [{ cluster: 'a', commands: ['pharos up -c dist/a/pharos/cluster.yml'], why: 'because' }];

describe('formatting a plan', () => {
  it('as text: one line per cluster, warnings, a file count', () => {
    expect(formatPlan(plan)).toEqual(['+ cluster c joins the mesh with subnet 10.35.0.0/16', '~ cluster a: routes + 10.35.0.0/16; peers + 203.0.113.11', 'WARNING: something renumbers', '1 file changes']);
    expect(formatPlan(empty)).toEqual(['no changes: the output folder is what the inventory renders']);
  });

  it('as text and Markdown next steps', () => {
    expect(formatNextSteps(steps)).toEqual(['', expect.stringMatching(/^next steps, once this is merged/), '  $ pharos up -c dist/a/pharos/cluster.yml', '      because']);
    expect(formatNextStepsMarkdown(steps)).toEqual(['#### Next steps, once this is merged', '', '- because:', '  ```sh', '  pharos up -c dist/a/pharos/cluster.yml', '  ```', '']);
    expect(formatNextSteps([])).toEqual([]);
  });

  it('as Markdown: warnings, tables, steps and the files', () => {
    const markdown = formatPlanMarkdown(plan, [], 'dist', steps);
    expect(markdown).toContain('> [!WARNING]\n> something renumbers');
    expect(markdown).toContain('| joins | c | `10.35.0.0/16` |');
    expect(markdown).toContain('| a |  | `10.35.0.0/16` |  | `203.0.113.11` |  |');
    expect(markdown).toContain('- modified: `a/pharos/cluster.yml`');
    expect(formatPlanMarkdown(empty, [], 'dist')).toBe('### weave-mesh plan\n\nNo changes: `dist` is what the inventory renders.');
  });

  it('escapes the problems of an invalid inventory', () => {
    expect(formatInvalidMarkdown(['error: x <y> `z`'], 'dist')).toBe('### weave-mesh plan\n\n**1 error** in the inventory; no plan was made for `dist`. Fix these first:\n\n- error: x \\<y\\> \\`z\\`');
  });
});
