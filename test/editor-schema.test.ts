import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { REPO, tempDir } from './helpers';

/**
 * The editor association the repository ships (.vscode/settings.json: clusters/*.yml -> the JSON
 * Schema), driven through the real yaml-language-server over stdio as an editor drives it: LSP
 * initialize, the workspace settings, didOpen of a new cluster file without the first-line comment,
 * then the diagnostics it publishes.
 */

interface Diagnostic {
  readonly range: { readonly start: { readonly line: number; readonly character: number } };
  readonly message: string;
  readonly severity?: number;
}

/** A minimal LSP client: Content-Length framed JSON-RPC over the server's stdin and stdout. */
class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private readonly listeners: ((message: any) => void)[] = [];
  readonly stderr: string[] = [];

  constructor(
    private readonly server: ChildProcessWithoutNullStreams,
    private readonly settings: Record<string, unknown>,
  ) {
    server.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    server.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  private send(message: Record<string, unknown>): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.server.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.handle(message);
    }
  }

  private handle(message: any): void {
    if (message.id !== undefined && message.method === undefined) {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
      return;
    }
    if (message.id !== undefined) {
      // A request from the server: workspace/configuration gets the workspace settings, section by section.
      const result = message.method === 'workspace/configuration' ? message.params.items.map((item: { section?: string }) => (item.section ? (this.settings[item.section] ?? null) : this.settings)) : null;
      this.send({ id: message.id, result });
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The first notification that satisfies `accept`. */
  waitFor(accept: (message: any) => boolean): Promise<any> {
    return new Promise((resolve) => {
      const listener = (message: any) => {
        if (!accept(message)) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(message);
      };
      this.listeners.push(listener);
    });
  }
}

/** The workspace settings as VS Code reads them from the shipped .vscode/settings.json ("yaml.schemas" -> section yaml). */
function shippedSettings(): Record<string, Record<string, unknown>> {
  const flat = JSON.parse(fs.readFileSync(path.join(REPO, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
  const sections: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(flat)) {
    const [section, ...rest] = key.split('.');
    (sections[section] ??= {})[rest.join('.')] = value;
  }
  return sections;
}

describe('yaml-language-server with the shipped editor association', () => {
  const workspace = tempDir();
  fs.mkdirSync(path.join(workspace, 'clusters'));
  fs.cpSync(path.join(REPO, 'schema'), path.join(workspace, 'schema'), { recursive: true });
  let server: ChildProcessWithoutNullStreams;
  let client: LspClient;

  beforeAll(async () => {
    const settings = shippedSettings();
    server = spawn(process.execPath, [path.join(REPO, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'], { cwd: workspace });
    client = new LspClient(server, { ...settings, yaml: { validate: true, schemaStore: { enable: false }, ...settings.yaml } });
    const root = pathToFileURL(workspace).href;
    await client.request('initialize', {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: 'weave-mesh' }],
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {} } },
    });
    client.notify('initialized', {});
    client.notify('workspace/didChangeConfiguration', { settings: { ...settings, yaml: { validate: true, schemaStore: { enable: false }, ...settings.yaml } } });
  }, 30_000);

  afterAll(() => server?.kill());

  it('flags a bad CIDR, a misspelt key and a bad role in a new cluster file that has no first-line comment', async () => {
    const text = [
      'hosts:',
      '  - address: 192.0.2.31',
      '    role: master',
      '  - address: 192.0.2.32',
      '    role: boss',
      'network:',
      '  service_cidr: 172.30.0.0/33',
      '  pod_network_cidr: 10.32.0.0/12',
      '  weave:',
      '    password: ./shared_password',
      '    ipalloc_defualt_subnet: 10.40.0.0/16',
      '',
    ].join('\n');
    expect(text.startsWith('#')).toBe(false);
    const uri = pathToFileURL(path.join(workspace, 'clusters', 'cluster-new.yml')).href;
    const diagnostics = client.waitFor((message) => message.method === 'textDocument/publishDiagnostics' && message.params.uri === uri && message.params.diagnostics.length > 0);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const published: Diagnostic[] = (await diagnostics).params.diagnostics;
    const byLine = published.map((diagnostic) => [diagnostic.range.start.line + 1, diagnostic.message]).sort();
    expect(byLine).toEqual([
      [11, 'Property ipalloc_defualt_subnet is not allowed.'],
      [5, expect.stringMatching(/^Value is not accepted\. Valid values: "master", "worker"\./)],
      [7, expect.stringMatching(/^String does not match the pattern of "\^\(25\[0-5\]/)],
    ]);
  }, 30_000);

  it('leaves a file outside clusters/ alone', async () => {
    const uri = pathToFileURL(path.join(workspace, 'other.yml')).href;
    const diagnostics = client.waitFor((message) => message.method === 'textDocument/publishDiagnostics' && message.params.uri === uri);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: 'network:\n  service_cidr: banana\n' } });
    expect((await diagnostics).params.diagnostics).toEqual([]);
  }, 30_000);
});
