import { CST, Lexer, Parser } from 'yaml';

/**
 * What libyaml, the parser under Pharos's Psych, refuses in a text that the yaml package reads: the
 * rules of every libyaml Pharos 3.2 can run on. Psych 3.0.2 links the system libyaml when there is one
 * and its bundled 0.1.7 otherwise; Pharos ran on Ruby 2.5 images of Debian stretch (0.1.7) and buster
 * (0.2.1), and Debian bookworm (the tests) has 0.2.5. So a text must be read the same by 0.1.7 to 0.2.5.
 *
 * Each rule cites yaml/libyaml's source at a tag (scanner.c, parser.c, reader.c) or its `Changes`
 * file, and was checked locally against ruby/psych v3.0.2 built with libyaml 0.1.7, 0.2.1, 0.2.2 and
 * 0.2.5 (test/libyaml-versions.ts holds those readings as a table).
 *
 * A rule can refuse a little more than libyaml does (a tab in the leading blanks of a line that libyaml
 * happens to accept inside a plain scalar's continuation); never less.
 */
export interface LibyamlRefusal {
  /** Where, as an offset into the text. */
  readonly offset: number;
  /** What is wrong and how to write it instead, naming the libyaml versions that refuse it. */
  readonly message: string;
}

/**
 * Characters libyaml reads: reader.c `yaml_parser_update_buffer` (0.1.7 l.405-417, the same list in
 * 0.2.5): #x9 | #xA | #xD | [#x20-#x7E] | #x85 | [#xA0-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF];
 * any other is "control characters are not allowed", wherever it is (a comment included).
 */
const CONTROL = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** scanner.c `yaml_parser_scan_anchor` (0.1.7 l.2322-2363; 0.2.5 the same): an anchor or alias name is `IS_ALPHA`: [0-9A-Za-z_-]. */
const ANCHOR_NAME = /^[0-9A-Za-z_-]+$/;

/**
 * Escapes every libyaml reads in a double-quoted scalar: scanner.c `yaml_parser_scan_flow_scalar`
 * (0.1.7 l.3118-3209). 0.2.1 added `\/` (commit 6db69c7, "spec-1.2 rule [53]"), so 0.1.7 refuses it;
 * 0.1.7 took `\'`, which 0.2.1 refuses (commit 6cc8b63, "Forbid escaped singlequote in doublequotes").
 * An escaped line break continues the line in every version.
 */
const ESCAPES = new Set(['0', 'a', 'b', 't', '\t', 'n', 'v', 'f', 'r', 'e', ' ', '"', '\\', 'N', '_', 'L', 'P', 'x', 'u', 'U', '\n', '\r']);

const MARKERS = new Set(['\x02', '\x18', '\x1f']);

