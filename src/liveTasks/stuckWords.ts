import * as vscode from 'vscode';
import type { SourceLocation, WaitInfo } from '../core/probe/protocol';
import type { StuckPattern, StuckReport, StuckStep } from '../core/runs/stuck';
import { formatDuration, shortLocation } from '../core/runs/treeShape';
import { COROUTINE_RESULT_CALL, POPEN_PIPE_CALL, type Waiter, type WaitGraph, type WaitReason } from '../core/runs/waitGraph';
import type { GuideViewState } from '../shared/guideProtocol';

/** Names the threads, tasks and processes a wait refers to, by key or id (falls back to the id). */
export interface Names {
  thread(pid: number, id: string): string;
  task(pid: number, id: string): string;
  process(pid: number): string;
}

export function namesFrom(graph: WaitGraph | undefined): Names {
  const name = (key: string, fallback: string) => graph?.waiters.get(key)?.name ?? fallback;
  return {
    thread: (pid, id) => name(`thread:${pid}/${id}`, id),
    task: (pid, id) => name(`task:${pid}/${id}`, id),
    process: (pid) => name(`process:${pid}`, String(pid)),
  };
}

/** `journal`, or the object's type when the program's frame does not name it. */
function named(wait: WaitInfo): string {
  return wait.name ? `\`${wait.name}\`` : wait.type ? vscode.l10n.t('a {0}', wait.type) : vscode.l10n.t('an object');
}

/** What a thread or task waits on, in a few words: "waits for lock `journal`", "sleeps (1.2 s left)". */
export function waitWords(wait: WaitInfo, pid: number, names: Names, now: number): string {
  switch (wait.kind) {
    case 'lock':
      return wait.threadId !== undefined
        ? vscode.l10n.t('waits for lock {0}, held by {1}', named(wait), names.thread(pid, wait.threadId))
        : vscode.l10n.t('waits for lock {0}', named(wait));
    case 'semaphore':
      return vscode.l10n.t('waits for semaphore {0}', named(wait));
    case 'condition':
      return vscode.l10n.t('waits on condition {0}', named(wait));
    case 'event':
      return vscode.l10n.t('waits for event {0}', named(wait));
    case 'barrier':
      return vscode.l10n.t('waits at barrier {0}', named(wait));
    case 'join':
      return wait.threadId !== undefined ? vscode.l10n.t('joins {0}', names.thread(pid, wait.threadId)) : vscode.l10n.t('waits for the other threads to end (interpreter exit)');
    case 'queue-get':
      return vscode.l10n.t('waits for an item from {0}', named(wait));
    case 'queue-put':
      return vscode.l10n.t('waits for room in {0}', named(wait));
    case 'queue-join':
      return vscode.l10n.t('waits until every item of {0} is processed', named(wait));
    case 'future':
      if (wait.call === COROUTINE_RESULT_CALL && wait.threadId !== undefined) return vscode.l10n.t('waits for a coroutine on the event loop of {0}', names.thread(pid, wait.threadId));
      return wait.threadId !== undefined ? vscode.l10n.t('waits for a result from {0}', names.thread(pid, wait.threadId)) : vscode.l10n.t('waits for a future\'s result');
    case 'futures-wait':
      return vscode.l10n.t('waits for futures to complete');
    case 'process-join':
      return wait.pid !== undefined ? vscode.l10n.t('waits for process {0} to exit', names.process(wait.pid)) : vscode.l10n.t('waits for a process to exit');
    case 'subprocess':
      if (wait.call?.startsWith(POPEN_PIPE_CALL) && wait.pid !== undefined) {
        return wait.pipeFull
          ? vscode.l10n.t('is blocked in {0} while process {1} is blocked writing its full output pipe, which nobody reads', wait.call, names.process(wait.pid))
          : vscode.l10n.t('is blocked in {0} on a pipe of process {1}', wait.call, names.process(wait.pid));
      }
      if (wait.pipeFull && wait.pid !== undefined) return vscode.l10n.t('waits for process {0} to exit, but its output pipe is full and nobody reads it', names.process(wait.pid));
      return wait.pid !== undefined ? vscode.l10n.t('waits for process {0}', names.process(wait.pid)) : vscode.l10n.t('waits for a child process');
    case 'pipe-recv':
      return vscode.l10n.t('waits for data from another process');
    case 'pipe-send':
      return vscode.l10n.t('is blocked writing to a pipe that nobody reads');
    case 'socket':
      return vscode.l10n.t('waits on a socket');
    case 'select':
      return vscode.l10n.t('waits for I/O');
    case 'input':
      return vscode.l10n.t('waits for input');
    case 'io':
      return vscode.l10n.t('waits for a read or write to finish');
    case 'sleep':
      if (wait.until !== undefined) return vscode.l10n.t('sleeps ({0} left)', formatDuration(wait.until - now));
      return wait.seconds !== undefined ? vscode.l10n.t('sleeps for {0}', formatDuration(wait.seconds * 1000)) : vscode.l10n.t('sleeps');
    case 'task':
      return vscode.l10n.t('awaits {0}', taskList(wait, pid, names));
    case 'gather':
      return vscode.l10n.t('awaits all of {0}', taskList(wait, pid, names));
    case 'shield':
      return vscode.l10n.t('awaits shielded {0}', taskList(wait, pid, names));
    case 'timeout':
      return vscode.l10n.t('awaits {0}, with a timeout', taskList(wait, pid, names));
    case 'executor':
      return wait.threadId !== undefined ? vscode.l10n.t('awaits work running in {0}', names.thread(pid, wait.threadId)) : vscode.l10n.t('awaits work queued in an executor');
    case 'stream':
      return vscode.l10n.t('waits for stream data');
    case 'pool-idle':
      return vscode.l10n.t('idle, waiting for work');
    case 'loop-idle':
      return vscode.l10n.t('event loop waiting for events');
    case 'atomics':
      return vscode.l10n.t('blocked in Atomics.wait');
    case 'top-level-await':
      return vscode.l10n.t('awaited at the top level of its module a promise that nothing could settle: Node.js ended it with exit code 13');
    case 'other':
      return wait.call ? vscode.l10n.t('waits in {0}', wait.call) : vscode.l10n.t('waits');
  }
}

