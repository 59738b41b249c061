// Needs: ruby
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import { LineCounter } from 'yaml';
import { PsychScalar, rubyRegExp, tokenizePsych3, tokenizePsych4 } from '../src/util/psych';
import { readAsPsych } from '../src/util/psych-read';
import { parseForEditing } from '../src/util/yaml-splice';
import { PSYCH_UNDER_TEST, readWithPsych } from './psych';

/**
 * src/util/psych.ts follows Ruby's regular expressions, not JavaScript's: Ruby's `^`, `$` and `.` break
 * lines only at `\n` (JavaScript's also at `\r`, U+2028, U+2029), and Ruby's `/i` folds `ſ` to `s` and
 * `ﬀ` to `ff`. A tagged scalar (`!!int "22\r"`, `!!bool "y"`) is converted from its text as written
 * (to_ruby.rb v3.0.2 `deserialize`, l.59-118: `return o.value if o.quoted`, then by tag, else
 * `@ss.tokenize o.value`), so a double-quoted tagged scalar reaches the scanner with any character.
 *
 * These run Debian's ruby: Psych 4.0.3 on libyaml 0.2.5 (PSYCH_UNDER_TEST). Where Psych 3.0.2's
 * scanner reads a text differently (mayDiffer, test/psych-versions.ts), the expectation is the table's.
 * The generated comparison was also run locally against ruby/psych v3.0.2 built from source (on
 * libyaml 0.1.7, 0.2.1, 0.2.2 and 0.2.5): no difference on 24,528 scanner texts, 20,000 tagged scalars and
 * 3,000 generated documents (docs/pharos-yaml-readers.md).
 */

/** What Ruby's Psych made of one scalar, in the shape of test/ruby/psych-read.rb. */
type Reading = null | boolean | string | { int: string } | { num: string } | { raises: string } | 'syntax';

function ours(reading: PsychScalar): Reading {
  switch (reading.type) {
    case 'null':
      return null;
    case 'bool':
      return reading.value;
    case 'str':
      return reading.value;
    case 'int':
      return { int: reading.value.toString() };
    case 'float':
      return { num: String(reading.value) };
    case 'refused':
      return { raises: reading.what.startsWith('an error') ? 'error' : 'Psych::DisallowedClass' };
  }
}

/** The reading of Ruby's output: floats by value (Ruby writes 1.0, JavaScript 1), errors by class. */
function theirs(result: { value?: unknown; error?: string }): Reading {
  if (result.error !== undefined) {
    if (result.error.startsWith('Psych::SyntaxError')) return 'syntax';
    const name = result.error.slice(0, result.error.indexOf(': '));
    return { raises: name === 'Psych::DisallowedClass' ? name : 'error' };
  }
  const value = (result.value as { map: [unknown, unknown][] }).map[0][1] as Reading | { float: string };
  if (value && typeof value === 'object' && 'float' in value) return { num: String(Number(value.float)) };
  return value as Reading;
}

/** A YAML double-quoted scalar of any text: every control and line-break character escaped. */
function quoted(text: string): string {
  return `"${[...text].map((c) => (c === '"' || c === '\\' ? `\\${c}` : /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(c) ? `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}` : c)).join('')}"`;
}

/** Where the two Psych versions' scanner rules differ (the rows of test/psych-versions.ts): `+.inf`, and `,`/`_` in integers. */
function mayDiffer(text: string): boolean {
  if (text.includes('\n')) return false;
  if (/^\+\.inf$/i.test(text)) return true;
  if (rubyRegExp(String.raw`^[^\d\.:-]?[A-Za-z_\s!@#\$%\^&\*\(\)\{\}\<\>\|\/\\~;=]+`).test(text)) return false;
  const integer3 = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$/;
  const integer4 = /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;
  return /[,_]/.test(text) && integer3.test(text.replace(/[,_]/g, '')) !== integer4.test(text);
}

describe('the Ruby the tests run', () => {
  it(`is Psych ${PSYCH_UNDER_TEST.psych} on libyaml ${PSYCH_UNDER_TEST.libyaml} (Pharos: Psych 3.0.2 on libyaml 0.1.7-0.2.5, in cited tables)`, () => {
    const run = spawnSync('ruby', ['-rpsych', '-e', 'print Psych::VERSION, " ", Psych.libyaml_version.join(".")'], { encoding: 'utf8' });
    expect(run.stdout).toBe(`${PSYCH_UNDER_TEST.psych} ${PSYCH_UNDER_TEST.libyaml}`);
  });
});

