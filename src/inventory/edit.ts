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
  const editor = new YamlTextEditor(text, document);
  try {
    // network.weave as Psych reads it, the way synth found it: written in network, or merged into it by `<<`.
    if (!isMap(editor.find(['network', 'weave'])?.node)) return 'has no network.weave mapping to put ipalloc_default_subnet in; nothing was written';
    editor.setScalar(['network', 'weave', 'ipalloc_default_subnet'], subnet);
  } catch (error) {
    if (!(error instanceof EditRefused)) throw error;
    const { line, col } = lineCounter.linePos(error.offset);
    return `line ${line}, column ${col}: ${error.message}; nothing was written`;
  }
  fs.writeFileSync(file, editor.result());
  return undefined;
}
