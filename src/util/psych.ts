/**
 * How Ruby's Psych reads a plain (unquoted, untagged) scalar: `Psych::ScalarScanner#tokenize`.
 *
 * Pharos (kontena/pharos-cluster, Ruby `~> 2.5`) reads cluster.yml with `YAML.safe_load` of
 * **Psych 3.0.x**; this is `lib/psych/scalar_scanner.rb` of ruby/psych at tag **v3.0.2**
 * (commit dd8bb41f60c64b4128ca0a2c91a38ae86adccc0e), rule for rule and in its order. Psych 4.0.3
 * (Ruby 3.1, Debian's ruby) changed INTEGER, FLOAT, `+.inf` and the letters of its string test;
 * {@link tokenizePsych4} is that version, so a field we interpret can be refused when the two
 * versions read it differently. The regexes are Ruby's, through {@link rubyRegExp}: Ruby's `^`, `$`
 * and `.` break lines only at `\n`, JavaScript's also at `\r`, U+2028 and U+2029.
 *
 * The regular expressions below are Psych's own, translated to JavaScript (Psych: MIT licence,
 * Copyright (c) 2009 Aaron Patterson, Eric Hodel, et al.); the code around them is ours.
 */

/** What Psych makes of a plain scalar. Integers are exact (bigint); `refused` is what `safe_load` raises on. */
export type PsychScalar =
  | { readonly type: 'null' }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'str'; readonly value: string }
  | { readonly type: 'refused'; readonly what: string };

/**
 * A Ruby (Onigmo) regular expression as a JavaScript one with the same meaning on any text. Ruby's `^`
 * and `$` always work per line and break lines only at `\n`; its `.` excludes only `\n`; `\s` is
 * `[ \t\n\v\f\r]` and `\d` is `[0-9]`. JavaScript's `^`/`$` (with the `m` flag) and `.` also treat
 * `\r`, U+2028 and U+2029 as line ends, so they are spelled out: `^` is `(?<![^\n])` (the start or
 * after a `\n`), `$` is `(?![^\n])`, `.` is `[^\n]`, `\A` is the start, `\z` the end and `\Z` the end
 * or before a final `\n`. The `u` flag makes a class match a whole code point, as Ruby's do.
 * Ruby's `/i` folds case with Unicode's full case folding: of the letters Psych's words use, only
 * U+017F (ſ, folds to `s`) and U+FB00 (ﬀ, folds to `ff`) fold to ASCII ones (every code point checked
 * with Ruby 3.1); {@link rubyFold} maps those two before a case-insensitive test.
 */
export function rubyRegExp(source: string, flags: '' | 'i' = ''): RegExp {
  let out = '';
  let inClass = false;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') {
      const next = source[++index];
      if (next === 's') out += inClass ? ' \\t\\n\\v\\f\\r' : '[ \\t\\n\\v\\f\\r]';
      else if (next === 'd') out += inClass ? '0-9' : '[0-9]';
      else if (next === 'A') out += '(?<![\\s\\S])';
      else if (next === 'z') out += '(?![\\s\\S])';
      else if (next === 'Z') out += '(?=\\n?(?![\\s\\S]))';
      // Escaped punctuation: the u flag accepts only syntax characters escaped, so keep those escaped.
      else out += /[\^$\\.*+?()[\]{}|/]/.test(next) || (inClass && next === '-') || /[A-Za-z0-9]/.test(next) ? `\\${next}` : next;
    } else if (inClass) {
      if (char === ']') inClass = false;
      out += char;
    } else if (char === '[') {
      inClass = true;
      out += char;
      if (source[index + 1] === '^') out += source[++index];
      // A `]` first in a class is a literal in Ruby.
      if (source[index + 1] === ']') out += `\\${source[++index]}`;
    } else if (char === '^') out += '(?<![^\\n])';
    else if (char === '$') out += '(?![^\\n])';
    else if (char === '.') out += '[^\\n]';
    else out += char;
  }
  return new RegExp(out, `u${flags}`);
}

/** The text as Ruby's `/i` compares it, for the letters Psych's case-insensitive patterns hold (see rubyRegExp). */
export function rubyFold(text: string): string {
  return text.replace(/\u017f/g, 's').replace(/\ufb00/g, 'ff');
}

/** `string =~ regexp` of Ruby, `/i` included. */
function matches(regexp: RegExp, text: string): boolean {
  return regexp.test(regexp.ignoreCase ? rubyFold(text) : text);
}

