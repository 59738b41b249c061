import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { schemaFileContent, SCHEMA_FILE } from '../src/commands/schema';
import { REPO } from './helpers';

/** The JSON Schema editors use for clusters/*.yml (yaml-language-server), emitted from the one zod schema. */
describe('the JSON Schema of cluster files', () => {
  const committed = fs.readFileSync(path.join(REPO, SCHEMA_FILE), 'utf8');
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(committed));
  const shipped = fs.readdirSync(path.join(REPO, 'clusters')).filter((file) => file.endsWith('.yml'));

  it('is committed as npm run schema emits it', () => {
    expect(committed).toBe(schemaFileContent());
  });

  it.each(shipped)('validates the shipped %s, which points editors at it', (file) => {
    const text = fs.readFileSync(path.join(REPO, 'clusters', file), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/cluster.schema.json');
    expect(validate(parse(text))).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('rejects what the model rejects for its shape: a misspelt key, a wrong type, a missing field', () => {
    const config = parse(fs.readFileSync(path.join(REPO, 'clusters', shipped[0]), 'utf8'));
    config.network.weave.ipalloc_defualt_subnet = '10.40.0.0/16';
    config.network.service_cidr = 172;
    delete config.hosts[0].role;
    expect(validate(config)).toBe(false);
    expect(validate.errors!.map((error) => `${error.instancePath} ${error.message}`).sort()).toEqual([
      '/hosts/0 must have required property \'role\'',
      '/network/service_cidr must be string',
      '/network/weave must NOT have additional properties',
    ]);
  });
});
