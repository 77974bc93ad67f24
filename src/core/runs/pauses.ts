/** Pauses kept per run; older ones are dropped (a block reported that late is long gone anyway). */
const MAX_PAUSES = 1000;

interface Pause {
  readonly start: number;
  end?: number;
}

/**
 * When a debugger held a run's programs paused (from its `stopped` to its `continued`). A probe
 * cannot tell a breakpoint from a block: to it, a loop held at a breakpoint simply did not come back
 * to its scheduler. So the host asks this log whether a reported block overlaps a pause.
 */
export class PauseLog {
  private readonly pauses: Pause[] = [];

  get isPaused(): boolean {
    return this.pauses[this.pauses.length - 1]?.end === undefined && this.pauses.length > 0;
  }

  /** When the programs last went on after a pause (undefined: never paused, or paused now). */
  get lastResumedAt(): number | undefined {
    return this.pauses[this.pauses.length - 1]?.end;
  }

  /** The programs stopped at `time` (a second pause while paused changes nothing). */
  pause(time: number): void {
    if (this.isPaused) return;
    this.pauses.push({ start: time });
    if (this.pauses.length > MAX_PAUSES) this.pauses.shift();
  }

  /** The programs went on at `time`. */
  resume(time: number): void {
    const last = this.pauses[this.pauses.length - 1];
    if (last && last.end === undefined) last.end = Math.max(last.start, time);
  }

  /** True when [start, end] shares any moment with a pause (one still going counts up to now). */
  overlaps(start: number, end: number): boolean {
    for (let index = this.pauses.length - 1; index >= 0; index -= 1) {
      const pause = this.pauses[index]!;
      if (pause.start <= end && (pause.end === undefined || pause.end >= start)) return true;
      if (pause.end !== undefined && pause.end < start) return false; // older pauses end earlier still
    }
    return false;
  }
}
