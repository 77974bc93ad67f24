import * as vscode from 'vscode';
import type { GuideStrings } from '../shared/guideProtocol';

/** The guide's UI chrome, localized with vscode.l10n (the content itself is core data in both locales). */
export function guideStrings(): GuideStrings {
  return {
    title: vscode.l10n.t('Concurrency Guide'),
    subtitle: vscode.l10n.t('Coroutines, threads and processes in Python and Node.js, side by side.'),
    languageLabel: vscode.l10n.t('Language'),
    python: 'Python',
    node: 'Node.js',
    models: {
      coroutines: {
        name: vscode.l10n.t('Coroutines'),
        summary: vscode.l10n.t('One thread, one event loop: tasks take turns at each await. Best for many concurrent I/O waits.'),
      },
      threads: {
        name: vscode.l10n.t('Threads'),
        summary: vscode.l10n.t('Preemptive OS threads sharing memory. In CPython the GIL runs one thread of Python code at a time, so threads help with blocking I/O, not pure-Python CPU work.'),
      },
      interpreters: {
        name: vscode.l10n.t('Interpreters'),
        summary: vscode.l10n.t('Python 3.14+: isolated interpreters in one process, each with its own GIL. Threads in different interpreters run Python code in parallel and share data only by copying.'),
      },
      processes: {
        name: vscode.l10n.t('Processes'),
        summary: vscode.l10n.t('Separate interpreters with separate memory: true parallel CPU work and failure isolation, at a higher start-up cost.'),
      },
    },
    pages: {
      comparison: vscode.l10n.t('Compare'),
      decide: vscode.l10n.t('Which model?'),
      experiment: vscode.l10n.t('Run on my machine'),
    },
    sections: {
      scheduling: vscode.l10n.t('What it is and how it is scheduled'),
      cost: vscode.l10n.t('Cost per unit'),
      sharing: vscode.l10n.t('Isolation and sharing'),
      fit: vscode.l10n.t('Best for / not for'),
      pitfalls: vscode.l10n.t('Pitfalls'),
      example: vscode.l10n.t('Example'),
    },
    bestFor: vscode.l10n.t('Best for'),
    notFor: vscode.l10n.t('Not for'),
    docs: vscode.l10n.t('Docs'),
    insert: vscode.l10n.t('Insert at Cursor'),
    copy: vscode.l10n.t('Copy'),
    measuredStartup: vscode.l10n.t('Measured on this machine: starting one unit takes {0}.'),
    comparisonIntro: vscode.l10n.t('The three models side by side for the selected language.'),
    decideIntro: vscode.l10n.t('Answer a few questions about your workload to get a recommendation, the reasons and a snippet to start from.'),
    decideButton: vscode.l10n.t('Recommend'),
    recommendation: vscode.l10n.t('Recommendation: {0}'),
    experimentIntro: vscode.l10n.t('Runs the same CPU-bound and I/O-bound workloads sequentially and with each model, using your own interpreter. A full run takes about 10–20 seconds.'),
    runExperiment: vscode.l10n.t('Run on My Machine'),
    cancelExperiment: vscode.l10n.t('Cancel'),
    untrusted: vscode.l10n.t('The experiment runs code on your machine, so it needs a trusted workspace.'),
    experimentModels: {
      sequential: vscode.l10n.t('Sequential'),
      coroutines: vscode.l10n.t('Coroutines'),
      threads: vscode.l10n.t('Threads'),
      processes: vscode.l10n.t('Processes'),
    },
    workloads: {
      cpu: vscode.l10n.t('CPU-bound (pure arithmetic)'),
      io: vscode.l10n.t('I/O-bound (waiting)'),
    },
    wallTime: vscode.l10n.t('Wall time'),
    speedup: vscode.l10n.t('Speed-up'),
    parallelism: vscode.l10n.t('Parallelism'),
    parallelismHint: vscode.l10n.t('CPU time of the process and its children ÷ wall time: how many cores the variant kept busy.'),
    busyMachine: vscode.l10n.t('The machine was busy: the 1-minute load average was {0} before and {1} after the run, on {2} CPUs. Other programs took CPU time, so the speed-ups and the parallelism are lower than this machine can reach: run again when it is less busy.'),
    runAgain: vscode.l10n.t('Run Again'),
    startupPerUnit: vscode.l10n.t('Start-up per unit'),
    status: {
      idle: vscode.l10n.t('Not run yet.'),
      running: vscode.l10n.t('Running…'),
      done: vscode.l10n.t('Done.'),
      failed: vscode.l10n.t('The experiment could not finish.'),
      cancelled: vscode.l10n.t('Cancelled.'),
    },
    cpuCount: vscode.l10n.t('{0} CPUs'),
    gilOn: vscode.l10n.t('GIL enabled'),
    gilOff: vscode.l10n.t('no GIL'),
  };
}
