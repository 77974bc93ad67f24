import { TextDecoder } from 'node:util';
import { MAX_FRAME_BYTES, type ProbeFrame, validateFrame } from './protocol';

/** One decoded line: a validated frame, or why the line was dropped (ready to log). */
export type DecodedFrame = { ok: true; frame: ProbeFrame } | { ok: false; error: string };

const NEWLINE = 0x0a;

/**
 * Splits a probe's byte stream into newline-delimited JSON frames and validates each against the
 * protocol schema. Memory stays bounded by `maxFrameBytes`: a line that grows past the limit is
 * reported once and its remaining bytes are skipped up to the next newline, never buffered.
 * Lines that are not valid UTF-8, not JSON or not a valid frame are reported as errors; empty
 * lines are ignored. Never throws.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while skipping the rest of an oversized line. */
  private discarding = false;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  /** May be changed between chunks (the server allows only a small line before hello). */
  constructor(public maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Bytes held for the current, unfinished line (never more than `maxFrameBytes`). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feeds the next chunk of the stream; returns the lines it completed, in order. */
  push(chunk: Uint8Array): DecodedFrame[] {
    const results: DecodedFrame[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.append(chunk.subarray(start, end), results);
      if (newline === -1) break;
      this.finishLine(results);
      start = newline + 1;
    }
    return results;
  }

  /** The stream ended: a half frame left in the buffer is reported, not decoded. */
  end(): DecodedFrame[] {
    const results: DecodedFrame[] = [];
    if (this.pendingBytes > 0) results.push({ ok: false, error: `connection closed in the middle of a frame (${this.pendingBytes} bytes dropped)` });
    this.reset();
    return results;
  }

  private append(piece: Uint8Array, results: DecodedFrame[]): void {
    if (this.discarding || piece.length === 0) return;
    if (this.pendingBytes + piece.length > this.maxFrameBytes) {
      results.push({ ok: false, error: `frame longer than ${this.maxFrameBytes} bytes dropped` });
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      return;
    }
    // Copy: the caller's chunk buffer may be reused by the stream.
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
  }

  private finishLine(results: DecodedFrame[]): void {
    const wasDiscarding = this.discarding;
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.reset();
    if (wasDiscarding || line.length === 0) return;
    results.push(decodeLine(line, this.utf8));
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
  }
}

function decodeLine(line: Uint8Array, utf8: TextDecoder): DecodedFrame {
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    return { ok: false, error: 'frame is not valid UTF-8' };
  }
  if (text.trim() === '') return { ok: false, error: 'empty frame' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `frame is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const result = validateFrame(value);
  return result.ok ? result : { ok: false, error: `invalid frame: ${result.error}` };
}
