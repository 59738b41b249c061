import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { DaemonSet } from 'kubernetes-models/apps/v1';

/** Offline schemas of every kind weave-mesh renders; a new kind must be added here to pass. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/DaemonSet': DaemonSet,
  'argoproj.io/v1alpha1/ApplicationSet': ApplicationSet,
  'source.toolkit.fluxcd.io/v1/GitRepository': GitRepository,
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': Kustomization,
};

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Problems of one rendered object: its schema, plus what the schemas do not catch. Empty when valid. */
export function objectProblems(object: any): string[] {
  const problems: string[] = [];
  const key = `${object?.apiVersion}/${object?.kind}`;
  const Model = MODELS[key];
  if (!Model) return [`no schema for ${key}`];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`schema: ${(error as Error).message}`);
  }
  for (const field of Object.keys(object)) {
    if (!TOP_LEVEL_FIELDS.includes(field)) problems.push(`unknown top-level field ${field}`);
  }
  const name = object.metadata?.name;
  if (typeof name !== 'string' || !DNS1123_SUBDOMAIN.test(name)) problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  const namespace = object.metadata?.namespace;
  if (typeof namespace !== 'string' || !DNS1123_LABEL.test(namespace)) problems.push(`metadata.namespace ${JSON.stringify(namespace)} is not a DNS-1123 label`);
  return problems;
}
