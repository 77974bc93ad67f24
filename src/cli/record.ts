/**
 * `concurrency-lens record [options] -- <command…>`: the monitor without the editor. Runs the
 * command under the probes in this process's terminal (our supervision: its own process group,
 * this process's stdio, signals passed on), fills a RunModel from its probes, and at the end
 * prints the summary, writes the recording and the Chrome trace, and checks the --fail-on conditions.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ProbeLogger } from '../core/probe/server';
import { ProbeServer } from '../core/probe/server';
import { heldConditions } from '../core/runs/failConditions';
import { probeEnvironment, probeInstall } from '../core/runs/launchSpec';
import { RunSession } from '../core/runs/runSession';
import { diagnose } from '../core/runs/stuck';
import { stackFiles, type WithItemsOf } from '../core/runs/waitGraph';
import type { GrammarLoader } from '../core/syntax/grammars';
import { WithItemFiles } from '../core/syntax/withItemFiles';
import { shellExitCode, superviseProgram } from '../core/runs/supervision';
import { toChromeTrace } from '../core/timeline/chromeTrace';
import { buildTimeline } from '../core/timeline/timelineData';
import { FAIL_ON_EXIT_CODE, parseRecordArguments, RECORD_USAGE, type RecordOptions, USAGE_EXIT_CODE } from './recordArguments';
import { recordSummary, textSummary } from './recordReport';

/** What the probes' endpoint logs: its warnings only (a dropped frame, a refused connection), never into the program's output otherwise. */
const logger: ProbeLogger = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`concurrency-lens: ${message}\n`),
  error: (message) => process.stderr.write(`concurrency-lens: ${message}\n`),
};

/** Parses `record`'s arguments and runs it; resolves with the exit code. */
export async function recordCommand(argv: readonly string[], probesFolder: string, grammars: GrammarLoader): Promise<number> {
  const parsed = parseRecordArguments(argv);
  switch (parsed.command) {
    case 'help':
      process.stdout.write(`${RECORD_USAGE}\n`);
      return 0;
    case 'error':
      process.stderr.write(`concurrency-lens record: ${parsed.message}\n\n${RECORD_USAGE}\n`);
      return USAGE_EXIT_CODE;
    case 'record': {
      const unwritable = [parsed.out, parsed.trace].find((file) => file !== undefined && !canWrite(file));
      if (unwritable !== undefined) {
        process.stderr.write(`concurrency-lens record: cannot write ${unwritable}: its folder does not exist.\n`);
        return USAGE_EXIT_CODE;
      }
      return record(parsed, probesFolder, grammars);
    }
  }
}

async function record(options: RecordOptions, probesFolder: string, grammars: GrammarLoader): Promise<number> {
  const server = await ProbeServer.start({ logger });
  const session = new RunSession(server, { logger, blockedThresholdMs: options.blockedThresholdMs });
  const env = {
    ...process.env,
    ...probeEnvironment({ install: probeInstall(probesFolder), baseEnv: process.env, probeEnv: server.environment, blockedThresholdMs: options.blockedThresholdMs }),
  };
  const [command, ...args] = options.program as [string, ...string[]];
  const program = superviseProgram({ command, args, env });
  if (program.pid !== undefined) session.programStarted(program.pid, options.program, process.cwd(), program.startedAt);
  const files = new WithItemFiles(() => Promise.resolve(grammars), (file) => readFile(file, 'utf8').catch(() => undefined));
  const withItemsOf: WithItemsOf = (file) => files.itemsOf(file);
  // A stuck program never ends by itself: asked to fail on it, stop it once it is diagnosed.
  const deadlockWatch = options.failOn.includes('deadlock') ? watchForDeadlock(session, files, withItemsOf) : undefined;
  const exit = await program.exited;
  deadlockWatch?.dispose();
  // Signals sent from now on (a second Ctrl+C) end this process as usual.
  program.dispose();
  session.programExited(exit);
  await session.ended;
  const { model } = session;
  await files.load(stackFiles(model));
  const held = heldConditions(model, options.failOn, { blockedThresholdMs: options.blockedThresholdMs, withItemsOf });
  const summary = recordSummary(model, options.program, exit, program.startedAt, held);
  if (options.summary === 'text') process.stderr.write(textSummary(summary));
  else if (options.summary === 'json') process.stderr.write(`${JSON.stringify(summary, null, 2)}\n`);
  const recording = model.toRecording();
  if (options.out !== undefined) writeFileSync(options.out, JSON.stringify(recording));
  if (options.trace !== undefined) writeFileSync(options.trace, JSON.stringify(toChromeTrace(buildTimeline(model, model.clock(Date.now()), false), recording)));
  session.dispose();
  const code = shellExitCode(exit);
  if (deadlockWatch?.stopped) return FAIL_ON_EXIT_CODE;
  return code !== 0 || held.length === 0 ? code : FAIL_ON_EXIT_CODE;
}

/** How often a run recorded with `--fail-on deadlock` is diagnosed (a wait settles in a second). */
const DEADLOCK_CHECK_MS = 500;

/** Diagnoses the run as it goes and stops it (SIGTERM to its process tree) once it is stuck. */
function watchForDeadlock(session: RunSession, files: WithItemFiles, withItemsOf: WithItemsOf): { readonly stopped: boolean; dispose(): void } {
  let stopped = false;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || stopped) return;
    checking = true;
    void files.load(stackFiles(session.model)).then(() => {
      if (!stopped && diagnose(session.model, withItemsOf).length > 0) {
        stopped = true;
        logger.warn('the run is stuck (a deadlock): stopping it');
        session.stop();
      }
    }).finally(() => {
      checking = false;
    });
  }, DEADLOCK_CHECK_MS);
  return {
    get stopped() {
      return stopped;
    },
    dispose: () => clearInterval(timer),
  };
}

/** The file's folder exists (the file itself is created or replaced). */
function canWrite(file: string): boolean {
  const folder = path.dirname(path.resolve(file));
  return existsSync(folder) && statSync(folder).isDirectory();
}
