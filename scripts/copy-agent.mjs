// Copies the node agent's shell programs (constructs/agent/*.sh) into a folder beside compiled code
// that renders them: `node scripts/copy-agent.mjs lib/constructs/agent` after tsc builds lib/.
import { copyFileSync, mkdirSync, readdirSync } from 'fs';
import { join, resolve } from 'path';

const repo = resolve(import.meta.dirname, '..');
const target = resolve(repo, process.argv[2]);
mkdirSync(target, { recursive: true });
for (const file of readdirSync(join(repo, 'constructs', 'agent')).filter((name) => name.endsWith('.sh'))) {
  copyFileSync(join(repo, 'constructs', 'agent', file), join(target, file));
}