// Psych 3.0.2 scalar_scanner.rb, lines 9-20, as written there.
/** TIME (l.9) */
export const TIME = rubyRegExp(String.raw`^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$`);
/** FLOAT (3.0.2, l.12-14): base 10 with a `.`, an exponent only with a sign; `[-+]?.inf` and `.nan` alternatives. */
export const FLOAT_3 = rubyRegExp(String.raw`^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`);
/** INTEGER (3.0.2, l.17-20), tested after every `,` and `_` is removed. */
export const INTEGER_3 = rubyRegExp(String.raw`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$`);
/** FLOAT (4.0.3): base 10 only. */
export const FLOAT_4 = rubyRegExp(String.raw`^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$`);
/** INTEGER (4.0.3), tested on the text as written: `,` and `_` only between digits in base 10. */
export const INTEGER_4 = rubyRegExp(String.raw`^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$`);

/** Line 40: text that starts like a word (not a digit, `.`, `:` or `-`) is a string, a boolean or null. */
const WORDISH_3 = rubyRegExp(String.raw`^[^\d\.:-]?[A-Za-z_\s!@#\$%\^&\*\(\)\{\}\<\>\|\/\\~;=]+`);
/** 4.0.3: `[[:alpha:]]` (Unicode letters) for `A-Za-z`. */
const WORDISH_4 = new RegExp(rubyRegExp(String.raw`^[^\d.:-]?[_\s!@#$%\^&*(){}<>|/\\~;=]+`).source.replace('[_', '[\\p{Alphabetic}_'), 'u');
const NEWLINE = /\n/;
const NOT_YTONF = rubyRegExp('^[^ytonf~]', 'i');
const NULL_WORD = rubyRegExp('^null$', 'i');
const TRUE_WORD = rubyRegExp('^(yes|true|on)$', 'i');
const FALSE_WORD = rubyRegExp('^(no|false|off)$', 'i');
const DATE = rubyRegExp(String.raw`^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$`);
const INF = rubyRegExp(String.raw`^\.inf$`, 'i');
const PLUS_INF_4 = rubyRegExp(String.raw`^\+?\.inf$`, 'i');
const MINUS_INF = rubyRegExp(String.raw`^-\.inf$`, 'i');
const NAN = rubyRegExp(String.raw`^\.nan$`, 'i');
const SYMBOL = rubyRegExp('^:.');
const SEXAGESIMAL_INT = rubyRegExp('^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$');
const SEXAGESIMAL_FLOAT = rubyRegExp(String.raw`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$`);
const DOT_ONLY = rubyRegExp(String.raw`\A[-+]?\.\Z`);
const FLOAT_CLEAN = new RegExp(rubyRegExp(String.raw`[,_]|\.([Ee]|$)`).source, 'gu');

const NULL: PsychScalar = { type: 'null' };
const str = (value: string): PsychScalar => ({ type: 'str', value });

/** Psych 3.0.2's `ScalarScanner#tokenize` (lines 32-111) of a plain scalar's text. */
export function tokenizePsych3(text: string): PsychScalar {
  return tokenize(text, 3);
}

/** Psych 4.0.3's `ScalarScanner#tokenize`: the stand-in Debian's ruby runs, for comparison. */
export function tokenizePsych4(text: string): PsychScalar {
  return tokenize(text, 4);
}

