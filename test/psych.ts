import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO } from './helpers';

/** What Ruby's Psych made of one YAML text: its value with types kept (see test/ruby/psych-read.rb), or the error it raised. */
export type PsychResult = { value: unknown; error?: undefined } | { error: string; value?: undefined };

/**
 * The Psych and libyaml these tests run: Debian bookworm's ruby 3.1 (Psych 4.0.3) on its libyaml 0.2.5,
 * as CI has them. Pharos runs Psych 3.0.2 on a libyaml from 0.1.7 to 0.2.5: what those read differently
 * is in cited tables (test/psych-versions.ts, test/libyaml-versions.ts), not in these runs.
 */
export const PSYCH_UNDER_TEST = { psych: '4.0.3', libyaml: '0.2.5' } as const;

/**
 * Reads YAML texts with Ruby's Psych as Pharos does (`YAML.safe_load`, no permitted classes or
 * symbols, aliases on), all in one ruby process. This is Debian's Ruby 3.1 with Psych 4.0: the real
 * libyaml-based parser, a newer stand-in for the Psych 3.0.2 of Pharos's Ruby 2.5. Where the two read
 * a scalar differently, test/psych-scalar.test.ts holds the table, cited from Psych 3.0.2's source.
 */
export function readWithPsych(texts: readonly string[]): PsychResult[] {
  const result = spawnSync('ruby', [path.join(REPO, 'test', 'ruby', 'psych-read.rb')], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`ruby failed: ${result.stderr}`);
  const output = JSON.parse(result.stdout) as { psych: string; libyaml: string; results: PsychResult[] };
  if (output.psych !== PSYCH_UNDER_TEST.psych || output.libyaml !== PSYCH_UNDER_TEST.libyaml) {
    throw new Error(`expected Debian's Ruby 3.1 with Psych ${PSYCH_UNDER_TEST.psych} on libyaml ${PSYCH_UNDER_TEST.libyaml}, ruby loaded Psych ${output.psych} on libyaml ${output.libyaml}`);
  }
  return output.results;
}
