'use strict';
/** Small helpers every part of the Node probe uses. No state. */
const path = require('node:path');

/** Text the probe sends (a command line, a function's name) is cut to this many characters. */
const MAX_TEXT = 4000;
/** The folder of the probe's files: their frames are never the program's. */
const PROBE_DIR = path.dirname(__dirname) + path.sep;

/** CONCURRENCY_LENS_ADDRESS is `unix:<socket path>` or `tcp:127.0.0.1:<port>` (docs/probe-protocol.md). */
function parseAddress(text) {
  if (text.startsWith('unix:') && text.length > 5) return { path: text.slice(5) };
  const tcp = /^tcp:(127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(text);
  return tcp ? { host: tcp[1].replace(/^\[|\]$/g, ''), port: Number(tcp[2]) } : undefined;
}

function positiveNumber(text, fallback) {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function truncate(text, max) {
  return text.length > max ? text.slice(0, max) : text;
}

function round(value, digits) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function clamp01(value) {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

function numericRecord(record) {
  if (!record || typeof record !== 'object') return undefined;
  const entries = Object.entries(record).filter(([, value]) => typeof value === 'number' && Number.isFinite(value));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function fileOf(url) {
  try {
    return url.startsWith('file:') ? require('node:url').fileURLToPath(url) : url;
  } catch {
    return url;
  }
}

/** True for a path or file URL of one of the probe's own files. */
function isProbeFile(pathOrUrl) {
  return fileOf(pathOrUrl).startsWith(PROBE_DIR);
}

/** Replaces `owner[name]` by `wrap(original)`, keeping the original's name, length and other properties. */
function wrapFunction(owner, name, wrap) {
  const original = owner[name];
  if (typeof original !== 'function') return;
  const wrapper = wrap(original);
  for (const key of Reflect.ownKeys(original)) {
    if (key !== 'prototype') Object.defineProperty(wrapper, key, Object.getOwnPropertyDescriptor(original, key));
  }
  owner[name] = wrapper;
  return wrapper;
}

/** The file and line that called `callee` (structured call sites: no stack text is formatted). */
function callerLine(callee) {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  const holder = {};
  try {
    Error.prepareStackTrace = (_, callSites) => callSites;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, callee);
    const site = holder.stack?.[0];
    const file = site?.getFileName();
    const line = site?.getLineNumber();
    return file && line ? { file: fileOf(file), line, function: site.getFunctionName() || '(anonymous)' } : undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/** The first frame of the program's own code in a creation stack (an object whose `stack` V8 formats on first read). */
function creationLine(site) {
  for (const line of String(site.stack ?? '').split('\n').slice(1)) {
    const match = /(?:\(|^at )((?:file:\/\/)?\/[^()]*?):(\d+):\d+\)?$/.exec(line.trim());
    if (!match || /node:|node_modules/.test(match[1]) || isProbeFile(match[1])) continue;
    return { file: fileOf(match[1]), line: Number(match[2]) };
  }
  return undefined;
}

module.exports = { MAX_TEXT, parseAddress, positiveNumber, truncate, round, clamp01, numericRecord, fileOf, isProbeFile, wrapFunction, callerLine, creationLine };
