/**
 * Where `check` runs its analyses: the main thread, which works as one worker while it
 * coordinates, and, when the work is large enough, one worker thread per further core. Jobs go
 * out in the order given, each worker a few jobs ahead. Summaries one worker produces reach the
 * others, and a job waiting for a module's summary gets that module's job scheduled first (and
 * its worker another job meanwhile): in an import cycle every file is still parsed once.
 */
import { Worker } from 'node:worker_threads';
import type { GrammarLoader } from '../core/syntax/grammars';
import { AnalysisWorker } from './worker';
import type { FileJob, FileResult, FromWorker, KnownSummary, ToWorker, WorkerSetup } from './workerProtocol';

/** Jobs a worker holds at once: the next ones are ready when it finishes one (also while the main thread, busy with a file, cannot answer). */
const IN_FLIGHT = 4;

/** One worker as the coordinator sees it. */
interface Lane {
  post(message: ToWorker): void;
  /** Replaces the handler of the lane's messages. */
  listen(handler: (message: FromWorker) => void, onError: (error: Error) => void): void;
  close(): Promise<void>;
}

function threadLane(script: string, setup: WorkerSetup): Lane {
  const worker = new Worker(script, { workerData: setup });
  let handlers: { message: (message: FromWorker) => void; error: (error: Error) => void } | undefined;
  worker.on('message', (message: FromWorker) => handlers?.message(message));
  worker.on('error', (error: Error) => handlers?.error(error));
  return {
    post: (message) => worker.postMessage(message),
    listen: (message, error) => {
      handlers = { message, error };
    },
    close: async () => {
      await worker.terminate();
    },
  };
}

/** The main thread as a worker: messages go both ways on the next turn, as they would between threads. */
function mainThreadLane(setup: WorkerSetup, grammars: GrammarLoader): Lane {
  let handler: ((message: FromWorker) => void) | undefined;
  const worker = new AnalysisWorker(setup, (message) => setImmediate(() => handler?.(message)), grammars);
  return {
    post: (message) => setImmediate(() => worker.receive(message)),
    listen: (message) => {
      handler = message;
    },
    close: async () => {
      // Nothing to stop.
    },
  };
}

export class WorkerPool {
  /** Threads working, the main thread included. */
  readonly threads: number;
  private readonly lanes: Lane[];

  /** `threads` workers: the main thread (with its `grammars`) and `threads - 1` worker threads running `script` (the CLI bundle). */
  constructor(setup: WorkerSetup, grammars: GrammarLoader, threads: number, script?: string) {
    this.lanes = [mainThreadLane(setup, grammars), ...(script === undefined ? [] : Array.from({ length: threads - 1 }, () => threadLane(script, setup)))];
    this.threads = this.lanes.length;
  }

  /** Analyses `jobs` (in this order, as far as their imports allow), knowing the summaries in `known`; calls `onResult` for each as it completes. */
  run(jobs: readonly FileJob[], known: readonly KnownSummary[], onResult: (result: FileResult) => void): Promise<void> {
    const queue = [...jobs];
    const byId = new Map(jobs.map((job) => [job.id, job]));
    let pending = jobs.length;
    if (pending === 0) return Promise.resolve();
    for (const lane of this.lanes) {
      lane.post({ type: 'expect', files: jobs.map((job) => job.file) });
      if (known.length > 0) lane.post({ type: 'summaries', summaries: known });
    }
    const share = (from: Lane, summaries: readonly KnownSummary[]): void => {
      if (summaries.length === 0) return;
      for (const other of this.lanes) if (other !== from) other.post({ type: 'summaries', summaries });
    };
    return new Promise((resolve, reject) => {
      let finished = false;
      const finish = (error?: Error): void => {
        if (finished) return;
        finished = true;
        if (error) reject(error);
        else resolve();
      };
      const feed = (lane: Lane): void => {
        const job = queue.shift();
        if (job) lane.post({ type: 'check', job });
      };
      for (const lane of this.lanes) {
        lane.listen((message) => {
          switch (message.type) {
            case 'summary':
              share(lane, [message.parsed]);
              break;
            case 'needs': {
              // The waiting job holds no core: schedule what it needs first, and give this worker work meanwhile.
              const needed = new Set(message.files);
              const first = queue.filter((job) => needed.has(job.file));
              if (first.length > 0) queue.splice(0, queue.length, ...first, ...queue.filter((job) => !needed.has(job.file)));
              feed(lane);
              break;
            }
            case 'result':
              share(lane, message.result.summaries);
              onResult(message.result);
              pending -= 1;
              if (pending === 0) finish();
              else feed(lane);
              break;
            case 'failed':
              finish(new Error(`${byId.get(message.id)?.file ?? 'a file'}: ${message.message}`));
              break;
          }
        }, finish);
        for (let slot = 0; slot < IN_FLIGHT; slot += 1) feed(lane);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}
