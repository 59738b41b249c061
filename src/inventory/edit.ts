import * as fs from 'fs';
import { isMap, LineCounter } from 'yaml';
import { EditRefused, parseForEditing, YamlTextEditor } from '../util/yaml-splice';

/**
 * Sets `network.weave.ipalloc_default_subnet` in a cluster file by splicing its text: the subnet
 * line is added at the end of `network.weave` (or exactly that value replaced), and every other byte
 * of the file stays as it was, CRLF line ends included. Returns why it could not, or undefined.
 */
export function writeSubnet(file: string, subnet: string): string | undefined {
  const text = fs.readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const document = parseForEditing(text, { lineCounter });
  if (!isMap(document.getIn(['network', 'weave'], true))) return 'has no network.weave mapping to put ipalloc_default_subnet in; nothing was written';
  const editor = new YamlTextEditor(text, document);
  try {
    editor.setScalar(['network', 'weave', 'ipalloc_default_subnet'], subnet);
  } catch (error) {
    if (!(error instanceof EditRefused)) throw error;
    const { line, col } = lineCounter.linePos(error.offset);
    return `line ${line}, column ${col}: ${error.message}; nothing was written`;
  }
  fs.writeFileSync(file, editor.result());
  return undefined;
}
