import { groupChanges, planChanges, renumberingWarnings } from '../src/output/plan-change';
import { ClusterState } from '../src/output/plan-state';

const cluster = (subnet: string, peers: string[], podNetworkCidr = '10.32.0.0/12'): ClusterState => ({ subnet, podNetworkCidr, serviceCidr: '10.96.0.0/12', peers });

describe('computing the change between two states', () => {
  const before = new Map([
    ['a', cluster('10.33.0.0/16', ['2.0.0.1'])],
    ['b', cluster('10.34.0.0/16', ['1.0.0.1'])],
  ]);

  it('finds clusters joining and leaving, and routes and peers gained and lost by those that stay', () => {
    const after = new Map([
      ['a', cluster('10.33.0.0/16', ['3.0.0.1'])],
      ['c', cluster('10.35.0.0/16', ['1.0.0.1'])],
    ]);
    const plan = planChanges(before, after, [{ file: 'b/pharos/cluster.yml', onDisk: 'x' }]);
    expect(plan.clustersAdded).toEqual([{ cluster: 'c', subnet: '10.35.0.0/16' }]);
    expect(plan.clustersRemoved).toEqual([{ cluster: 'b', subnet: '10.34.0.0/16' }]);
    expect(plan.clusters).toEqual([{ cluster: 'a', routesAdded: ['10.35.0.0/16'], routesRemoved: ['10.34.0.0/16'], peersAdded: ['3.0.0.1'], peersRemoved: ['2.0.0.1'] }]);
    expect(plan.files).toEqual([{ file: 'b/pharos/cluster.yml', change: 'removed' }]);
    expect(plan.warnings).toEqual([]);
  });

  it('reports nothing for a cluster that does not change', () => {
    expect(planChanges(before, before, []).clusters).toEqual([]);
  });

  it("warns when a running cluster's subnet or the pod network changes, never for a newcomer", () => {
    const after = new Map([
      ['a', cluster('10.40.0.0/16', ['2.0.0.1'], '10.32.0.0/11')],
      ['c', cluster('10.35.0.0/16', [])],
    ]);
    const warnings = renumberingWarnings(before, after);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^cluster a's subnet changes from 10\.33\.0\.0\/16 to 10\.40\.0\.0\/16: this renumbers its running pods/);
    expect(warnings[1]).toMatch(/^the pod network of cluster a changes from 10\.32\.0\.0\/12 to 10\.32\.0\.0\/11/);
    expect(planChanges(before, after, []).warnings).toEqual(warnings);
  });

  it('reports a cluster leaving under one name and joining under another with the same hosts and subnet as a rename', () => {
    const after = new Map([
      ['a', cluster('10.33.0.0/16', ['2.0.0.1'])],
      ['z', cluster('10.34.0.0/16', ['1.0.0.1'])],
    ]);
    const nodes = { before: { b: ['2.0.0.1', '2.0.0.9'] }, after: { z: ['2.0.0.9', '2.0.0.1'] } } as Record<string, Record<string, string[]>>;
    const plan = planChanges(before, after, [], (side, name) => nodes[side][name] ?? []);
    expect(plan.clustersRenamed).toEqual([{ from: 'b', to: 'z', subnet: '10.34.0.0/16' }]);
    expect(plan.clustersAdded).toEqual([]);
    expect(plan.clustersRemoved).toEqual([]);
    expect(plan.clusters).toEqual([]);
    // Other hosts, or another subnet: a leave and a join.
    expect(planChanges(before, after, [], (side, name) => (side === 'before' ? nodes.before[name] : ['2.0.0.1'])).clustersRenamed).toEqual([]);
    const moved = new Map([...after, ['z', cluster('10.36.0.0/16', ['1.0.0.1'])]]);
    expect(planChanges(before, moved, [], (side, name) => nodes[side][name] ?? []).clustersRenamed).toEqual([]);
  });
});

describe('grouping identical changes', () => {
  it('puts clusters with the same change together, in order', () => {
    const change = { routesAdded: [], routesRemoved: [], peersAdded: ['100.64.0.99'], peersRemoved: [] };
    const groups = groupChanges([
      { cluster: 'c-000', ...change },
      { cluster: 'c-001', ...change, peersAdded: [], routesAdded: ['10.1.0.0/16'] },
      { cluster: 'c-002', ...change },
      { cluster: 'c-003', ...change },
    ]);
    expect(groups.map(({ clusters }) => clusters)).toEqual([['c-000', 'c-002', 'c-003'], ['c-001']]);
    // Two with the same change are told one by one.
    expect(
      groupChanges([
        { cluster: 'a', ...change },
        { cluster: 'b', ...change },
      ]).map(({ clusters }) => clusters),
    ).toEqual([['a'], ['b']]);
    expect(groups[0].change).toEqual(change);
  });
});
