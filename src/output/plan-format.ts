/** The plan formatted for people: text for the terminal, Markdown for a pull request or the job summary. */
import { Plan } from './plan-change';
import { NextStep } from './plan-steps';

/** The base commit a plan compares with (plan --base), as the messages name it. */
export interface PlanBase {
  readonly ref: string;
  readonly commit: string;
}

/** The plan as Markdown, ready for a pull-request comment or the job summary. */
export function formatPlanMarkdown(plan: Plan, notes: readonly string[], outdir: string, steps: readonly NextStep[] = [], base?: PlanBase): string {
  const lines = ['### weave-mesh plan', ''];
  const code = (items: readonly string[]) => items.map((item) => `\`${item}\``).join(', ');
  if (base) lines.push(`What merging changes: the base commit's \`${outdir}\` (\`${base.commit.slice(0, 12)}\`, ${markdownText(base.ref)}) against what this branch renders.`, '');
  if (plan.files.length === 0) return [...lines, base ? `No changes: the base's \`${outdir}\` is what the inventory renders.` : `No changes: \`${outdir}\` is what the inventory renders.`].join('\n');
  for (const warning of plan.warnings) lines.push(`> [!WARNING]`, `> ${warning}`, '');
  for (const note of notes) lines.push(`> [!NOTE]`, `> ${note}`, '');
  if (plan.clustersAdded.length > 0 || plan.clustersRemoved.length > 0) {
    lines.push('| | cluster | subnet |', '|---|---|---|');
    for (const { cluster, subnet } of plan.clustersAdded) lines.push(`| joins | ${cluster} | \`${subnet}\` |`);
    for (const { cluster, subnet } of plan.clustersRemoved) lines.push(`| leaves | ${cluster} | \`${subnet}\` |`);
    lines.push('');
  }
  if (plan.clusters.length > 0) {
    lines.push('| cluster | subnet | routes added | routes removed | peers added | peers removed |', '|---|---|---|---|---|---|');
    for (const cluster of plan.clusters) {
      const subnet = cluster.subnet ? `\`${cluster.subnet.from}\` → \`${cluster.subnet.to}\`` : '';
      lines.push(`| ${cluster.cluster} | ${subnet} | ${code(cluster.routesAdded)} | ${code(cluster.routesRemoved)} | ${code(cluster.peersAdded)} | ${code(cluster.peersRemoved)} |`);
    }
    lines.push('');
  }
  lines.push(...formatNextStepsMarkdown(steps));
  lines.push(`<details><summary>${plan.files.length} ${plan.files.length === 1 ? 'file changes' : 'files change'} in <code>${outdir}</code></summary>`, '');
  for (const { file, change } of plan.files) lines.push(`- ${change}: \`${file}\``);
  lines.push('', '</details>');
  return lines.join('\n');
}

/** Text for Markdown, with the characters that would start markup escaped. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_<>&[\]|]/g, (c) => `\\${c}`);
}

/** The first line of the text plan: what it compares. */
export function formatPlanHeading(outdir: string, base?: PlanBase): string {
  return base ? `weave-mesh plan: what merging changes in ${outdir}, from the base ${base.ref} (${base.commit.slice(0, 12)}) to what the inventory renders` : `weave-mesh plan: what npm run synth would change in ${outdir}`;
}

/** The human summary printed before the raw diff. */
export function formatPlan(plan: Plan, base?: PlanBase): string[] {
  const lines: string[] = [];
  const list = (label: string, items: readonly string[]) => (items.length > 0 ? [`${label} ${items.join(', ')}`] : []);
  for (const { cluster, subnet } of plan.clustersAdded) lines.push(`+ cluster ${cluster} joins the mesh with subnet ${subnet}`);
  for (const { cluster, subnet } of plan.clustersRemoved) lines.push(`- cluster ${cluster} leaves the mesh (subnet ${subnet}); see the README's runbook (weave rmpeer)`);
  for (const cluster of plan.clusters) {
    const parts = [
      ...(cluster.subnet ? [`subnet ${cluster.subnet.from} -> ${cluster.subnet.to}`] : []),
      ...(cluster.podNetworkCidr ? [`pod network ${cluster.podNetworkCidr.from} -> ${cluster.podNetworkCidr.to}`] : []),
      ...list('routes +', cluster.routesAdded),
      ...list('routes -', cluster.routesRemoved),
      ...list('peers +', cluster.peersAdded),
      ...list('peers -', cluster.peersRemoved),
    ];
    lines.push(`~ cluster ${cluster.cluster}: ${parts.join('; ')}`);
  }
  for (const warning of plan.warnings) lines.push(`WARNING: ${warning}`);
  const count = plan.files.length;
  lines.push(count === 0 ? `no changes: ${base ? "the base's" : 'the'} output folder is what the inventory renders` : `${count} ${count === 1 ? 'file changes' : 'files change'}`);
  return lines;
}

/** The next steps as text lines, after the plan's summary. */
export function formatNextSteps(steps: readonly NextStep[]): string[] {
  if (steps.length === 0) return [];
  return ['', 'next steps, once this is merged (Argo CD or Flux sync the kubernetes/ folders; everything else is by hand):', ...steps.flatMap(({ commands, why }) => [...commands.map((command) => `  $ ${command}`), `      ${why}`])];
}

/** The next steps as a Markdown section. */
export function formatNextStepsMarkdown(steps: readonly NextStep[]): string[] {
  if (steps.length === 0) return [];
  return ['#### Next steps, once this is merged', '', ...steps.flatMap(({ commands, why }) => [`- ${why}:`, '  ```sh', ...commands.map((command) => `  ${command}`), '  ```']), ''];
}

/** The plan comment when the inventory is invalid: the problems as a list, so the summary is never empty. */
export function formatInvalidMarkdown(problems: readonly string[], outdir: string): string {
  const errors = problems.filter((line) => line.startsWith('error: ')).length;
  return ['### weave-mesh plan', '', `**${errors} ${errors === 1 ? 'error' : 'errors'}** in the inventory; no plan was made for \`${outdir}\`. Fix these first:`, '', ...problems.map((line) => `- ${line.replace(/[<>&`]/g, (c) => `\\${c}`)}`)].join('\n');
}
