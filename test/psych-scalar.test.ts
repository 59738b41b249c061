// Needs: ruby
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import { PsychScalar, tokenizePsych3, tokenizePsych4 } from '../src/util/psych';
import { readWithPsych } from './psych';
import { Reading, TABLE } from './psych-versions';

/**
 * src/util/psych.ts reads plain scalars as Psych 3.0.2 (Pharos's Ruby 2.5) does. The tests run Debian's
 * Ruby 3.1 with Psych 4.0.3, the real libyaml-based Psych but a newer one: where the two versions
 * differ, test/psych-versions.ts is the table, its 3.0.2 column cited from scalar_scanner.rb v3.0.2.
 */

/** Ruby's Float#to_s: always a `.` or an exponent (1.0, 1.0e+20). */
function rubyFloatText(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const text = String(value);
  return text.includes('e') ? text.replace(/^(-?\d+)e/, '$1.0e') : text;
}

/** Our reading in the table's shape. */
function ours(reading: PsychScalar): Reading {
  switch (reading.type) {
    case 'null':
      return null;
    case 'bool':
      return reading.value;
    case 'int':
      return { int: reading.value.toString() };
    case 'float':
      return { float: Number.isNaN(reading.value) ? 'NaN' : reading.value === Infinity ? 'Infinity' : reading.value === -Infinity ? '-Infinity' : rubyFloatText(reading.value) };
    case 'str':
      return reading.value;
    case 'refused':
      // Ruby's Float()/Integer() raise ArgumentError; a Symbol, Date or Time is a class safe_load does not permit.
      return { raises: reading.what.startsWith('an error') ? 'ArgumentError' : 'Psych::DisallowedClass' };
  }
}

/** What the real Psych 4 made of `v: <text>` (a plain scalar); `syntax` when libyaml did not take it as one. */
function psych4(texts: readonly string[]): (Reading | 'syntax')[] {
  return readWithPsych(texts.map((text) => `v: ${text}\n`)).map((result) => {
    if (result.error !== undefined) return result.error.startsWith('Psych::SyntaxError') ? 'syntax' : { raises: result.error.slice(0, result.error.indexOf(': ')) };
    return (result.value as { map: [unknown, Reading][] }).map[0][1];
  });
}

/**
 * The scalars whose reading the two versions' rules can change, from the regexes the table quotes: a
 * `+.inf` (3.0.2 l.13 FLOAT `[-+]?\.(inf|Inf|INF)` then Float() raises; 4.0.3 `/^\+?\.inf$/i`), and an
 * integer with `,` or `_` that is not a word (l.40) (3.0.2 l.105 tests INTEGER after `gsub(/[,_]/, '')`,
 * 4.0.3 the text as written).
 */
function mayDiffer(text: string): boolean {
  if (/^\+\.inf$/i.test(text)) return true;
  if (/^[^\d.:-]?[A-Za-z_\s!@#$%^&*(){}<>|/\\~;=]+/.test(text)) return false;
  const integer3 = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$/;
  const integer4 = /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;
  return /[,_]/.test(text) && integer3.test(text.replace(/[,_]/g, '')) !== integer4.test(text);
}

describe('Psych 3.0.2 and 4.0.3 read plain scalars as the table says (test/psych-versions.ts)', () => {
  const real4 = psych4(TABLE.map((row) => row.text));

  it("runs Debian's Ruby 3.1 with Psych 4.0.3, the version of the table's second column", () => {
    expect(spawnSync('ruby', ['-rpsych', '-e', 'print RUBY_VERSION, " ", Psych::VERSION'], { encoding: 'utf8' }).stdout).toMatch(/^3\.1\.\d+ 4\.0\.3$/);
  });

  it.each(TABLE.map((row) => [row.text, row.cite, row]))('%j as Psych 3.0.2 reads it (%s): src/util/psych.ts', (_text, _cite, row) => {
    expect(ours(tokenizePsych3(row.text))).toEqual(row.v3);
  });

  it.each(TABLE.map((row, index) => [row.text, row.why4 ?? 'as 3.0.2', row, index] as const))('%j as Psych 4.0.3 reads it (%s): the real Psych 4 and src/util/psych.ts', (_text, _why, row, index) => {
    expect(real4[index]).toEqual(row.v4);
    expect(ours(tokenizePsych4(row.text))).toEqual(row.v4);
  });

  it("a row differs between the columns exactly when it says why, and when the two versions' rules can differ", () => {
    for (const row of TABLE) {
      const differs = JSON.stringify(row.v3) !== JSON.stringify(row.v4);
      expect([row.text, differs, mayDiffer(row.text)]).toEqual([row.text, row.why4 !== undefined, differs]);
    }
  });
});

describe('src/util/psych.ts against the real Psych 4 on generated scalars', () => {
  /**
   * Psych 4 reads each sample as tokenizePsych4 does; tokenizePsych3 reads it the same but where the
   * two versions' rules differ (mayDiffer): there the table decides, cited from Psych 3.0.2's source.
   */
  function check(samples: readonly string[]): number {
    const real = psych4(samples);
    let compared = 0;
    samples.forEach((text, index) => {
      if (real[index] === 'syntax') return;
      compared++;
      expect([text, ours(tokenizePsych4(text))]).toEqual([text, real[index]]);
      if (!mayDiffer(text)) expect([text, ours(tokenizePsych3(text))]).toEqual([text, real[index]]);
      else expect([text, ours(tokenizePsych3(text))]).not.toEqual([text, real[index]]);
    });
    return compared;
  }

  it('reads any scalar of digits, signs and separators as Psych 4 does, and as Psych 3.0.2 where their rules agree', () => {
    const scalar = fc.stringMatching(/^[-+]?[0-9.,_:xbeEaf+inINF-]{1,9}$/).filter((text) => !/[,:]$|, |^[-:?,]($| )/.test(text));
    const separated = fc.stringMatching(/^[-+]?(?:0b|0x|0)?[0-9a-f_,]{1,6}$|^[-+]\.(?:inf|Inf|INF|iNf)$/);
    const samples = [...fc.sample(scalar, { numRuns: 3000, seed: 19 }), ...fc.sample(separated, { numRuns: 1000, seed: 19 }), ...TABLE.map((row) => row.text)];
    expect(check(samples)).toBeGreaterThan(3500);
    // The generators reach both sides: scalars the versions read alike and many they read differently.
    expect(samples.filter(mayDiffer).length).toBeGreaterThan(200);
  });

  it('reads any short word as Psych 4 and 3.0.2 do (booleans, nulls, strings, non-ASCII letters)', () => {
    const samples = fc.sample(fc.stringMatching(/^[a-zA-Zé~+][a-zA-Zéñ~_ ]{0,6}[a-zA-Zé]$|^[ytonfYTONF~é]$/), { numRuns: 1000, seed: 19 });
    expect(check(samples)).toBe(samples.length);
  });
});
