import * as fs from 'fs';
import * as path from 'path';
import { rulesMarkdown } from '../scripts/rules-doc';
import { declaredInCode } from '../src/mesh/declaration';
import { RULE_IDS, RULES } from '../src/mesh/rule-ids';
import { validateClusters } from '../src/mesh/validate';
import { REPO } from './helpers';

/**
 * The rule ids are public (`[rule]`, `--format json`, `--format github`): one typed list in
 * src/mesh/rule-ids.ts, which `Problem.rule` must name (tsc refuses any other string), and
 * docs/rules.md rendered from it.
 */

/** Every TypeScript file of the program, apart from the list itself. */
function sources(): string[] {
  const files: string[] = [];
  for (const folder of ['src', 'constructs']) {
    for (const entry of fs.readdirSync(path.join(REPO, folder), { recursive: true, withFileTypes: true })) {
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      if (entry.isFile() && entry.name.endsWith('.ts') && !full.endsWith(path.join('src', 'mesh', 'rule-ids.ts'))) files.push(fs.readFileSync(full, 'utf8'));
    }
  }
  return files;
}

describe('rule ids', () => {
  it('docs/rules.md is rendered from the list (npm run docs:rules writes it)', () => {
    expect(fs.readFileSync(path.join(REPO, 'docs', 'rules.md'), 'utf8')).toBe(rulesMarkdown());
  });

  it('each id is kebab-case with a one-line doc that ends a sentence, and warnings say so', () => {
    for (const id of RULE_IDS) {
      expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(RULES[id].doc).toMatch(/^[A-Za-z`'"][^\n]*\.$/);
    }
    expect(RULE_IDS.filter((id) => RULES[id].doc.startsWith('Warning:'))).toEqual(
      expect.arrayContaining(['shared-service-cidr', 'firewalld-host-name', 'gitops-placeholder', 'renumbering', 'password-tracked', 'flux-system-left', 'output-unreadable']),
    );
  });

  it('every id in the list is reported somewhere (no id documented that nothing reports)', () => {
    const text = sources().join('\n');
    expect(RULE_IDS.filter((id) => !text.includes(`'${id}'`))).toEqual([]);
  });

  it('the problems of a broken cluster name only listed ids', () => {
    const broken = { hosts: [{ address: '127.0.0.1', role: 'worker' }], network: { provider: 'calico', weave: { ipalloc_default_subnet: '10.33.0.0/33', password: 'secret' } }, netwrok: {} };
    const { problems } = validateClusters([declaredInCode('Bad_Name', broken, 'mesh/Bad_Name')]);
    expect(problems.length).toBeGreaterThan(4);
    for (const problem of problems) expect(RULE_IDS).toContain(problem.rule);
  });
});