function taskList(wait: WaitInfo, pid: number, names: Names): string {
  const ids = wait.taskIds ?? [];
  if (ids.length === 0) return vscode.l10n.t('a future');
  const shown = ids.slice(0, 3).map((id) => names.task(pid, id)).join(', ');
  return ids.length > 3 ? vscode.l10n.t('{0} and {1} more', shown, ids.length - 3) : shown;
}

/** Why a row of the await tree is under its parent: "holds `journal` (line 12)", "joined". */
export function reasonWords(reason: WaitReason): string {
  switch (reason.kind) {
    case 'holds':
      return vscode.l10n.t('holds `{0}` (line {1})', reason.expression, reason.at.line);
    case 'owns':
      return vscode.l10n.t('holds the lock');
    case 'joins':
      return vscode.l10n.t('joined');
    case 'awaits':
      return vscode.l10n.t('awaited');
    case 'runs':
      return vscode.l10n.t('runs the work');
    case 'exits':
      return vscode.l10n.t('waited for to exit');
    case 'main-thread':
      return vscode.l10n.t('its main thread');
    case 'reads':
      return vscode.l10n.t('the only reader of the pipe');
    case 'full-pipe':
      return vscode.l10n.t('must read the full pipe first');
  }
}

export function patternTitle(pattern: StuckPattern): string {
  switch (pattern) {
    case 'lock-order':
      return vscode.l10n.t('Stuck: lock-order deadlock');
    case 'self-lock':
      return vscode.l10n.t('Stuck: a thread waits for a lock it holds');
    case 'own-loop':
      return vscode.l10n.t('Stuck: a thread waits for its own event loop');
    case 'await-cycle':
      return vscode.l10n.t('Stuck: await cycle');
    case 'join-cycle':
      return vscode.l10n.t('Stuck: threads wait for each other to end');
    case 'join-before-drain':
      return vscode.l10n.t('Stuck: a process is joined before its queue is drained');
    case 'full-pipe':
      return vscode.l10n.t('Stuck: a child process is blocked on a full pipe');
    case 'wait-cycle':
      return vscode.l10n.t('Stuck: deadlock');
    case 'no-waker':
      return vscode.l10n.t('Stuck: everything waits and nothing can wake it');
  }
}

