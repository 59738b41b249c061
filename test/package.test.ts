import { builtinModules } from 'module';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { REPO } from './helpers';

// npm's own engines check is semver's (here through jest's copy, which ships no types).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver: { minVersion(range: string): { version: string } | null; satisfies(version: string, range: string): boolean } = require('semver');

/**
 * package.json as users and CI meet it: `npm ci` on the oldest Node.js that `engines` admits
 * installs without an EBADENGINE warning, cdk8s and constructs come from the app (one copy of each,
 * or constructs' `instanceof` checks fail across copies), and the built library loads nothing the
 * package does not declare.
 */

const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8'));

describe('package.json', () => {
  it('engines admits no Node.js that a locked package refuses (npm ci would warn EBADENGINE)', () => {
    const oldest = semver.minVersion(manifest.engines.node)!.version;
    const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>)
      .filter(([name, entry]) => name !== '' && !entry.optional && !Array.isArray(entry.engines) && typeof entry.engines?.node === 'string')
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node))
      .map(([name, entry]) => `${name.replace(/^.*node_modules\//, '')} needs node ${(entry.engines as { node: string }).node}`);
    expect({ oldest, refusing }).toEqual({ oldest, refusing: [] });
  });

  it('engines admits the Node.js that runs this test (CI runs the oldest line it admits)', () => {
    expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
  });

  it('takes cdk8s and constructs from the app as peer dependencies, and develops against the same ranges', () => {
    for (const name of ['cdk8s', 'constructs']) {
      expect(manifest.dependencies[name]).toBeUndefined();
      expect(manifest.peerDependencies[name]).toBeDefined();
      expect(manifest.devDependencies[name]).toBe(manifest.peerDependencies[name]);
    }
  });

  it('the library (index.ts and everything it imports, what lib/ ships) imports only Node.js built-ins and declared dependencies', () => {
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    const builtins = new Set(builtinModules);
    const program = ts.createProgram([path.join(REPO, 'index.ts')], { noEmit: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, types: ['node'] });
    const ours = program.getSourceFiles().filter((file) => !file.fileName.includes('/node_modules/') && !file.isDeclarationFile);
    expect(ours.map((file) => path.relative(REPO, file.fileName))).toContain('constructs/weave-mesh.ts');
    const undeclared = ours.flatMap((file) =>
      file.statements
        .flatMap((statement) => ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? [statement.moduleSpecifier.text] : []))
        .filter((target) => !target.startsWith('.'))
        .filter((target) => {
          const name = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : target.split('/')[0];
          return !declared.has(name) && !builtins.has(name.replace(/^node:/, ''));
        })
        .map((target) => `${path.relative(REPO, file.fileName)}: ${target}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('ships the license it declares', () => {
    expect(manifest.license).toBe('Apache-2.0');
    const text = fs.readFileSync(path.join(REPO, 'LICENSE'), 'utf8');
    expect(text).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });

  it('git ignores what npm pack leaves behind', () => {
    const ignored = fs.readFileSync(path.join(REPO, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('*.tgz');
  });
});
