/**
 * Where Psych 3.0.2 (Ruby 2.5, which Pharos runs) and Psych 4.0.3 (Debian's Ruby 3.1, the stand-in the
 * tests run) read a plain scalar, row by row. The 3.0.2 column is read from ruby/psych's
 * `lib/psych/scalar_scanner.rb` at tag v3.0.2, and each row quotes the line that decides it
 * ("l.N"); test/psych-scalar.test.ts checks that column against src/util/psych.ts and the 4.0.3 column
 * against the real Psych 4 of Debian's ruby.
 *
 * scalar_scanner.rb v3.0.2, the lines the rows cite:
 *   l.12-14 FLOAT   /^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/x
 *   l.17-20 INTEGER /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$/x
 *   l.40  when /^[^\d\.:-]?[A-Za-z_\s!@#\$%\^&\*\(\)\{\}\<\>\|\/\\~;=]+/, /\n/   (a word: string, boolean or null)
 *   l.41  if string.length > 5 ... return string
 *   l.47  when /^[^ytonf~]/i ... string        l.50  when '~', /^null$/i: nil
 *   l.52  when /^(yes|true|on)$/i: true        l.54  when /^(no|false|off)$/i: false
 *   l.60  when TIME (l.9): a Time              l.66  when /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/: a Date
 *   l.73  when /^\.inf$/i   l.75  when /^-\.inf$/i   l.77  when /^\.nan$/i   l.79  when /^:./: a Symbol
 *   l.85  when /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$/   l.88  i += (n.to_i * 60 ** (e - 2).abs)
 *   l.91  the same with \.[0-9_]* at the end, l.94 n.to_f
 *   l.97  when FLOAT   l.98  string =~ /\A[-+]?\.\Z/: string   l.102 Float(string.gsub(/[,_]|\.([Ee]|$)/, '\1'))
 *   l.105 int = parse_int string.gsub(/[,_]/, '')   l.116 return unless INTEGER === string
 * Psych 4.0.3 changed: FLOAT without the inf/nan alternatives and `/^\+?\.inf$/i` for infinity;
 * INTEGER tested on the text as written, `,` and `_` only between digits in base 10
 * (`[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)`, `[-+]?0x[0-9a-fA-F_,]+`, ...), then `Integer(string.gsub(/[,_]/, ''))`;
 * `[[:alpha:]]` for `A-Za-z` in the word test; no string cache.
 */

/** A reading as test/ruby/psych-read.rb prints it; `raises` is the class of the error YAML.safe_load raises. */
export type Reading = null | boolean | string | { int: string } | { float: string } | { raises: string };

export const int = (value: string): Reading => ({ int: value });
export const float = (value: string): Reading => ({ float: value });
export const raises = (error: 'ArgumentError' | 'Psych::DisallowedClass'): Reading => ({ raises: error });

export interface Row {
  /** The plain scalar, as written after `v: `. */
  readonly text: string;
  /** What Psych 3.0.2 reads. */
  readonly v3: Reading;
  /** The line of scalar_scanner.rb v3.0.2 that decides it, quoted. */
  readonly cite: string;
  /** What Psych 4.0.3 reads. */
  readonly v4: Reading;
  /** Why 4.0.3 reads it differently, where it does. */
  readonly why4?: string;
}

const same = (text: string, v3: Reading, cite: string): Row => ({ text, v3, cite, v4: v3 });
const str = (text: string, cite: string): Row => same(text, text, cite);

const INT4 = '4.0.3 INTEGER [-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*) on the text as written: a string';

