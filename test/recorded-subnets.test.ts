// Needs: git
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { WeaveMesh, WeaveMeshProps } from '../constructs/weave-mesh';
import { readRecordedSubnets } from '../src/output/recorded-subnets';
import { tempDir, threeClusters } from './helpers';

/** The subnet record for a cdk8s app: under `cdk8s synth` the output folder is gone, so git is the record. */

const root = tempDir();

function inDir<T>(dir: string, body: () => T): T {
  const saved = process.cwd();
  process.chdir(dir);
  try {
    return body();
  } finally {
    process.chdir(saved);
  }
}

describe('readRecordedSubnets', () => {
  const repo = path.join(root, 'repo');
  const app = path.join(repo, 'apps', 'mesh');
  fs.mkdirSync(app, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  inDir(app, () => {
    const application = new App();
    new WeaveMesh(application, 'weave-mesh', { clusters: threeClusters() as WeaveMeshProps['clusters'], gitops: { repoURL: 'https://git.example.org/fleet.git', pathPrefix: 'apps/mesh/dist' } });
    application.synth();
  });
  git('add', '-A');
  git('commit', '-qm', 'rendered');
  const expected = new Map([
    ['cluster-a', '10.33.0.0/16'],
    ['cluster-b', '10.34.0.0/16'],
    ['cluster-c', '10.35.0.0/16'],
  ]);

  it('reads the output folder weave-mesh wrote', () => {
    expect(inDir(app, () => readRecordedSubnets('dist'))).toEqual(expected);
  });

  it('reads the committed tree when cdk8s synth has deleted the folder, from the app folder inside the repository', () => {
    fs.rmSync(path.join(app, 'dist'), { recursive: true });
    expect(inDir(app, () => readRecordedSubnets('dist'))).toEqual(expected);
  });

  it('protects a recorded subnet: a cluster that lost its subnet is told to set the recorded one back', () => {
    const clusters = threeClusters();
    delete clusters['cluster-b'].network.weave.ipalloc_default_subnet;
    const mesh = inDir(app, () => new WeaveMesh(new App(), 'weave-mesh', { clusters: clusters as WeaveMeshProps['clusters'], gitops: { repoURL: 'https://git.example.org/fleet.git' }, recordedSubnets: readRecordedSubnets('dist') }));
    expect(mesh.suggestedSubnets.get('cluster-b')).toBe('10.34.0.0/16');
    expect(mesh.errors().map((problem) => problem.message)).toContainEqual(expect.stringContaining("set network.weave.ipalloc_default_subnet: '10.34.0.0/16'"));
  });

  it('is empty outside git and without a folder', () => {
    expect(inDir(root, () => readRecordedSubnets('nowhere'))).toEqual(new Map());
  });
});
