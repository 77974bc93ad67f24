/**
 * Where a Node.js main thread is held (an endless loop, `Atomics.wait`, a long synchronous call)
 * when it does not come back to its event loop, so that its own probe cannot say: the inspector,
 * opened for the moment, evaluates a stack capture, which V8 runs at the thread's next interrupt
 * check on top of the frames it interrupted (the same way a debugger breaks into a busy thread).
 * Opening the inspector with SIGUSR1 makes Node.js print "Debugger listening on …" and
 * "Debugger attached." to the program's stderr.
 */
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../probe/protocol';
import { openInspector } from './inspector';

/** Frames captured, at most (V8's default limit is 10: a deep recursion would show only its top). */
const MAX_FRAMES = 50;

/** The frames the evaluation returns: V8's call sites, innermost first, its own frame included. */
const CAPTURE = `(() => {
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.stackTraceLimit = ${MAX_FRAMES + 1};
  Error.prepareStackTrace = (_, sites) => sites.map((site) => ({ file: site.getFileName() ?? undefined, line: site.getLineNumber() ?? undefined, function: site.getFunctionName() ?? undefined }));
  try {
    const holder = {};
    Error.captureStackTrace(holder);
    return holder.stack;
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
})()`;

/**
 * The held main thread's stack, outermost frame first (as the probes send them), or undefined when
 * it cannot be had (another user's process, an inspector that does not open, a process gone).
 * Never throws; closes the inspector it opened.
 */
export async function heldMainThreadStack(pid: number): Promise<SourceLocation[] | undefined> {
  try {
    const { session, openedInspector } = await openInspector(pid);
    try {
      const sites = await session.evaluate(CAPTURE);
      return Array.isArray(sites) ? stackOf(sites) : undefined;
    } finally {
      await session.close(openedInspector);
    }
  } catch {
    return undefined;
  }
}

/** Call sites (innermost first) as a stack: frames with a file and line, outermost first, the capture's own left out. */
function stackOf(sites: readonly unknown[]): SourceLocation[] {
  const frames: SourceLocation[] = [];
  for (const site of sites) {
    const { file, line, function: name } = (site ?? {}) as { file?: unknown; line?: unknown; function?: unknown };
    // The evaluation's own frame is a script without a file name.
    if (typeof file !== 'string' || file === '' || typeof line !== 'number' || !Number.isInteger(line) || line < 1) continue;
    frames.push({ file: file.startsWith('file://') ? fileURLToPath(file) : file, line, ...(typeof name === 'string' && name !== '' ? { function: name.slice(0, 200) } : {}) });
  }
  return frames.slice(0, MAX_FRAMES).reverse();
}