describe("Ruby's regular expressions in JavaScript (rubyRegExp)", () => {
  it.each([
    // [Ruby source, text, Ruby's answer (checked with ruby 3.1: `text =~ regexp`)]
    ['^22$', '22\r', false],
    ['^22$', '22\n', true],
    ['^22$', 'x\n22', true],
    ['^22$', '22\u2028', false],
    ['^22$', '\u202922', false],
    ['^:.', ':\r', true],
    ['^:.', ':\u2028', true],
    ['^:.', ':\n', false],
    [String.raw`\A[-+]?\.\Z`, '.\n', true],
    [String.raw`\A[-+]?\.\Z`, '.\r', false],
    [String.raw`\A[-+]?\.\Z`, 'x\n.', false],
    ['^(yes|true|on)$', 'y\u2028', false],
  ] as const)('/%s/ on %j is %s', (source, text, expected) => {
    expect(rubyRegExp(source).test(text)).toBe(expected);
  });
});

describe('Psych 3.0.2 scanner rows that hold line-break characters and folded letters (the same in 4.0.3, so checked against the real Psych)', () => {
  // [text, Psych 3.0.2's reading, the line of scalar_scanner.rb v3.0.2 that decides it]
  const rows: readonly (readonly [string, Reading, string])[] = [
    ['22\r', '22\r', "l.17-20 INTEGER's $ does not match before \\r: l.109 string"],
    ['0x1f\r', '0x1f\r', "l.17-20 INTEGER's $ does not match before \\r: l.109 string"],
    ['yes\u2028', 'yes\u2028', 'l.52 /^(yes|true|on)$/i: $ does not match before U+2028; l.58 string'],
    ['\u2029no', '\u2029no', 'l.47 /^[^ytonf~]/i: U+2029 is not a line start in Ruby, and is none of ytonf~: string'],
    ['1.5\r', '1.5\r', "l.12-14 FLOAT's $ does not match before \\r: string"],
    [':\r', { raises: 'Psych::DisallowedClass' }, "l.79 /^:./: Ruby's . takes \\r: a Symbol"],
    ['n\nno', false, 'l.40 /\\n/: a word; l.54 /^(no|false|off)$/i matches the second line'],
    ['y\nyes', true, 'l.40 /\\n/: a word; l.52 /^(yes|true|on)$/i matches the second line'],
    ['1\n2', '1\n2', 'l.40 /\\n/: a word; l.47 /^[^ytonf~]/i matches "1": string'],
    ['yeſ', true, 'l.52 /^(yes|true|on)$/i: Ruby folds ſ (U+017F) to s'],
    ['oﬀ', false, 'l.54 /^(no|false|off)$/i: Ruby folds ﬀ (U+FB00) to ff'],
    ['.ınf', '.ınf', 'l.73 /^\\.inf$/i: ı (U+0131) does not fold to i: string'],
    ['2001-12-14\r1:02:03', { raises: 'Psych::DisallowedClass' }, 'l.9 TIME: \\s takes \\r: a Time'],
  ];

  const real = readWithPsych(rows.map(([text]) => `v: !!int ${quoted(text)}\n`)).map(theirs);

  it.each(rows.map((row, index) => [row[0], row[2], row, index] as const))('%j (%s)', (text, _cite, row, index) => {
    expect(ours(tokenizePsych3(text))).toEqual(row[1]);
    expect(ours(tokenizePsych4(text))).toEqual(row[1]);
    expect(real[index]).toEqual(row[1]);
  });
});

describe('tags apply to the text as written (to_ruby.rb v3.0.2 l.59-118)', () => {
  // [YAML value, Psych 3.0.2's reading, why]; each is also read by the real Psych 4 (same code there).
  const rows: readonly (readonly [string, Reading, string])[] = [
    ['!!bool "y"', 'y', 'l.117 tokenize("y"): l.58 a string'],
    ['!!bool y', 'y', 'l.117 tokenize("y"): l.58 a string'],
    ['!!bool "yes"', true, 'l.117 tokenize("yes"): l.52 true'],
    ['!!int "22\\r"', '22\r', 'l.117 tokenize("22\\r"): a string'],
    ['!!int "0x1f"', { int: '31' }, 'l.117 tokenize: l.20 base 16'],
    ['!!int "abc"', 'abc', 'l.117 tokenize("abc"): a string'],
    ['!!null "x"', 'x', 'l.117 tokenize("x"): a string'],
    ['!!null ""', null, 'l.117 tokenize(""): l.33 nil'],
    ['!!bool "yes\\u2028"', 'yes\u2028', 'l.117 tokenize: l.52 $ does not match before U+2028'],
    ['!!str 010', '010', "l.65 'tag:yaml.org,2002:str': the text"],
    ['!ruby/string on', 'on', 'l.65 /^!(?:str|ruby\\/string)(?::(.*))?$/ without a class: the text'],
    ['! "12"', { int: '12' }, 'libyaml: the tag "!" makes it plain_implicit, not quoted; l.117 tokenize'],
    ['"12"', '12', 'l.59 quoted (no tag): the text'],
    ['!!float "1"', { num: '1' }, 'l.90 Float(tokenize("1")) = Float(1)'],
    ['!!float " 1_0.5 "', { num: '10.5' }, "l.90 tokenize: a string; Ruby's Float() takes surrounding blanks and _ between digits"],
    ['!!float "y"', { raises: 'error' }, 'l.90 Float("y"): ArgumentError'],
    ['!!float ""', { raises: 'error' }, 'l.90 Float(nil): TypeError'],
    ['!!float "yes"', { raises: 'error' }, 'l.90 Float(true): TypeError'],
    ['!!int ":x"', { raises: 'Psych::DisallowedClass' }, 'l.117 tokenize: l.79 a Symbol'],
  ];
  const real = readWithPsych(rows.map(([yaml]) => `v: ${yaml}\n`)).map(theirs);

  it.each(rows.map((row, index) => [row[0], row[2], row, index] as const))('v: %s (%s)', (yaml, _why, row, index) => {
    const reading = readAsPsych(parseForEditing(`v: ${yaml}\n`, { uniqueKeys: true, logLevel: 'error' }), new LineCounter());
    const mine: Reading =
      reading.refused.length > 0
        ? ours(reading.refused[0].psych3)
        : ((v) => (typeof v === 'number' && !Number.isInteger(v) ? { num: String(v) } : typeof v === 'number' ? (yaml.startsWith('!!float') ? { num: String(v) } : { int: String(v) }) : (v as Reading)))((reading.data as { v: unknown }).v);
    expect(mine).toEqual(row[1]);
    expect(real[index]).toEqual(row[1]);
  });
});