export const TABLE: readonly Row[] = [
  // Words: booleans, nulls, strings.
  same('TRue', true, 'l.52 /^(yes|true|on)$/i'),
  same('On', true, 'l.52 /^(yes|true|on)$/i'),
  same('oFF', false, 'l.54 /^(no|false|off)$/i'),
  str('y', 'l.47 /^[^ytonf~]/i fails, no boolean matches: l.58 string'),
  str('n', 'l.47 /^[^ytonf~]/i fails, no boolean matches: l.58 string'),
  same('Null', null, "l.50 when '~', /^null$/i"),
  same('~', null, "l.50 when '~', /^null$/i"),
  str('yes_', 'l.52 /^(yes|true|on)$/i fails: string'),
  str('offset', 'l.41 string.length > 5: string'),
  str('_1', 'l.40 a word (_ is in its class): string'),
  str('+_1', 'l.40 a word ([^\\d\\.:-]? takes +, then _): string'),
  // Integers.
  str('09', 'l.18 [-+]?0[0-7_]+ fails on 9, no INTEGER: l.109 string'),
  same('010', int('8'), 'l.18 [-+]?0[0-7_]+ (base 8)'),
  same('022', int('18'), 'l.18 [-+]?0[0-7_]+ (base 8)'),
  same('0x1f', int('31'), 'l.20 [-+]?0x[0-9a-fA-F_]+'),
  same('0b1_0', int('2'), "l.105 gsub(/[,_]/, ''), l.17 [-+]?0b[0-1_]+"),
  same('1_000', int('1000'), "l.105 gsub(/[,_]/, ''), l.19 [1-9][0-9_]*"),
  same('1,000', int('1000'), "l.105 gsub(/[,_]/, ''), l.19 [1-9][0-9_]*"),
  same('0_', int('0'), "l.105 gsub(/[,_]/, '') leaves 0, l.19"),
  same('0x,1', int('1'), "l.105 gsub(/[,_]/, '') leaves 0x1, l.20"),
  str('0_8', "l.105 gsub(/[,_]/, '') leaves 08: no INTEGER alternative"),
  same('9007199254740993', int('9007199254740993'), 'l.19 and Integer(): exact beyond 2^53'),
  str('0o17', 'l.17-20 have no 0o alternative: string'),
  { text: '1_', v3: int('1'), cite: "l.105 gsub(/[,_]/, '') leaves 1, l.19", v4: '1_', why4: INT4 },
  { text: '1,', v3: int('1'), cite: "l.105 gsub(/[,_]/, '') leaves 1, l.19", v4: '1,', why4: INT4 },
  { text: '1,,0', v3: int('10'), cite: "l.105 gsub(/[,_]/, '') leaves 10, l.19", v4: '1,,0', why4: INT4 },
  { text: '1__0', v3: int('10'), cite: "l.105 gsub(/[,_]/, '') leaves 10, l.19", v4: '1__0', why4: INT4 },
  { text: '1,_0', v3: int('10'), cite: "l.105 gsub(/[,_]/, '') leaves 10, l.19", v4: '1,_0', why4: INT4 },
  { text: '-_1', v3: int('-1'), cite: "l.105 gsub(/[,_]/, '') leaves -1, l.19", v4: '-_1', why4: INT4 },
  { text: '0x_', v3: '0x_', cite: "l.105 gsub(/[,_]/, '') leaves 0x, l.20 needs a digit: string", v4: raises('ArgumentError'), why4: '4.0.3 INTEGER [-+]?0x[0-9a-fA-F_,]+ matches, Integer("0x") raises' },
  { text: '0b_', v3: '0b_', cite: "l.105 gsub(/[,_]/, '') leaves 0b, l.17 needs a digit: string", v4: raises('ArgumentError'), why4: '4.0.3 INTEGER [-+]?0b[0-1_,]+ matches, Integer("0b") raises' },
  // Floats.
  str('1e3', 'l.12 FLOAT needs a . : string'),
  str('1.5e3', 'l.12 FLOAT needs a signed exponent ([eE][-+][0-9]+): string'),
  same('1.5e+3', float('1500.0'), 'l.12 FLOAT, l.102 Float()'),
  same('1.', float('1.0'), "l.102 gsub(/[,_]|\\.([Ee]|$)/, '\\1') drops the trailing ."),
  same('.5', float('0.5'), 'l.12 FLOAT'),
  same('1_0.5', float('10.5'), 'l.102 gsub(/[,_]...) drops _'),
  same('1,0.5', float('10.5'), 'l.102 gsub(/[,_]...) drops ,'),
  same('.e+3', raises('ArgumentError'), 'l.12 FLOAT matches, l.102 Float("e+3") raises'),
  str('+.', 'l.98 /\\A[-+]?\\.\\Z/: string'),
  str('.', 'l.98 /\\A[-+]?\\.\\Z/: string'),
  // Special floats.
  same('.Inf', float('Infinity'), 'l.73 /^\\.inf$/i'),
  same('-.INF', float('-Infinity'), 'l.75 /^-\\.inf$/i'),
  same('.NaN', float('NaN'), 'l.77 /^\\.nan$/i'),
  str('-.nan', 'l.77 and l.14 take no sign: string'),
  ...['+.inf', '+.Inf', '+.INF'].map((text): Row => ({ text, v3: raises('ArgumentError'), cite: `l.13 [-+]?\\.(inf|Inf|INF) matches, l.102 Float("${text}") raises`, v4: float('Infinity'), why4: '4.0.3 /^\\+?\\.inf$/i' })),
  { text: '+.iNf', v3: '+.iNf', cite: 'l.73 takes no +, l.13 only inf|Inf|INF: string', v4: float('Infinity'), why4: '4.0.3 /^\\+?\\.inf$/i' },
  // Sexagesimal.
  same('1:20', int('4800'), 'l.85, l.88 n.to_i * 60 ** (e - 2).abs'),
  same('1:20:30', int('4830'), 'l.85, l.88 n.to_i * 60 ** (e - 2).abs'),
  same('-1:30', int('-1800'), 'l.88: only the first part is negative, times 60**2'),
  same('1:20.5', float('4830.0'), 'l.91, l.94 n.to_f * 60 ** (e - 2).abs'),
  str('1:60', 'l.85 (:[0-5]?[0-9]) fails: string'),
  str('00:50:56:12:34:56', 'l.85 {1,2} parts after the first: string'),
  // Symbols, dates, times: YAML.safe_load with no permitted classes raises.
  same(':10254', raises('Psych::DisallowedClass'), 'l.79 /^:./ a Symbol'),
  same(':foo', raises('Psych::DisallowedClass'), 'l.79 /^:./ a Symbol'),
  same('2001-12-14', raises('Psych::DisallowedClass'), 'l.66 a Date'),
  same('2001-12-14t21:59:43.10-05:00', raises('Psych::DisallowedClass'), 'l.60 TIME (l.9) a Time'),
  str('2001-13-14', 'l.66 month 13 does not match: string'),
  // Strings weave-mesh reads.
  str('10.32.0.0/12', 'l.12 FLOAT and l.17-20 INTEGER fail: string'),
  str('192.0.2.10', 'l.12 FLOAT and l.17-20 INTEGER fail: string'),
  // Non-ASCII letters: the word test differs (A-Za-z in 3.0.2, [[:alpha:]] in 4.0.3), the reading does not.
  str('é', 'l.40 A-Za-z: not a word; no later rule matches: string'),
  str('+é', 'l.40 A-Za-z: not a word; no later rule matches: string'),
  str('éa', 'l.40 a word ([^\\d\\.:-]? takes é): string'),
];
