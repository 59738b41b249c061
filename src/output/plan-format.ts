/** The plan formatted for people: text for the terminal, Markdown for a pull request or the job summary. */
import { ClusterGroup, ClusterPlan, groupChanges, Plan } from './plan-change';
import { NextStep } from './plan-steps';

/** The base commit a plan compares with (plan --base), as the messages name it. */
export interface PlanBase {
  readonly ref: string;
  readonly commit: string;
}

/** The hidden first line of every plan comment: a workflow finds its earlier comment by it and updates that one in place. */
export const PLAN_MARKER = '<!-- weave-mesh-plan -->';

/** A GitHub comment holds at most 65,536 characters: the Markdown plan never exceeds this. */
export const MARKDOWN_BUDGET = 65_536;

/** What the Markdown plan shows besides the change itself. */
export interface MarkdownOptions {
  /** The output folder as the reader knows it (`dist`). */
  readonly outdir: string;
  readonly notes?: readonly string[];
  readonly steps?: readonly NextStep[];
  readonly base?: PlanBase;
  /** Warnings of the run (the inventory's, the output folder's), one formatted line each. */
  readonly warnings?: readonly string[];
  /** At most this many characters (default MARKDOWN_BUDGET). */
  readonly budget?: number;
}

/** Text for Markdown, with the characters that would start markup escaped. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_<>&[\]|]/g, (c) => `\\${c}`);
}

/**
 * Text as a Markdown code span, whatever it holds: a fence of more backticks than any run inside it
 * (a file name of a base commit's output folder arrives in a pull request, and a backtick in it must
 * not end the span and let `<details>` or an @mention through).
 */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (/^ .* $/.test(text) && text.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A list of names for a table cell: all of them, collapsed behind the first and last when there are many. */
function namesCell(names: readonly string[]): string {
  if (names.length === 1) return names[0];
  if (names.length <= 3) return names.join(', ');
  return `<details><summary>${names.length} clusters: ${names[0]} … ${names[names.length - 1]}</summary>${names.join(', ')}</details>`;
}

/** The parts of one cluster's (or group's) change, as text. */
function changeParts(change: Omit<ClusterPlan, 'cluster'>): string[] {
  const list = (label: string, items: readonly string[]) => (items.length > 0 ? [`${label} ${items.join(', ')}`] : []);
  return [
    ...(change.subnet ? [`subnet ${change.subnet.from} -> ${change.subnet.to}`] : []),
    ...(change.podNetworkCidr ? [`pod network ${change.podNetworkCidr.from} -> ${change.podNetworkCidr.to}`] : []),
    ...list('routes +', change.routesAdded),
    ...list('routes -', change.routesRemoved),
    ...list('peers +', change.peersAdded),
    ...list('peers -', change.peersRemoved),
  ];
}

/**
 * The plan as Markdown, ready for a pull-request comment or the job summary: the marker line first,
 * then warnings, notes, the clusters joining, leaving and renamed, the changes of the others (identical
 * ones grouped), the next steps and the files. Never longer than the budget: what does not fit is left
 * out from the end, and a closing line says what and where the full plan is.
 */
export function formatPlanMarkdown(plan: Plan, options: MarkdownOptions): string {
  const { outdir, notes = [], steps = [], base, warnings = [], budget = MARKDOWN_BUDGET } = options;
  const head = [PLAN_MARKER, '### weave-mesh plan', ''];
  const code = (items: readonly string[]) => items.map((item) => `\`${item}\``).join(', ');
  if (base) head.push(`What merging changes: the base commit's \`${outdir}\` (\`${base.commit.slice(0, 12)}\`, ${markdownText(base.ref)}) against what this branch renders.`, '');
  // Sections in order; each a heading (kept only with its first item) and items that may be cut. The
  // warnings and notes too: 256 clusters with a warning each are more than a comment holds, and what
  // is left out of them must be counted in the closing line like the rest.
  const sections: { title: string[]; items: string[][]; end: string[]; what: string }[] = [
    { title: [], items: [...warnings, ...plan.warnings].map((warning) => ['> [!WARNING]', `> ${markdownText(warning)}`, '']), end: [], what: 'warnings' },
    { title: [], items: notes.map((note) => ['> [!NOTE]', `> ${note}`, '']), end: [], what: 'notes' },
  ];
  if (plan.files.length === 0) {
    head.push(base ? `No changes: the base's \`${outdir}\` is what the inventory renders.` : `No changes: \`${outdir}\` is what the inventory renders.`, '');
    return fit(head, sections, budget, outdir).replace(/\n+$/, '');
  }
  const membership = [
    ...plan.clustersAdded.map(({ cluster, subnet }) => [`| joins | ${cluster} | \`${subnet}\` |`]),
    ...plan.clustersRemoved.map(({ cluster, subnet }) => [`| leaves | ${cluster} | \`${subnet}\` |`]),
    ...plan.clustersRenamed.map(({ from, to, subnet }) => [`| renamed | ${from} → ${to} (same hosts: its nodes stay) | \`${subnet}\` |`]),
  ];
  sections.push({ title: ['| | cluster | subnet |', '|---|---|---|'], items: membership, end: [''], what: 'clusters joining, leaving or renamed' });
  sections.push({
    title: ['| cluster | subnet | routes added | routes removed | peers added | peers removed |', '|---|---|---|---|---|---|'],
    items: groupChanges(plan.clusters).map(({ clusters, change }: ClusterGroup) => {
      const subnet = change.subnet ? `\`${change.subnet.from}\` → \`${change.subnet.to}\`` : '';
      return [`| ${namesCell(clusters)} | ${subnet} | ${code(change.routesAdded)} | ${code(change.routesRemoved)} | ${code(change.peersAdded)} | ${code(change.peersRemoved)} |`];
    }),
    end: [''],
    what: 'rows of cluster changes',
  });
  // Each step under the heading of when it is run: a step needed before the merge is no next step.
  sections.push({ title: ['#### Before merging', ''], items: steps.filter(({ phase }) => phase === 'before-merge').map(markdownStep), end: [''], what: 'steps before merging' });
  sections.push({ title: ['#### Next steps, once this is merged', ''], items: steps.filter(({ phase }) => phase !== 'before-merge').map(markdownStep), end: [''], what: 'next steps' });
  sections.push({
    title: [`<details><summary>${plan.files.length} ${plan.files.length === 1 ? 'file changes' : 'files change'} in <code>${outdir}</code></summary>`, ''],
    items: plan.files.map(({ file, change }) => [`- ${change}: ${codeSpan(file)}`]),
    end: ['', '</details>'],
    what: 'files',
  });
  return fit(head, sections, budget, outdir);
}

/** Lays out the sections within the budget, cutting from the end, and says what was left out. */
function fit(head: readonly string[], sections: readonly { title: string[]; items: string[][]; end: string[]; what: string }[], budget: number, outdir: string): string {
  const closing = (left: string[]) =>
    `_Cut to fit a GitHub comment (${budget.toLocaleString('en-US')} characters): ${left.join(', ')} left out. The full plan is in this job's log, but for the list of files: run \`npm run plan -- --base <base>\` (it ends with the diff; \`--format json\` for every detail) on \`${outdir}\`._`;
  const size = (lines: readonly string[]) => lines.reduce((sum, line) => sum + line.length + 1, 0);
  // Room for the closing line, however much it names.
  const reserve = size([closing(sections.map((section) => `${Number.MAX_SAFE_INTEGER} ${section.what}`))]) + 1;
  // The marker line always leads; the rest of the head only when it fits.
  const lines = size(head) > budget - reserve ? [PLAN_MARKER] : [...head];
  const left: string[] = [];
  let cut = false;
  for (const section of sections) {
    if (section.items.length === 0) continue;
    let shown = 0;
    if (!cut) {
      const block = [...section.title];
      for (const item of section.items) {
        if (size(lines) + size(block) + size(item) + size(section.end) > budget - reserve) break;
        block.push(...item);
        shown++;
      }
      if (shown > 0) lines.push(...block, ...section.end);
      if (shown < section.items.length) cut = true;
    }
    if (shown < section.items.length) left.push(`${section.items.length - shown} ${section.what}`);
  }
  if (left.length > 0) lines.push('', closing(left));
  // The closing line's reserve holds it.
  return lines.join('\n');
}

function markdownStep({ commands, why }: NextStep): string[] {
  if (commands.length === 0) return [`- ${why}.`];
  return [`- ${why}:`, '  ```sh', ...commands.map((command) => `  ${command}`), '  ```'];
}

/** The first line of the text plan: what it compares. */
export function formatPlanHeading(outdir: string, base?: PlanBase): string {
  return base ? `weave-mesh plan: what merging changes in ${outdir}, from the base ${base.ref} (${base.commit.slice(0, 12)}) to what the inventory renders` : `weave-mesh plan: what npm run synth would change in ${outdir}`;
}

/** The human summary printed before the raw diff: one line per cluster joining, leaving or renamed, one per group of identical changes. */
export function formatPlan(plan: Plan, base?: PlanBase): string[] {
  const lines: string[] = [];
  for (const { cluster, subnet } of plan.clustersAdded) lines.push(`+ cluster ${cluster} joins the mesh with subnet ${subnet}`);
  for (const { cluster, subnet } of plan.clustersRemoved) lines.push(`- cluster ${cluster} leaves the mesh (subnet ${subnet}); see weave-mesh's docs/operations.md, Removing a cluster (weave rmpeer)`);
  for (const { from, to, subnet } of plan.clustersRenamed) lines.push(`> cluster ${from} is renamed ${to} (subnet ${subnet}, the same hosts: its nodes stay in the mesh)`);
  for (const { clusters, change } of groupChanges(plan.clusters)) {
    const parts = changeParts(change).join('; ');
    lines.push(clusters.length === 1 ? `~ cluster ${clusters[0]}: ${parts}` : `~ ${clusters.length} clusters: ${parts} (${clusters.join(', ')})`);
  }
  for (const warning of plan.warnings) lines.push(`WARNING: ${warning}`);
  const count = plan.files.length;
  lines.push(count === 0 ? `no changes: ${base ? "the base's" : 'the'} output folder is what the inventory renders` : `${count} ${count === 1 ? 'file changes' : 'files change'}`);
  return lines;
}

/** The next steps as text lines, after the plan's summary. */
export function formatNextSteps(steps: readonly NextStep[]): string[] {
  const lines = (some: readonly NextStep[]) => some.flatMap(({ commands, why }) => [...commands.map((command) => (command.startsWith('#') ? `  ${command}` : `  $ ${command}`)), `      ${why}`]);
  const before = steps.filter(({ phase }) => phase === 'before-merge');
  const after = steps.filter(({ phase }) => phase !== 'before-merge');
  return [
    ...(before.length > 0 ? ['', 'before this is merged:', ...lines(before)] : []),
    ...(after.length > 0 ? ['', 'next steps, once this is merged (Argo CD or Flux sync the kubernetes/ folders; everything else is by hand):', ...lines(after)] : []),
  ];
}

/** The plan comment when there is nothing to compare with (plan --base cannot read the base): the reason, escaped. */
export function formatNoPlanMarkdown(reason: string, budget = MARKDOWN_BUDGET): string {
  return fit([PLAN_MARKER, '### weave-mesh plan', '', `**No plan was made:** ${markdownText(reason)}`], [], budget, '').replace(/\n$/, '');
}

/** The plan comment when the inventory is invalid: the problems as a list, so the summary is never empty. */
export function formatInvalidMarkdown(problems: readonly string[], outdir: string, budget = MARKDOWN_BUDGET): string {
  const errors = problems.filter((line) => line.startsWith('error: ')).length;
  const head = ['### weave-mesh plan', '', `**${errors} ${errors === 1 ? 'error' : 'errors'}** in the inventory; no plan was made for \`${outdir}\`. Fix these first:`, ''];
  return fit([PLAN_MARKER, ...head], [{ title: [], items: problems.map((line) => [`- ${line.replace(/[<>&`]/g, (c) => `\\${c}`)}`]), end: [], what: 'problems' }], budget, outdir).replace(/\n$/, '');
}
