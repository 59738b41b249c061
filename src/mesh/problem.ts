import { Location } from './declaration';
import { RuleId } from './rule-ids';

/** One thing wrong (or worth a warning) in the mesh, located as precisely as its declaration allows. */
export interface Problem extends Location {
  readonly severity: 'error' | 'warning';
  /** Cluster name, when the problem belongs to one cluster. */
  readonly cluster?: string;
  /** Dotted path of the offending field, such as `network.weave.password`. */
  readonly field?: string;
  /** What is wrong, and the fix where one is obvious. */
  readonly message: string;
  /** The rule that found it, such as `subnet-overlap` (see RULES); `missing-subnet` is the one `allocate` fixes. */
  readonly rule?: RuleId;
}

/** A setting (a prop of a construct) with a value it cannot take, before it is located as a Problem. */
export interface SettingIssue {
  /** The setting, such as `intervalSeconds` or `gitops.revision`. */
  readonly field: string;
  /** What is wrong, worded to follow the field: `must be a whole number of seconds from 1 to 3600, not 0`. */
  readonly message: string;
}

/**
 * Formats a problem as the single line the CLI prints:
 * `file:line:column: cluster cluster-a: field: message [rule]`.
 */
export function formatProblem(problem: Problem): string {
  const where = problem.file !== undefined ? [problem.file, problem.line, problem.column].filter((part) => part !== undefined).join(':') : (problem.construct ?? '');
  const parts = where === '' ? [] : [where];
  if (problem.cluster !== undefined) parts.push(`cluster ${problem.cluster}`);
  if (problem.field !== undefined) parts.push(problem.field);
  const prefix = problem.severity === 'warning' ? 'warning: ' : 'error: ';
  // A file name can hold a newline too: the whole report stays one line.
  const rule = problem.rule !== undefined ? ` [${problem.rule}]` : '';
  return oneLine(parts.length > 0 ? `${prefix}${parts.join(': ')}: ${problem.message}${rule}` : `${prefix}${problem.message}${rule}`);
}

/** Stable order for reports: by file, then position, then text. */
export function compareProblems(a: Problem, b: Problem): number {
  return compare(a.file ?? a.construct ?? '', b.file ?? b.construct ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || compare(a.message, b.message);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Input text can contain newlines or control characters; a report line must stay one line.
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
