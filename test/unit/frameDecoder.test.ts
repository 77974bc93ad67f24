import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DecodedFrame, FrameDecoder } from '../../src/core/probe/frameDecoder';
import { seededRandom } from './seededRandom';

const line = (value: unknown) => Buffer.from(`${JSON.stringify(value)}\n`);
const exit = (seq: number) => ({ kind: 'exit', seq, t: 1, exitCode: 0 });
const kinds = (results: DecodedFrame[]) => results.map((result) => (result.ok ? `${result.frame.kind}#${result.frame.seq}` : `error: ${result.error}`));

describe('FrameDecoder', () => {
  it('decodes several frames per chunk and frames split across chunks, byte by byte', () => {
    const decoder = new FrameDecoder();
    const bytes = Buffer.concat([line(exit(1)), line(exit(2)), line(exit(3))]);
    assert.deepEqual(kinds(decoder.push(bytes)), ['exit#1', 'exit#2', 'exit#3']);
    const results: DecodedFrame[] = [];
    for (const byte of bytes) results.push(...decoder.push(Buffer.from([byte])));
    assert.deepEqual(kinds(results), ['exit#1', 'exit#2', 'exit#3']);
  });

  it('skips empty lines and reports JSON that is not a frame with its path', () => {
    const results = new FrameDecoder().push(Buffer.from(`\n\n{"kind":"exit","seq":"x","t":1}\n{oops\n`));
    assert.equal(results.length, 2);
    assert.match(kinds(results)[0]!, /^error: invalid frame: seq/);
    assert.match(kinds(results)[1]!, /^error: frame is not JSON/);
  });

  it('drops a 10 MB line without buffering it, then decodes the next frame', () => {
    const max = 4 * 1024 * 1024;
    const decoder = new FrameDecoder(max);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const results: DecodedFrame[] = [];
    let highWater = 0;
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
      results.push(...decoder.push(chunk));
      highWater = Math.max(highWater, decoder.bufferedBytes);
    }
    results.push(...decoder.push(Buffer.concat([Buffer.from('\n'), line(exit(7))])));
    assert.ok(highWater <= max, `buffered ${highWater} bytes`);
    assert.deepEqual(kinds(results), [`error: frame longer than ${max} bytes dropped`, 'exit#7']);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('reports invalid UTF-8 and decodes a character split across chunks', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(kinds(decoder.push(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]))), ['error: frame is not valid UTF-8']);
    // "é" split between two chunks is still valid.
    const text = Buffer.from(`${JSON.stringify({ kind: 'exit', seq: 1, t: 1, signal: 'é' })}\n`);
    const cut = text.indexOf(0xc3) + 1;
    assert.deepEqual(kinds([...decoder.push(text.subarray(0, cut)), ...decoder.push(text.subarray(cut))]), ['exit#1']);
  });

  it('reports a half frame left when the stream ends', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(Buffer.from('{"kind":"exit",')), []);
    assert.deepEqual(kinds(decoder.end()), ['error: connection closed in the middle of a frame (15 bytes dropped)']);
    assert.deepEqual(decoder.end(), []);
  });

  it('survives random bytes: never throws, never buffers past the limit', () => {
    const random = seededRandom(42);
    const decoder = new FrameDecoder(4096);
    let errors = 0;
    for (let round = 0; round < 2000; round += 1) {
      const chunk = Buffer.alloc(1 + Math.floor(random() * 2048));
      for (let i = 0; i < chunk.length; i += 1) chunk[i] = random() < 0.01 ? 0x0a : Math.floor(random() * 256);
      for (const result of decoder.push(chunk)) if (!result.ok) errors += 1;
      assert.ok(decoder.bufferedBytes <= 4096);
    }
    assert.ok(errors > 0);
    // The stream recovers at the next newline.
    assert.deepEqual(kinds(decoder.push(Buffer.concat([Buffer.from('\n'), line(exit(9))]))).at(-1), 'exit#9');
  });
});
