/**
 * A worker of `check`: analyses the files it is sent, in a worker thread or in the main thread
 * (which works too while it coordinates). A file's analysis needs the summaries of the modules it
 * imports; one that another job will produce is awaited (the coordinator schedules that job first),
 * any other is parsed here: each checked file is parsed once.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { GrammarLoader, wasmInDirectory } from '../core/syntax/grammars';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import { FileAnalyzer } from './fileAnalyzer';
import type { FromWorker, KnownSummary, ToWorker, WorkerSetup } from './workerProtocol';
import { CliWorkspace } from './workspace';

export class AnalysisWorker {
  private readonly workspace: CliWorkspace;
  private readonly analyzer: FileAnalyzer;
  private readonly expected = new Set<string>();
  private readonly waiting = new Map<string, ((summary: ModuleSummary) => void)[]>();

  constructor(
    setup: WorkerSetup,
    private readonly send: (message: FromWorker) => void,
    grammars = new GrammarLoader(wasmInDirectory(setup.wasmDirectory)),
  ) {
    // The grammars load (and compile) while the first job is on its way.
    for (const language of setup.languages) grammars.grammar(language).catch(() => undefined); // a failure shows when a parser is made
    this.workspace = new CliWorkspace(setup.root, setup.files);
    this.analyzer = new FileAnalyzer(grammars, this.workspace);
    this.analyzer.onParsed = (parsed) => {
      this.arrived(parsed);
      send({ type: 'summary', parsed });
    };
    this.analyzer.summarySource = (file) => {
      if (!this.expected.has(file)) return this.analyzer.parseSummary(file);
      send({ type: 'needs', files: [file] });
      return new Promise((resolve) => this.waiting.set(file, [...(this.waiting.get(file) ?? []), resolve]));
    };
  }

  receive(message: ToWorker): void {
    switch (message.type) {
      case 'expect':
        for (const file of message.files) this.expected.add(file);
        break;
      case 'check':
        this.analyzer.analyse(message.job).then(
          (result) => this.send({ type: 'result', result }),
          (error: unknown) => this.send({ type: 'failed', id: message.job.id, message: error instanceof Error ? error.message : String(error) }),
        );
        break;
      case 'summaries':
        for (const known of message.summaries) this.arrived(known);
        break;
    }
  }

  private arrived(known: KnownSummary): void {
    this.workspace.add(known.file, known.summary);
    for (const resolve of this.waiting.get(known.file) ?? []) resolve(known.summary);
    this.waiting.delete(known.file);
  }
}

/** The entry point of a worker thread (the CLI bundle started with `workerData`). */
export function runWorker(): void {
  const port = parentPort as MessagePort;
  const worker = new AnalysisWorker(workerData as WorkerSetup, (message) => port.postMessage(message));
  port.on('message', (message: ToWorker) => worker.receive(message));
}
