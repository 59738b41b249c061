/**
 * Writes docs/rules.md from the one list of rule ids (src/mesh/rule-ids.ts): `npm run docs:rules`.
 * test/rule-ids.test.ts fails when the committed page differs from what this renders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RULE_IDS, RULES, RuleStage } from '../src/mesh/rule-ids';

const STAGES: Record<RuleStage, string> = {
  'cluster file': 'The cluster file: what Pharos reads',
  value: 'Each value of one cluster',
  mesh: 'The mesh: rules between clusters, and Pharos rules for one cluster',
  settings: 'Settings: the props of WeaveMesh (in this repository, `settings` in main.ts)',
  output: 'The output folder and the commands',
};

/** The page, as committed in docs/rules.md. */
export function rulesMarkdown(): string {
  const lines = [
    '<!-- Generated from src/mesh/rule-ids.ts by npm run docs:rules; test/rule-ids.test.ts keeps it in sync. -->',
    '# Rule ids',
    '',
    'Every problem weave-mesh reports names the rule that found it: `[subnet-overlap]` at the end of a text',
    'line, `rule` in `--format json`, the title of a `--format github` annotation. The ids are stable: match',
    'on them in CI scripts. Warnings are marked; everything else is an error (exit 1, nothing written).',
    'A cluster file that cannot be loaded at all (not UTF-8, a link, too large, a YAML syntax error, a duplicate',
    "key) is `cluster-file`, a value Pharos's Psych 3.0 reads otherwise `pharos-yaml`; only command-line mistakes",
    '(exit 2) have no id.',
  ];
  for (const [stage, title] of Object.entries(STAGES) as [RuleStage, string][]) {
    lines.push('', `## ${title}`, '', '| id | what it checks |', '| --- | --- |');
    for (const id of RULE_IDS.filter((rule) => RULES[rule].stage === stage)) lines.push(`| \`${id}\` | ${RULES[id].doc.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  fs.writeFileSync(path.join(__dirname, '..', 'docs', 'rules.md'), rulesMarkdown());
}
