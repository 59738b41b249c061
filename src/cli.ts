import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { allocate } from './commands/allocate';
import { check } from './commands/check';
import { Command, MeshFactory, Options, Output } from './commands/command';
import { createReport, Format } from './commands/report';
import { plan } from './commands/plan';
import { schema } from './commands/schema';
import { status } from './commands/status';
import { synth } from './commands/synth';
import { OutputFolderError } from './output/write';

export type { MeshFactory, Output } from './commands/command';

/**
 * The app's own source file `name` (main.ts), as the caller's working directory reaches it: `name`
 * itself when the command runs where it lies (npm run runs in the repository's top), otherwise found
 * from the `__dirname` of the module that runs, beside it under ts-node or one folder up from the
 * bundle in build/. Settings problems name it and its line wherever the command is run from.
 */
export function appSourceFile(dirname: string, name: string): string {
  if (fs.existsSync(name)) return name;
  const file = [dirname, path.dirname(dirname)].map((dir) => path.join(dir, name)).find((candidate) => fs.existsSync(candidate));
  return file === undefined ? name : path.relative(process.cwd(), file);
}

let pipesGuarded = false;

/** Exit codes: 0 done, 1 invalid input or drift, 2 a usage error or an unexpected failure. */
const USAGE = 2;
const FAILURE = 2;

/** A mistake in the command line, worded for the user. */
class UsageError extends Error {}