/** Every place of `text` that some libyaml from 0.1.7 to 0.2.5 refuses, in text order. */
export function libyamlRefusals(text: string): LibyamlRefusal[] {
  const found: LibyamlRefusal[] = [];
  const refuse = (offset: number, message: string) => found.push({ offset, message });

  for (const match of text.matchAll(CONTROL)) {
    const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    refuse(match.index!, `holds the control character U+${code}, which libyaml (every version Pharos runs on) refuses wherever it is, even in a comment (reader.c: "control characters are not allowed"); remove it`);
  }

  // The token rules concern tabs, directives, anchors, aliases, tags, escapes and flow collections:
  // a text with none of those characters needs no lexing (most cluster files are plain block YAML).
  if (/[\t&*!\\[{]|^%/m.test(text)) tokenRules(text, refuse);
  // A key-less entry has a ':' after a blank, a line start or a flow indicator.
  if (/(?:^|[ \t\r\n[{,]):/.test(text)) emptyKeys(text, refuse);
  return found.sort((a, b) => a.offset - b.offset);
}

function tokenRules(text: string, refuse: (offset: number, message: string) => void): void {
  let offset = 0;
  let flowDepth = 0;
  // True from a line's start while the line holds only blanks and the block indicators `-`, `?`, `:`.
  let leading = true;
  let nextIsScalar = false;
  let afterBlockHeader = false;
  let previous: { type: string; source: string; offset: number } | undefined;
  // The last token before the latest line break that was not blank.
  let previousLine: { type: string; source: string; offset: number } | undefined;
  for (const source of new Lexer().lex(text)) {
    if (MARKERS.has(source)) {
      if (source === '\x1f') nextIsScalar = true;
      continue;
    }
    const start = offset;
    offset += source.length;
    const type = nextIsScalar ? (afterBlockHeader ? 'block-scalar-body' : source.startsWith('"') || source.startsWith("'") ? (CST.tokenType(source) ?? 'scalar') : 'plain') : (CST.tokenType(source) ?? 'unknown');
    nextIsScalar = false;
    if (type === 'block-scalar-header') afterBlockHeader = true;
    else if (type !== 'newline' && type !== 'space' && type !== 'comment') afterBlockHeader = false;

    switch (type) {
      case 'block-scalar-body':
        blockScalarTabs(source, start, refuse);
        leading = false;
        break;
      case 'space':
        // Inside [ ] or { }, a tab starting the line after a plain scalar is in that scalar's
        // continuation, where libyaml refuses a tab left of the indentation (scanner.c 0.1.7 l.3507-3512).
        if (flowDepth > 0 && previousLine?.type === 'plain' && (start === 0 || text[start - 1] === '\n') && source.includes('\t')) {
          refuse(start + source.indexOf('\t'), 'holds a tab at the start of a line that continues a plain scalar inside [ ] or { }, which every libyaml refuses ("found a tab character that violates indentation"); indent with spaces');
        }
        if (flowDepth === 0 && leading && source.includes('\t')) {
          refuse(
            start + source.indexOf('\t'),
            "holds a tab where libyaml expects indentation (at the start of a line, on a blank or comment line, or after '- ', '? ' or ': '), which every libyaml refuses (scanner.c yaml_parser_scan_to_next_token, 0.1.7 l.1934-1951: tabs are allowed only where no simple key may start); indent with spaces",
          );
        }
        break;
      case 'newline':
        leading = true;
        if (previous && previous.type !== 'newline') previousLine = previous;
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        if (type === 'map-value-ind' && flowDepth > 0 && previous?.type === 'plain' && previous.offset + previous.source.length === start && /^[,?[\]{}]/.test(text.slice(offset))) {
          refuse(start, `has a plain scalar ${JSON.stringify(previous.source)} followed by ':' and ${JSON.stringify(text[offset])} inside [ ] or { }, which every libyaml refuses ("found unexpected ':'"); put a space after the ':' or quote the text`);
        }
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        flowDepth++;
        leading = false;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flowDepth = Math.max(0, flowDepth - 1);
        leading = false;
        break;
      case 'directive-line': {
        const version = /^%YAML[ \t]+(\d+)\.(\d+)/.exec(source);
        if (version && !(version[1] === '1' && version[2] === '1')) {
          const message =
            version[1] === '1' && version[2] === '2'
              ? 'is read by libyaml 0.2.3 and later only: libyaml 0.1.7 to 0.2.2 refuse it as "found incompatible YAML document" (parser.c yaml_parser_parse_document_start; %YAML 1.2 was accepted by yaml/libyaml#172, Changes 0.2.3). Psych reads YAML 1.1 either way'
              : 'is refused by every libyaml ("found incompatible YAML document", parser.c yaml_parser_parse_document_start)';
          refuse(start, `has the directive ${JSON.stringify(source.trim())}, which ${message}; remove the line or write %YAML 1.1`);
        }
        leading = false;
        break;
      }
      case 'anchor':
      case 'alias':
        if (!ANCHOR_NAME.test(source.slice(1))) {
          refuse(start, `has the ${type} name ${JSON.stringify(source.slice(1))}, which every libyaml refuses (scanner.c yaml_parser_scan_anchor: only letters, digits, '_' and '-'); rename it`);
        }
        leading = false;
        break;
      case 'tag':
        if (text[offset] !== undefined && !/[ \t\r\n]/.test(text[offset])) {
          refuse(
            start,
            `has the tag ${JSON.stringify(source)} followed by ${JSON.stringify(text[offset])} without a blank: libyaml 0.2.5 refuses a tag not followed by a blank, and earlier versions end it elsewhere inside [ ] or { } (yaml/libyaml#179, Changes 0.2.5); put a space after the tag`,
          );
        }
        leading = false;
        break;
      case 'plain':
        if (flowDepth > 0) {
          const colon = /:(?=[^ \t\r\n])/.exec(source);
          if (colon) {
            refuse(
              start + colon.index,
              `has the plain scalar ${JSON.stringify(source)} inside [ ] or { } with a ':' not followed by a blank, which libyaml 0.1.7 to 0.2.1 refuse ("found unexpected ':'"; accepted from 0.2.2, yaml/libyaml#104); quote it: ${JSON.stringify(source)}`,
            );
          }
          const question = source.indexOf('?', 1);
          if (question > 0) {
            refuse(
              start + question,
              `has the plain scalar ${JSON.stringify(source)} inside [ ] or { } with a '?' in it, which libyaml 0.1.7 to 0.2.4 refuse (they end the scalar there: "did not find expected ',' or ']'"; accepted from 0.2.5, yaml/libyaml#105); quote it: ${JSON.stringify(source)}`,
            );
          }
        }
        leading = false;
        break;
      case 'double-quoted-scalar':
        for (let index = 1; index < source.length - 1; index++) {
          if (source[index] !== '\\') continue;
          const escaped = source[++index];
          if (ESCAPES.has(escaped)) continue;
          const fix = escaped === '/' ? "write '/' without the backslash" : escaped === "'" ? "write ' without the backslash" : 'remove the backslash or use a valid escape';
          const who = escaped === '/' ? 'libyaml 0.1.7 refuses (accepted from 0.2.1)' : escaped === "'" ? 'libyaml 0.2.1 and later refuse (0.1.7 accepted it)' : 'every libyaml refuses';
          refuse(start + index - 1, `has the escape ${JSON.stringify(`\\${escaped}`)} in a double-quoted string, which ${who} ("found unknown escape character"); ${fix}`);
        }
        leading = false;
        break;
      case 'comment':
        break;
      default:
        leading = false;
    }
    if (type !== 'space') previous = { type, source, offset: start };
  }
}

function emptyKeys(text: string, refuse: (offset: number, message: string) => void): void {
  // An entry without a key (`: value`, `[: x]`): parser.c "did not find expected key" (block) or
  // "did not find expected node content" (flow) in every version. `? ` with an empty key, or an
  // empty key with an anchor or a tag (`!!null : x`), is a null key and read.
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      if (item.key || !item.sep?.some((part) => part.type === 'map-value-ind')) return;
      if (item.start.some((part) => part.type === 'explicit-key-ind' || part.type === 'anchor' || part.type === 'tag')) return;
      const indicator = item.sep.find((part) => part.type === 'map-value-ind')!;
      refuse(indicator.offset, "has ':' with no key before it, which every libyaml refuses (parser.c 0.1.7 l.884: \"did not find expected key\"); write the key, or quote a text that starts with ':'");
    });
  }
}

/**
 * Tabs in a block scalar's indentation: scanner.c `yaml_parser_scan_block_scalar_breaks` (0.1.7
 * l.2975-2990): while the indentation is not known yet (up to the first line with text) a tab after the
 * leading spaces is refused, and after that a tab left of the indentation; a tab past it is text.
 */
function blockScalarTabs(body: string, start: number, refuse: (offset: number, message: string) => void): void {
  let indent: number | undefined;
  let lineStart = 0;
  for (const line of body.split('\n')) {
    const spaces = /^ */.exec(line)![0].length;
    if (line[spaces] === '\t' && (indent === undefined || spaces < indent)) {
      refuse(start + lineStart + spaces, 'holds a tab in a block scalar\'s indentation (| or >), which every libyaml refuses ("found a tab character where an indentation space is expected"); indent with spaces');
    }
    if (indent === undefined && /[^ \t\r]/.test(line)) indent = spaces;
    lineStart += line.length + 1;
  }
}