describe('src/util/psych.ts and readAsPsych against the real Psych on generated texts with line breaks, tabs and folded letters', () => {
  const chars = ['0', '1', '7', '9', 'a', 'e', 'E', 'f', 'x', 'b', 'y', 'n', 'o', 's', 'l', 'N', '.', ',', '_', ':', '-', '+', '~', '\r', '\n', '\u2028', '\u2029', '\u0085', '\t', ' ', 'ſ', 'ﬀ', 'T', '2', 'é'];
  const text = fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 7 }).map((parts) => parts.join(''));
  const words = ['yes', 'no', 'on', 'off', 'null', '~', '.inf', '-.inf', '.nan', '0x1f', '017', '1_000', '1:20', '2001-12-14', ':a', '1.5'];
  const framed = fc.tuple(fc.constantFrom('', '\r', '\n', '\u2028', '\u2029', ' '), fc.constantFrom(...words), fc.constantFrom('', '\r', '\n', '\u2028', '\u2029', '\t')).map(([before, word, after]) => before + word + after);

  it('tokenizes every text as Psych 4 does, and as Psych 3.0.2 where their rules agree', () => {
    const samples = [...new Set([...fc.sample(text, { numRuns: 4000, seed: 28 }), ...fc.sample(framed, { numRuns: 600, seed: 28 })])];
    const real = readWithPsych(samples.map((sample) => `v: !!int ${quoted(sample)}\n`)).map(theirs);
    let compared = 0;
    samples.forEach((sample, index) => {
      expect([sample, ours(tokenizePsych4(sample))]).toEqual([sample, real[index]]);
      if (!mayDiffer(sample)) {
        expect([sample, ours(tokenizePsych3(sample))]).toEqual([sample, real[index]]);
        compared++;
      }
    });
    expect(compared).toBeGreaterThan(3000);
    // The generator reaches the characters JavaScript treats as line ends.
    expect(samples.filter((sample) => /[\r\u2028\u2029]/.test(sample)).length).toBeGreaterThan(1000);
  });

  it("reads every tag on every text as Psych 4 does (where the two versions' scanners agree), and never throws", () => {
    const tags = ['!!float', '!!int', '!!bool', '!!null', '!!str', '!foo', '!', '!ruby/string', '!!timestamp'];
    const samples = fc.sample(fc.tuple(fc.constantFrom(...tags), fc.oneof(text, fc.constant(''))), { numRuns: 3000, seed: 28 });
    const real = readWithPsych(samples.map(([tag, sample]) => `v: ${tag} ${quoted(sample)}\n`)).map(theirs);
    samples.forEach(([tag, sample], index) => {
      if (mayDiffer(sample)) return;
      const reading = readAsPsych(parseForEditing(`v: ${tag} ${quoted(sample)}\n`, { uniqueKeys: true, logLevel: 'error' }), new LineCounter());
      const got = reading.refused.length > 0 ? { raises: ours(reading.refused[0].psych3) } : (reading.data as { v: unknown }).v;
      const want = real[index];
      if (typeof got === 'number') expect([tag, sample, { num: String(got) }]).toEqual([tag, sample, typeof want === 'object' && want && 'int' in want ? { num: String(Number(want.int)) } : want]);
      else if (got && typeof got === 'object' && 'raises' in got) expect([tag, sample, 'raises']).toEqual([tag, sample, want && typeof want === 'object' && 'raises' in want ? 'raises' : want]);
      else expect([tag, sample, got]).toEqual([tag, sample, want]);
    });
  });
});
