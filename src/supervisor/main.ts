/**
 * The supervisor of a monitored run in the editor (bundled to dist/supervisor.js): the terminal runs
 * it, and it runs the program with the terminal's own stdio (full speed, a real TTY), forwards the
 * terminal's signals to the program's process group, tells the extension the program's pid at once
 * and its exit status at the end, then (`--wait-for-key`) keeps the terminal open until a key is pressed.
 *
 *   supervisor.js [--wait-for-key] [--broker] [--title TITLE] [--texts JSON] [--unset NAME]… [--set NAME=VALUE]… -- command [args…]
 *
 * `--unset` and `--set` change the program's environment only: variables that load the probes
 * (NODE_OPTIONS) would load them into the supervisor too if the terminal's environment held them.
 * `--broker` (a task): first ask the run broker in the environment for a run of its own, named
 * `--title`; without an answer the program runs unmonitored, and the terminal says so.
 *
 * Exits with the program's exit code (128 + n after signal n; 127 when it could not start).
 */
import { ENV_ADDRESS, ENV_BROKER, ENV_BROKER_TOKEN, ENV_TOKEN } from '../core/probe/endpoint';
import { type ProgramExit, requestRun, shellExitCode, SupervisorLink, superviseProgram } from '../core/runs/supervision';

/** What the supervisor prints, localized by the extension (`{0}` is the code, signal or error). */
interface Texts {
  exited: string;
  signalled: string;
  cannotStart: string;
  pressAnyKey: string;
  unmonitored: string;
}

const DEFAULT_TEXTS: Texts = {
  exited: 'Program exited with code {0}',
  signalled: 'Program ended by {0}',
  cannotStart: 'Could not start the program: {0}',
  pressAnyKey: 'Press any key to close the terminal.',
  unmonitored: 'Concurrency Lens is not reachable ({0}): the program runs without the monitor.',
};

interface Options {
  waitForKey: boolean;
  broker: boolean;
  title: string;
  texts: Texts;
  unset: string[];
  set: [string, string][];
  command: string;
  args: string[];
}

function parse(argv: readonly string[]): Options | string {
  const options: Options = { waitForKey: false, broker: false, title: '', texts: DEFAULT_TEXTS, unset: [], set: [], command: '', args: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--') {
      const [command, ...args] = argv.slice(index + 1);
      if (!command) return 'no command after --';
      return { ...options, command, args };
    }
    if (argument === '--wait-for-key') {
      options.waitForKey = true;
      continue;
    }
    if (argument === '--broker') {
      options.broker = true;
      continue;
    }
    const value = argv[++index];
    if (value === undefined) return `${argument} needs a value`;
    if (argument === '--title') options.title = value;
    else if (argument === '--unset') options.unset.push(value);
    else if (argument === '--set' && value.includes('=')) options.set.push([value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)]);
    else if (argument === '--texts') options.texts = { ...DEFAULT_TEXTS, ...(JSON.parse(value) as Partial<Texts>) };
    else return `unknown option ${argument}`;
  }
  return 'no command given (… -- command [args…])';
}

function format(template: string, value: string): string {
  return template.replace('{0}', value);
}

function statusLine(exit: ProgramExit, texts: Texts): string {
  if (exit.error !== undefined) return format(texts.cannotStart, exit.error);
  if (exit.signal !== undefined) return format(texts.signalled, exit.signal);
  return format(texts.exited, String(exit.exitCode ?? '?'));
}

/** Resolves at the first key, or when the terminal goes away; at once when stdin is no TTY. */
function anyKey(): Promise<void> {
  if (!process.stdin.isTTY) return Promise.resolve();
  process.stdin.setRawMode(true);
  return new Promise((resolve) => {
    for (const event of ['data', 'end', 'error', 'close']) process.stdin.once(event, () => resolve());
  });
}

/** Puts the endpoint of a run the broker opened for this program into its environment (the broker's own variables go). */
async function takeRunFromBroker(env: NodeJS.ProcessEnv, options: Options): Promise<void> {
  const reply = await requestRun(env, { title: options.title, argv: [options.command, ...options.args], cwd: process.cwd() });
  delete env[ENV_BROKER];
  delete env[ENV_BROKER_TOKEN];
  if (reply.kind === 'run-granted' && typeof reply.env[ENV_ADDRESS] === 'string' && typeof reply.env[ENV_TOKEN] === 'string') {
    for (const [name, value] of Object.entries(reply.env)) if (typeof value === 'string') env[name] = value;
    return;
  }
  const reason = reply.kind === 'run-refused' ? reply.reason : 'no endpoint';
  process.stdout.write(`\x1b[2m[${format(options.texts.unmonitored, reason)}]\x1b[0m\r\n`);
}

async function main(): Promise<number> {
  const options = parse(process.argv.slice(2));
  if (typeof options === 'string') {
    process.stderr.write(`concurrency-lens supervisor: ${options}\n`);
    return 2;
  }
  const env = { ...process.env };
  for (const name of options.unset) delete env[name];
  for (const [name, value] of options.set) env[name] = value;
  if (options.broker) await takeRunFromBroker(env, options);
  const link = SupervisorLink.fromEnvironment(env);
  const program = superviseProgram({ command: options.command, args: options.args, env });
  if (program.pid !== undefined) link?.spawned({ pid: program.pid, argv: [options.command, ...options.args], cwd: process.cwd(), startedAt: program.startedAt });
  const exit = await program.exited;
  link?.reaped({ ...exit, ...(program.pid !== undefined ? { pid: program.pid } : {}) });
  const closing = link?.close();
  // From now on a closed terminal's SIGHUP ends this process as it would any other.
  program.dispose();
  const status = `\r\n\x1b[2m[${statusLine(exit, options.texts)}]\x1b[0m\r\n`;
  process.stdout.write(options.waitForKey ? `${status}${options.texts.pressAnyKey}\r\n` : status);
  await Promise.all([closing, options.waitForKey ? anyKey() : undefined]);
  return shellExitCode(exit);
}

void main().then((code) => process.exit(code));
