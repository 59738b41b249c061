import * as fs from 'fs';
import { isMap, parseDocument } from 'yaml';

/**
 * Sets `network.weave.ipalloc_default_subnet` in a cluster file through the yaml Document API, so
 * comments, key order and formatting of everything else stay as they were. Returns false when the
 * file has no `network.weave` mapping to put it in.
 */
export function writeSubnet(file: string, subnet: string): boolean {
  const document = parseDocument(fs.readFileSync(file, 'utf8'));
  if (!isMap(document.getIn(['network', 'weave']))) return false;
  document.setIn(['network', 'weave', 'ipalloc_default_subnet'], subnet);
  fs.writeFileSync(file, String(document));
  return true;
}