function tokenize(text: string, version: 3 | 4): PsychScalar {
  if (text === '') return NULL;
  if (matches(version === 3 ? WORDISH_3 : WORDISH_4, text) || NEWLINE.test(text)) {
    if ([...text].length > 5) return str(text);
    if (matches(NOT_YTONF, text)) return str(text);
    if (text === '~' || matches(NULL_WORD, text)) return NULL;
    if (matches(TRUE_WORD, text)) return { type: 'bool', value: true };
    if (matches(FALSE_WORD, text)) return { type: 'bool', value: false };
    return str(text);
  }
  // From here on the text holds no line feed (l.40 took those), so Ruby's ^ and $ are its start and end.
  // A Time or a Date: safe_load with no permitted classes raises Psych::DisallowedClass.
  if (matches(TIME, text)) return { type: 'refused', what: 'a Time (a timestamp), which YAML.safe_load refuses' };
  if (matches(DATE, text)) return { type: 'refused', what: 'a Date, which YAML.safe_load refuses' };
  if (matches(version === 3 ? INF : PLUS_INF_4, text)) return { type: 'float', value: Infinity };
  if (matches(MINUS_INF, text)) return { type: 'float', value: -Infinity };
  if (matches(NAN, text)) return { type: 'float', value: NaN };
  if (matches(SYMBOL, text)) return { type: 'refused', what: 'a Symbol, which YAML.safe_load refuses' };
  if (matches(SEXAGESIMAL_INT, text)) {
    const parts = text.split(':');
    return { type: 'int', value: parts.reduce((sum, part, index) => sum + rubyToI(part) * 60n ** BigInt(Math.abs(index - 2)), 0n) };
  }
  if (matches(SEXAGESIMAL_FLOAT, text)) {
    const parts = text.split(':');
    return { type: 'float', value: parts.reduce((sum, part, index) => sum + rubyToF(part) * 60 ** Math.abs(index - 2), 0) };
  }
  if (matches(version === 3 ? FLOAT_3 : FLOAT_4, text)) {
    if (matches(DOT_ONLY, text)) return str(text);
    return rubyFloat(text.replace(FLOAT_CLEAN, '$1'));
  }
  if (version === 3) {
    const cleaned = text.replace(/[,_]/g, '');
    return matches(INTEGER_3, cleaned) ? rubyInteger(cleaned) : str(text);
  }
  return matches(INTEGER_4, text) ? rubyInteger(text.replace(/[,_]/g, '')) : str(text);
}

/** Ruby's `Kernel#Float(text)`: strict; raises ArgumentError (so Psych raises) on anything else. */
function rubyFloat(text: string): PsychScalar {
  if (!/^[-+]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(text)) {
    return { type: 'refused', what: `an error: Ruby's Float() cannot read ${JSON.stringify(text)}, so Psych raises` };
  }
  return { type: 'float', value: Number(text) };
}

/** Ruby's `Kernel#Integer(text)` of a text INTEGER matched (after `,` and `_` are gone): 0b, 0x, leading-0 octal, decimal. */
function rubyInteger(text: string): PsychScalar {
  const match = /^([-+]?)(0b|0x|0(?=[\s\S])|)([\s\S]*)$/.exec(text);
  if (!match) return { type: 'refused', what: `an error: Ruby's Integer() cannot read ${JSON.stringify(text)}, so Psych raises` };
  const [, sign, base, digits] = match;
  if (digits === '') return { type: 'refused', what: `an error: Ruby's Integer() cannot read ${JSON.stringify(text)}, so Psych raises` };
  const prefix = base === '0b' ? '0b' : base === '0x' ? '0x' : base === '0' ? '0o' : '';
  const value = BigInt(`${prefix}${digits}`);
  return { type: 'int', value: sign === '-' ? -value : value };
}

/** Ruby's `String#to_i`: the leading integer, underscores between digits allowed; 0 when there is none. */
function rubyToI(text: string): bigint {
  const match = /^[ \t\r\n\f\v]*([-+]?)([0-9]+(?:_[0-9]+)*)/.exec(text);
  if (!match) return 0n;
  const value = BigInt(match[2].replace(/_/g, ''));
  return match[1] === '-' ? -value : value;
}

/** Ruby's `String#to_f`: the leading decimal number, underscores between digits allowed. */
function rubyToF(text: string): number {
  const match = /^[ \t\r\n\f\v]*[-+]?[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?/.exec(text);
  return match ? Number(match[0].replace(/_/g, '')) : 0;
}

/** The same reading: equal values of the same type (NaN equals NaN, as the text `.nan` is one thing). */
export function sameReading(a: PsychScalar, b: PsychScalar): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'null') return true;
  if (a.type === 'refused') return b.type === 'refused';
  const other = (b as { value: unknown }).value;
  return Object.is(a.value, other) || a.value === other;
}

/** A reading as a reader of messages sees it: `true`, `8`, `null`, `the string "09"`. */
export function describeReading(reading: PsychScalar): string {
  switch (reading.type) {
    case 'null':
      return 'null (an empty value)';
    case 'bool':
    case 'int':
      return String(reading.value);
    case 'float':
      return `the number ${Number.isNaN(reading.value) ? 'NaN' : reading.value === Infinity ? 'Infinity' : reading.value === -Infinity ? '-Infinity' : String(reading.value)}`;
    case 'str':
      return `the string ${JSON.stringify(reading.value)}`;
    case 'refused':
      return reading.what;
  }
}
