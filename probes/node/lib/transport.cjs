'use strict';
/**
 * The connection to the extension: newline-delimited JSON frames over a Unix socket or loopback TCP
 * (docs/probe-protocol.md), through a bounded queue that drops the oldest frames (and counts them)
 * rather than ever making the program wait.
 */
const net = require('node:net');
const { truncate } = require('./util.cjs');

const PROTOCOL_VERSION = 1;
const MAX_QUEUED_FRAMES = 1000;
const MAX_SOCKET_BACKLOG_BYTES = 1024 * 1024;

function createTransport({ endpoint, token, startedAt, own, silentAtMostMs }) {
  let socket;
  let connected = false;
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
      // Stay referenced only until connected (a millisecond on loopback) so that even a program that
      // ends at once is seen; from then on the connection never keeps the program alive.
      socket.on('connect', own.work(() => {
        connected = true;
        socket.unref();
        write(transport.frame('hello', {
          token,
          protocol: PROTOCOL_VERSION,
          pid: process.pid,
          ppid: process.ppid,
          runtime: { name: 'node', version: process.versions.node, implementation: `V8 ${process.versions.v8}`, executable: process.execPath },
          argv: process.argv.slice(0, 1000).map((arg) => truncate(arg, 4096)),
          cwd: process.cwd(),
          startedAt,
          silentAtMostMs,
        }));
        flush();
      }));
      socket.on('drain', flush);
      socket.on('error', () => {
        connected = false;
        queue.length = 0;
        socket.destroy();
      });
      socket.on('close', () => {
        connected = false;
      });
    },
  };

  const flush = own.work(() => {
    if (!connected) return;
    while (queue.length > 0 && socket.writableLength < MAX_SOCKET_BACKLOG_BYTES) write(queue.shift());
  });

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
