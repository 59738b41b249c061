import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, Problem } from '../mesh/problem';

/** How a command reports: for people (`text`), for GitHub Actions (`github`), for programs (`json`); plan also writes `markdown`. */
export type Format = 'text' | 'github' | 'json' | 'markdown';

/** Where a command writes; tests capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** Colour diffs (a terminal that did not ask for NO_COLOR). */
  readonly color?: boolean;
}

/** What a command reports besides its human output: its problems and, for json, its result. */
export interface Report {
  /** Reports one problem: a line on stderr (text), a workflow annotation (github), or an entry of the document (json). */
  problem(problem: Problem): void;
  /** Sets a field of the json document (ignored by the other formats). */
  set(key: string, value: unknown): void;
}

/**
 * The report of one run, and the output its command writes its human lines to: with `json` those go
 * to stderr, so that stdout holds exactly one JSON document, written by `finish`.
 */
export function createReport(format: Format, command: string, output: Output, root = repositoryRoot()): { report: Report; output: Output; finish(exitCode: number): void } {
  const problems: Problem[] = [];
  const fields: Record<string, unknown> = {};
  const report: Report = {
    problem(problem) {
      if (format === 'json') problems.push(problem);
      else if (format === 'github') output.out(annotation(problem, root));
      else output.err(formatProblem(problem));
    },
    set(key, value) {
      fields[key] = value;
    },
  };
  const human: Output = format === 'json' ? { out: (line) => output.err(line), err: (line) => output.err(line), color: false } : output;
  return {
    report,
    output: human,
    finish(exitCode) {
      if (format !== 'json') return;
      const entries = problems.map((problem) => ({
        severity: problem.severity,
        file: problem.file !== undefined ? relativeTo(root, problem.file) : undefined,
        line: problem.line,
        column: problem.column,
        construct: problem.construct,
        cluster: problem.cluster,
        field: problem.field,
        rule: problem.rule,
        message: problem.message,
      }));
      output.out(JSON.stringify({ command, exitCode, problems: entries, ...fields }, null, 2));
    },
  };
}

/**
 * One GitHub Actions workflow command per problem: `::error file=F,line=L,col=C,title=T::message`,
 * escaped as GitHub specifies (message: % CR LF; properties also : and ,), the file relative to the
 * repository root so the annotation lands on the pull request's line.
 */
export function annotation(problem: Problem, root: string): string {
  const properties: string[] = [];
  if (problem.file !== undefined) {
    properties.push(`file=${escapeProperty(relativeTo(root, problem.file))}`);
    if (problem.line !== undefined) properties.push(`line=${problem.line}`);
    if (problem.column !== undefined) properties.push(`col=${problem.column}`);
  }
  properties.push(`title=${escapeProperty(`weave-mesh${problem.rule ? ` ${problem.rule}` : ''}`)}`);
  const where = [problem.file === undefined ? problem.construct : undefined, problem.cluster !== undefined ? `cluster ${problem.cluster}` : undefined, problem.field].filter(Boolean);
  const message = where.length > 0 ? `${where.join(': ')}: ${problem.message}` : problem.message;
  return `::${problem.severity} ${properties.join(',')}::${escapeData(message)}`;
}

/** GitHub's escaping of a workflow command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a workflow command's property values. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The git repository the working directory is in (the folder holding `.git`), else the working directory. */
export function repositoryRoot(start = process.cwd()): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

function relativeTo(root: string, file: string): string {
  return path.relative(root, path.resolve(file)).split(path.sep).join('/');
}
