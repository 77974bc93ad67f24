/**
 * Futures dropped where they are made — `executor.submit(…)`, `executor.map(…)`,
 * `loop.run_in_executor(…)`, `asyncio.run_coroutine_threadsafe(…)` as whole statements: whatever
 * the work raises stays in the future, unseen. The receiver must be known to be an executor (its
 * binding, or a name ending in `executor`) or an event loop.
 */
import type { Node } from 'web-tree-sitter';
import { qualifiedName } from '../syntax/names';
import { pythonClassLineage, pythonExpressionClass } from '../syntax/receivers';
import { type CheckContext, callsNamed, droppedCalls, pythonNames } from './checkContext';
import { isEventLoop } from './pythonEventLoops';

export function checkLostFutures(context: CheckContext): void {
  if (!context.isEnabled('py/lost-future-exception')) return;
  for (const call of droppedCalls(callsNamed(context.root, 'submit|map|run_in_executor|run_coroutine_threadsafe'))) {
    const callee = call.childForFieldName('function');
    if (callee && dropsFuture(callee, context) && !expectedToRaise(call)) context.report('py/lost-future-exception', call, { name: callee.text });
  }
}

/** Inside `with self.assertRaises(…):` / `with pytest.raises(…):` the call is expected to raise, not to return a future. */
function expectedToRaise(call: Node): boolean {
  for (let node = call.parent; node && node.type !== 'function_definition'; node = node.parent) {
    if (node.type === 'with_statement' && /^\s*with\s+[\w.]*(assertRaises\w*|raises)\s*\(/.test(node.text)) return true;
  }
  return false;
}

function dropsFuture(callee: Node, context: CheckContext): boolean {
  if (qualifiedName(callee, context.imports, 'python') === 'asyncio.run_coroutine_threadsafe') return true;
  if (callee.type !== 'attribute') return false;
  const receiver = callee.childForFieldName('object');
  const method = callee.childForFieldName('attribute')?.text;
  if (!receiver) return false;
  if (method === 'run_in_executor') return isEventLoop(receiver, pythonNames(context));
  const receiverClass = pythonExpressionClass(receiver, pythonNames(context));
  const isExecutor = receiverClass !== undefined && pythonClassLineage(receiverClass).includes('concurrent.futures.Executor');
  // `submit` on anything named an executor is the concurrent.futures API; `map` is also a blocking
  // method of multiprocessing pools, so only a known executor counts there.
  return method === 'submit' ? isExecutor || /executor$/i.test(receiver.text) : method === 'map' && isExecutor;
}
