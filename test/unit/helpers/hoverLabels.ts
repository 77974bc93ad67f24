import type { HoverLabels } from '../../../src/core/hovers/hover';

/** The English hover chrome, as the extension host would localize it (for tests and the benchmark). */
export const ENGLISH_HOVER_LABELS: HoverLabels = {
  models: { coroutine: 'Coroutine', thread: 'Thread', interpreter: 'Interpreter', process: 'Process', synchronization: 'Synchronization', scheduling: 'Scheduling' },
  whenToUse: 'When to use',
  pitfall: 'Pitfall',
  documentation: 'Documentation',
  openInGuide: 'Open in guide',
};
