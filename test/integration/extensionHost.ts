/** Helpers shared by the integration suites: the activated extension and its test API. */
import * as vscode from 'vscode';
import type { ConcurrencyLensApi } from '../../src/extension';

export const EXTENSION_ID = 'concurrency-lens.concurrency-lens';

export async function activateExtension(): Promise<{ extension: vscode.Extension<ConcurrencyLensApi>; api: ConcurrencyLensApi }> {
  const extension = vscode.extensions.getExtension<ConcurrencyLensApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  const api = await extension.activate();
  return { extension, api };
}

/** Resolves with the first event `event` fires, or rejects after `timeoutMs`. */
export function nextEvent<T>(event: vscode.Event<T>, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`event did not fire within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = event((value) => {
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}
