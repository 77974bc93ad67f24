'use strict';
/**
 * The connection to the extension: newline-delimited JSON frames over a Unix socket or loopback TCP
 * (docs/probe-protocol.md), through a bounded queue that drops the oldest frames (and counts them)
 * rather than ever making the program wait.
 */
const fs = require('node:fs');
const net = require('node:net');
const { truncate } = require('./util.cjs');

const PROTOCOL_VERSION = 1;
const MAX_QUEUED_FRAMES = 1000;
const MAX_SOCKET_BACKLOG_BYTES = 1024 * 1024;
/** What is written at once before the main script runs, at most. */
const EARLY_BYTES = 32 * 1024;

function createTransport({ endpoint, token, startedAt, own, silentAtMostMs }) {
  let socket;
  let connected = false;
  /** Frames go straight to the descriptor (see connect), and how many bytes went so. */
  let early = false;
  let earlyBytes = 0;
  let seq = 0;
  let dropped = 0;
  const queue = [];
  const transport = {
    /** Set when frames were dropped (and at first): the next state frame is a full snapshot. */
    needSnapshot: true,
    /** `seq` is assigned when the frame is written, so it counts frames on this connection. */
    frame(kind, body) {
      return { kind, seq: 0, t: Date.now(), ...body };
    },
    enqueue(value) {
      queue.push(value);
      if (queue.length > MAX_QUEUED_FRAMES) {
        queue.shift();
        dropped += 1;
        transport.needSnapshot = true;
      }
      flush();
    },
    connect() {
      own.creating = true;
      socket = net.createConnection(endpoint);
      own.creating = false;
      socket.setNoDelay?.(true);
      // A Unix socket is connected as soon as it is created, though Node says so only on the loop's
      // first turn: until then the hello and the frames go straight to its descriptor, so that a
      // main thread held before that turn (a blocking read at start-up, a synchronous command) is
      // seen held, with what it said before. Else (TCP, Windows) they wait for 'connect'.
      early = writeEarly(helloFrame());
      flush();
      // Stay referenced only until connected (a millisecond on loopback) so that even a program that
      // ends at once is seen; from then on the connection never keeps the program alive.
      socket.on('connect', own.work(() => {
        const helloSent = early;
        early = false;
        connected = true;
        socket.unref();
        if (!helloSent) write(helloFrame());
        flush();
      }));
      socket.on('drain', flush);
      socket.on('error', () => {
        connected = false;
        early = false;
        queue.length = 0;
        socket.destroy();
      });
      socket.on('close', () => {
        connected = false;
      });
    },
  };

  const flush = own.work(() => {
    if (early) while (queue.length > 0 && writeEarly(queue[0])) queue.shift();
    if (!connected) return;
    while (queue.length > 0 && socket.writableLength < MAX_SOCKET_BACKLOG_BYTES) write(queue.shift());
  });

  function helloFrame() {
    return transport.frame('hello', {
      token,
      protocol: PROTOCOL_VERSION,
      pid: process.pid,
      ppid: process.ppid,
      runtime: { name: 'node', version: process.versions.node, implementation: `V8 ${process.versions.v8}`, executable: process.execPath },
      argv: process.argv.slice(0, 1000).map((arg) => truncate(arg, 4096)),
      cwd: process.cwd(),
      startedAt,
      silentAtMostMs,
    });
  }

  /**
   * Writes a frame straight to the socket's descriptor before Node has said it is connected;
   * whether it did. At most EARLY_BYTES in all: an unread socket's buffer (200 KB or more) takes
   * that whole, so a write is never cut short; past it, or not connected yet, frames wait for 'connect'.
   */
  function writeEarly(value) {
    const fd = socket._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) return false;
    const text = JSON.stringify({ ...value, seq, ...(dropped > 0 ? { dropped } : {}) }) + '\n';
    const bytes = Buffer.byteLength(text);
    if (earlyBytes + bytes > EARLY_BYTES) return false;
    try {
      fs.writeSync(fd, text);
    } catch {
      return false;
    }
    earlyBytes += bytes;
    seq += 1;
    dropped = 0;
    return true;
  }

  function write(value) {
    value.seq = seq++;
    if (dropped > 0) {
      value.dropped = dropped;
      dropped = 0;
    }
    socket.write(JSON.stringify(value) + '\n');
  }

  return transport;
}

module.exports = { createTransport };
