import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO } from './helpers';

/** What Ruby's Psych made of one YAML text: its value with types kept (see test/ruby/psych-read.rb), or the error it raised. */
export type PsychResult = { value: unknown; error?: undefined } | { error: string; value?: undefined };

/**
 * Reads YAML texts with Ruby's Psych as Pharos does (`YAML.safe_load`, no permitted classes or
 * symbols, aliases on), all in one ruby process. This is Debian's Ruby 3.1 with Psych 4.0: the real
 * libyaml-based parser, a newer stand-in for the Psych 3.0.2 of Pharos's Ruby 2.5. Where the two read
 * a scalar differently, test/psych-scalar.test.ts holds the table, cited from Psych 3.0.2's source.
 */
export function readWithPsych(texts: readonly string[]): PsychResult[] {
  const result = spawnSync('ruby', [path.join(REPO, 'test', 'ruby', 'psych-read.rb')], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`ruby failed: ${result.stderr}`);
  const output = JSON.parse(result.stdout) as { psych: string; results: PsychResult[] };
  if (!output.psych.startsWith('4.')) throw new Error(`expected Debian's Ruby 3.1 with Psych 4, ruby loaded Psych ${output.psych}`);
  return output.results;
}
