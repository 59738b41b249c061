/**
 * How Ruby's Psych reads a plain (unquoted, untagged) scalar: `Psych::ScalarScanner#tokenize`.
 *
 * Pharos (kontena/pharos-cluster, Ruby `~> 2.5`) reads cluster.yml with `YAML.safe_load` of
 * **Psych 3.0.x**; this is `lib/psych/scalar_scanner.rb` of ruby/psych at tag **v3.0.2**
 * (commit dd8bb41f60c64b4128ca0a2c91a38ae86adccc0e), rule for rule and in its order. Psych 4.0.3
 * (Ruby 3.1, Debian's ruby) changed INTEGER, FLOAT, `+.inf` and the letters of its string test;
 * {@link tokenizePsych4} is that version, so a field we interpret can be refused when the two
 * versions read it differently. Ruby's `^` and `$` match at every line (JavaScript's `m` flag).
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

// Psych 3.0.2 scalar_scanner.rb, lines 9-20.
/** TIME: `/^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/` */
export const TIME = /^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t\r\n\f\v]+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:[ \t\r\n\f\v]*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/m;
/** FLOAT (3.0.2): base 10 with a `.`, an exponent only with a sign; `[-+]?.inf` and `.nan` alternatives. */
export const FLOAT_3 = /^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/m;
/** INTEGER (3.0.2), tested after every `,` and `_` is removed. */
export const INTEGER_3 = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$/m;
/** FLOAT (4.0.3): base 10 only. */
export const FLOAT_4 = /^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$/m;
/** INTEGER (4.0.3), tested on the text as written: `,` and `_` only between digits in base 10. */
export const INTEGER_4 = /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/m;

/** Line 40: text that starts like a word (not a digit, `.`, `:` or `-`) is a string, a boolean or null. */
const WORDISH_3 = /^[^\d.:-]?[A-Za-z_ \t\r\n\f\v!@#$%^&*(){}<>|/\\~;=]+/m;
const WORDISH_4 = /^[^\d.:-]?[\p{Alphabetic}_ \t\r\n\f\v!@#$%^&*(){}<>|/\\~;=]+/mu;
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/m;
const SEXAGESIMAL_INT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$/m;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$/m;

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
  if ((version === 3 ? WORDISH_3 : WORDISH_4).test(text) || text.includes('\n')) {
    if ([...text].length > 5) return str(text);
    if (/^[^ytonf~]/im.test(text)) return str(text);
    if (text === '~' || /^null$/im.test(text)) return NULL;
    if (/^(yes|true|on)$/im.test(text)) return { type: 'bool', value: true };
    if (/^(no|false|off)$/im.test(text)) return { type: 'bool', value: false };
    return str(text);
  }
  // A Time or a Date: safe_load with no permitted classes raises Psych::DisallowedClass.
  if (TIME.test(text)) return { type: 'refused', what: 'a Time (a timestamp), which YAML.safe_load refuses' };
  if (DATE.test(text)) return { type: 'refused', what: 'a Date, which YAML.safe_load refuses' };
  if (/^\.inf$/im.test(text) || (version === 4 && /^\+\.inf$/im.test(text))) return { type: 'float', value: Infinity };
  if (/^-\.inf$/im.test(text)) return { type: 'float', value: -Infinity };
  if (/^\.nan$/im.test(text)) return { type: 'float', value: NaN };
  if (/^:./m.test(text)) return { type: 'refused', what: 'a Symbol, which YAML.safe_load refuses' };
  if (SEXAGESIMAL_INT.test(text)) {
    const parts = text.split(':');
    return { type: 'int', value: parts.reduce((sum, part, index) => sum + rubyToI(part) * 60n ** BigInt(Math.abs(index - 2)), 0n) };
  }
  if (SEXAGESIMAL_FLOAT.test(text)) {
    const parts = text.split(':');
    return { type: 'float', value: parts.reduce((sum, part, index) => sum + rubyToF(part) * 60 ** Math.abs(index - 2), 0) };
  }
  if ((version === 3 ? FLOAT_3 : FLOAT_4).test(text)) {
    if (/^[-+]?\.$/.test(text)) return str(text);
    return rubyFloat(text.replace(/[,_]|\.([Ee]|$)/gm, '$1'));
  }
  if (version === 3) {
    const cleaned = text.replace(/[,_]/g, '');
    return INTEGER_3.test(cleaned) ? rubyInteger(cleaned) : str(text);
  }
  return INTEGER_4.test(text) ? rubyInteger(text.replace(/[,_]/g, '')) : str(text);
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
  const match = /^([-+]?)(0b|0x|0(?=.)|)(.*)$/.exec(text)!;
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
