/** One thing wrong (or worth a warning) in the inventory, located as precisely as the input allows. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** Path of the cluster file as the user named it (relative to the working directory when possible). */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Cluster name, when the problem belongs to one cluster. */
  readonly cluster?: string;
  /** Dotted path of the offending field, such as `network.weave.password`. */
  readonly field?: string;
  /** What is wrong, and the fix where one is obvious. */
  readonly message: string;
  /** Names the rule for problems that a command can fix, such as `missing-subnet` for `allocate`. */
  readonly rule?: 'missing-subnet';
}

/** Formats a problem as the single line the CLI prints: `file:line:column: cluster cluster-a: field: message`. */
export function formatProblem(problem: Problem): string {
  const where = [problem.file, problem.line, problem.column].filter((part) => part !== undefined).join(':');
  const parts = [where];
  if (problem.cluster !== undefined) parts.push(`cluster ${problem.cluster}`);
  if (problem.field !== undefined) parts.push(problem.field);
  const prefix = problem.severity === 'warning' ? 'warning: ' : 'error: ';
  return `${prefix}${parts.join(': ')}: ${oneLine(problem.message)}`;
}

/** Stable order for reports: by file, then position, then text. */
export function compareProblems(a: Problem, b: Problem): number {
  return (
    compare(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    compare(a.message, b.message)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Input text can contain newlines or control characters; a report line must stay one line.
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