/** What the guide says about each kind of stall: the pitfalls of the model it belongs to. */
export function guideFor(report: StuckReport): GuideViewState {
  switch (report.pattern) {
    case 'await-cycle':
    case 'own-loop':
      return { language: 'python', model: 'coroutines', section: 'pitfalls' };
    case 'join-before-drain':
      return { language: 'python', model: 'processes', section: 'pitfalls' };
    case 'full-pipe':
      return { language: languageOf(report), model: 'processes', section: 'pitfalls' };
    case 'no-waker':
      // Node's only wait with no waker is Workers parked in Atomics.wait (Workers are its threads).
      if (report.steps.some((step) => step.waiter.wait?.kind === 'atomics')) return { language: 'node', model: 'threads', section: 'pitfalls' };
      return { language: 'python', model: report.steps.some((step) => step.waiter.kind === 'task') ? 'coroutines' : 'threads', section: 'pitfalls' };
    case 'lock-order':
    case 'self-lock':
    case 'join-cycle':
    case 'wait-cycle':
      return { language: 'python', model: 'threads', section: 'pitfalls' };
  }
}

/** The language of the program a report is about: Node.js when one of its waits is at a line of JavaScript or TypeScript. */
function languageOf(report: StuckReport): GuideViewState['language'] {
  return report.steps.some((step) => /\.[cm]?[jt]sx?$/.test(step.waiter.wait?.at?.file ?? '')) ? 'node' : 'python';
}

function line(location: SourceLocation | undefined): string {
  return location ? vscode.l10n.t(' (line {0})', location.line) : '';
}

/** One step of a report in words: "sync-1 holds `accounts` (line 20) and waits for `journal` (line 22)". */
export function stepWords(report: StuckReport, index: number, names: Names, now: number): string | undefined {
  const step = report.steps[index]!;
  const previous = report.kind === 'cycle' ? report.steps[(index + report.steps.length - 1) % report.steps.length] : undefined;
  const waiter = step.waiter;
  if (waiter.kind === 'process') return stepOfProcess(step);
  const wait = waiter.wait;
  if (!wait) return undefined;
  const held = previous?.next?.reason.kind === 'holds' ? previous.next.reason : undefined;
  if (held && (wait.kind === 'lock' || wait.kind === 'semaphore')) {
    return vscode.l10n.t('{0} holds `{1}`{2} and waits for {3}{4}', waiter.name, held.expression, line(held.at), named(wait), line(wait.at));
  }
  if (wait.call === COROUTINE_RESULT_CALL && step.next?.to.key === waiter.key) {
    return vscode.l10n.t('{0} waits for a coroutine on its own event loop{1}, which cannot run while it waits', waiter.name, line(wait.at));
  }
  if (wait.kind === 'pipe-send' && step.next?.reason.kind === 'reads') {
    return vscode.l10n.t('{0} cannot finish writing to the pipe: only {1} reads it', waiter.name, step.next.to.name);
  }
  return `${waiter.name} ${waitWords(wait, waiter.pid, names, now)}${line(wait.at)}`;
}

function stepOfProcess(step: StuckStep): string | undefined {
  if (step.next?.reason.kind === 'full-pipe') return vscode.l10n.t('{0} cannot exit: the pipe it writes to is full, and {1} does not read it', step.waiter.name, step.next.to.name);
  return undefined; // "exits when its main thread ends" goes without saying
}

/** The whole report in one sentence, its steps joined: the Stuck row's tooltip and the diagnostics' message. */
export function reportWords(report: StuckReport, names: Names, now: number): string {
  const steps = report.steps.map((_, index) => stepWords(report, index, names, now)).filter((words): words is string => words !== undefined);
  return steps.join('; ');
}

/** `bank.py:12` of a waiter's wait, if it has one. */
export function waitPlace(waiter: Waiter): string | undefined {
  return waiter.wait?.at ? shortLocation(waiter.wait.at) : undefined;
}