/** One line for a command-line mistake, in our words rather than Node's (whose quoting is hard to read). */
function usageMessage(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-[^' ]+)/.exec(message ?? '')?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `${option} needs ${option === '--base' ? 'a git ref (branch, tag or commit)' : 'a folder'} after it`;
  return String(message ?? error);
}

/** `npm run plan | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace. */
function exitQuietlyOnClosedPipe(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
}

const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

// A Map, not an object literal: `npm run constructor` must be an unknown command, not Object's constructor.
const COMMANDS: ReadonlyMap<string, Command> = new Map(Object.entries({ synth, check, plan, allocate, schema, status }));

/**
 * Variables of our dependencies that change what a run prints or renders; a render must not depend on
 * the shell it runs in. cdk8s's change key order, names and extra files; the yaml package's
 * (LOG_TOKENS, LOG_STREAM, read at every parse) print its tokens on stdout, which breaks --format json.
 */
const DEPENDENCY_OUTPUT_VARIABLES = ['CDK8S_DISABLE_SORT', 'CDK8S_LEGACY_HASH', 'CDK8S_RECORD_CONSTRUCT_METADATA', 'LOG_TOKENS', 'LOG_STREAM'];

/** The boolean options of single commands, such as plan's --summary. */
const COMMAND_FLAGS = [...new Set([...COMMANDS.values()].flatMap((command) => command.flags ?? []))];

/** The options with a value of single commands, such as plan's --base. */
const COMMAND_VALUES = [...new Set([...COMMANDS.values()].flatMap((command) => command.values ?? []))];

function usage(): string {
  const commands = [...COMMANDS].map(([name, command]) => `  ${`${name} ${command.operand ?? ''}`.padEnd(19)} ${command.summary}`);
  return [
    'usage: npm run <command> -- [operands] [--clusters DIR] [--outdir DIR] [--format text|github|json]',
    '',
    ...commands,
    '',
    '  --clusters DIR   inventory folder, one Pharos cluster.yml per cluster (default: clusters)',
    '  --outdir DIR     output folder (default: dist)',
    '  --format F       text (default), github (workflow annotations), json (one document on stdout);',
    '                   plan also takes markdown, for a pull-request comment. --json is --format json.',
    '  --summary        plan: the summary and next steps, without the diff',
    "  --base REF       plan: compare with the output folder of the git commit REF (the pull request's base),",
    '                   read from git, instead of the output folder on disk',
    '  --base-may-be-empty  plan --base: a base commit without an output folder (the change that introduces',
    '                   weave-mesh) is an empty base, every cluster joining, rather than an error',
    '',
    'exit codes: 0 done (check: up to date), 1 invalid input or out of date, 2 usage error or failure',
  ].join('\n');
}

/**
 * Runs `<command> [options]` and returns the process exit code: 0 done, 1 invalid input, a
 * difference found by check, or a failure. Never throws and never prints a stack trace.
 */
export function runCli(argv: readonly string[], factory: MeshFactory, output: Output = consoleOutput): number | Promise<number> {
  if (output === consoleOutput) exitQuietlyOnClosedPipe();
  let parsed: { values: { clusters?: string; outdir?: string; help?: boolean; json?: boolean; format?: string } & Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const { values, positionals, tokens } = parseArgs({
      args: [...argv],
      options: {
        clusters: { type: 'string' },
        outdir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        ...Object.fromEntries(COMMAND_FLAGS.map((flag) => [flag, { type: 'boolean' as const }])),
        ...Object.fromEntries(COMMAND_VALUES.map((name) => [name, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
    // parseArgs keeps the last of a repeated option without a word: which one did the user mean?
    const given = tokens.filter((token) => token.kind === 'option').map((token) => (token as { name: string }).name);
    const repeated = given.find((name, index) => given.indexOf(name) !== index);
    if (repeated) throw new UsageError(`--${repeated} is given more than once; give it once`);
    parsed = { values, positionals };
  } catch (error) {
    output.err(`error: ${usageMessage(error)}`);
    output.err(usage());
    return USAGE;
  }
  if (parsed.values.help) {
    output.out(usage());
    return 0;
  }
  const [name = 'synth', ...operands] = parsed.positionals;
  const command = COMMANDS.get(name);
  const expected = command?.operand ? 1 : 0;
  if (!command || operands.length !== expected) {
    output.err(!command ? `error: unknown command ${JSON.stringify(name)}` : operands.length > expected ? `error: unexpected argument ${JSON.stringify(operands[expected])}` : `error: ${name} needs ${command.operand}`);
    output.err(usage());
    return USAGE;
  }
  const format = (parsed.values.json ? 'json' : (parsed.values.format ?? 'text')) as Format;
  if (parsed.values.json && parsed.values.format && parsed.values.format !== 'json') {
    output.err(`error: --json and --format ${parsed.values.format} contradict each other; give one`);
    return USAGE;
  }
  const formats: readonly Format[] = ['text', 'github', 'json', ...(command.extraFormats ?? [])];
  if (!formats.includes(format)) {
    output.err(`error: ${name} takes --format ${formats.join(', ')}, not ${JSON.stringify(format)}`);
    output.err(usage());
    return USAGE;
  }
  const flags = Object.fromEntries(COMMAND_FLAGS.filter((flag) => parsed.values[flag] === true).map((flag) => [flag, true]));
  const values = Object.fromEntries(COMMAND_VALUES.filter((key) => typeof parsed.values[key] === 'string').map((key) => [key, parsed.values[key] as string]));
  const taken = [...(command.flags ?? []), ...(command.values ?? [])];
  const foreign = [...Object.keys(flags), ...Object.keys(values)].find((option) => !taken.includes(option));
  if (foreign) {
    output.err(
      `error: --${foreign} is an option of ${[...COMMANDS]
        .filter(([, other]) => [...(other.flags ?? []), ...(other.values ?? [])].includes(foreign))
        .map(([other]) => other)
        .join(', ')}, not of ${name}`,
    );
    output.err(usage());
    return USAGE;
  }
  const run = createReport(format, name, output);
  const options: Options = {
    clusters: parsed.values.clusters ?? 'clusters',
    outdir: parsed.values.outdir ?? 'dist',
    operands,
    format,
    report: run.report,
    flags,
    values,
  };
  for (const variable of DEPENDENCY_OUTPUT_VARIABLES) delete process.env[variable];
  const failed = (error: unknown): number => {
    if (error instanceof OutputFolderError) {
      // The output folder is input too: a refusal is invalid input, reported like any problem.
      run.report.problem({ severity: 'error', message: error.message, rule: error.rule });
      return 1;
    }
    // Bad input is reported before this point; anything here is a bug or an I/O failure.
    run.output.err(`weave-mesh: failed: ${(error as Error)?.message ?? String(error)}; ${options.outdir} was left as it was`);
    if (process.env.WEAVE_MESH_DEBUG) run.output.err(String((error as Error)?.stack));
    return FAILURE;
  };
  const finish = (code: number): number => {
    run.finish(code);
    return code;
  };
  let result: number | Promise<number>;
  try {
    result = command.run(options, factory, run.output);
  } catch (error) {
    result = failed(error);
  }
  return typeof result === 'number' ? finish(result) : result.catch(failed).then(finish);
}
