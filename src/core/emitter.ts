/** A disposable subscription, structurally compatible with `vscode.Disposable`. */
export interface Subscription {
  dispose(): void;
}

/** A minimal typed event for core code (which may not use `vscode.EventEmitter`). */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Subscribes; call `dispose()` on the result to unsubscribe. */
  readonly event = (listener: (value: T) => void): Subscription => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Calls every listener; a throwing listener is reported to `onListenerError` and the rest still run. */
  fire(value: T, onListenerError?: (error: unknown) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        onListenerError?.(error);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
