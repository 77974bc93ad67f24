/**
 * What a held thread waits in when it sleeps inside a system call (Linux, /proc): a blocking read
 * of a named pipe nobody writes, of a pipe or terminal that never gets input, an open() of a FIFO
 * that waits for its other end. Neither a thread's own probe nor the inspector can say so (no
 * JavaScript or Python runs there), but the kernel can: /proc/<pid>/task/<tid>/syscall gives the
 * call's number and arguments, /proc/<pid>/fd/<n> the file a descriptor argument names, and
 * /proc/<pid>/mem the path an open() was given. Those files need the right to trace the process
 * (another user's, or a ptrace policy that forbids it): then less is said, never an error.
 */
import { closeSync, openSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import type { SystemCall } from '../probe/protocol';
import { threadState } from '../runs/processTree';

/** The calls worth naming, by number on each architecture; `fd` and `path`: which argument is the descriptor or the path's address. */
interface CallShape {
  readonly name: string;
  readonly fd?: number;
  readonly path?: number;
}

const fdFirst = (name: string): CallShape => ({ name, fd: 0 });
const X64: ReadonlyMap<number, CallShape> = new Map([
  [0, fdFirst('read')], [1, fdFirst('write')], [2, { name: 'open', path: 0 }], [7, { name: 'poll' }], [17, fdFirst('pread64')], [18, fdFirst('pwrite64')],
  [19, fdFirst('readv')], [20, fdFirst('writev')], [23, { name: 'select' }], [35, { name: 'nanosleep' }], [42, fdFirst('connect')], [43, fdFirst('accept')],
  [44, fdFirst('sendto')], [45, fdFirst('recvfrom')], [46, fdFirst('sendmsg')], [47, fdFirst('recvmsg')], [61, { name: 'wait4' }], [72, fdFirst('fcntl')],
  [73, fdFirst('flock')], [74, fdFirst('fsync')], [202, { name: 'futex' }], [230, { name: 'clock_nanosleep' }], [232, { name: 'epoll_wait' }],
  [247, { name: 'waitid' }], [257, { name: 'openat', path: 1 }], [270, { name: 'pselect6' }], [271, { name: 'ppoll' }], [281, { name: 'epoll_pwait' }],
  [288, fdFirst('accept4')],
]);
const ARM64: ReadonlyMap<number, CallShape> = new Map([
  [22, { name: 'epoll_pwait' }], [25, fdFirst('fcntl')], [32, fdFirst('flock')], [56, { name: 'openat', path: 1 }], [63, fdFirst('read')], [64, fdFirst('write')],
  [65, fdFirst('readv')], [66, fdFirst('writev')], [67, fdFirst('pread64')], [68, fdFirst('pwrite64')], [72, { name: 'pselect6' }], [73, { name: 'ppoll' }],
  [82, fdFirst('fsync')], [95, { name: 'waitid' }], [98, { name: 'futex' }], [101, { name: 'nanosleep' }], [115, { name: 'clock_nanosleep' }],
  [202, fdFirst('accept')], [203, fdFirst('connect')], [206, fdFirst('sendto')], [207, fdFirst('recvfrom')], [211, fdFirst('sendmsg')],
  [212, fdFirst('recvmsg')], [242, fdFirst('accept4')], [260, { name: 'wait4' }],
]);
const CALLS: Partial<Record<NodeJS.Architecture, ReadonlyMap<number, CallShape>>> = { x64: X64, arm64: ARM64 };

/** Longest path read from the process's memory. */
const MAX_PATH_BYTES = 4096;

/**
 * The system call thread `tid` of process `pid` sleeps in, with the file it is about, or undefined
 * when it runs, is not in one, or /proc cannot say (not Linux, not allowed, gone). Never throws.
 */
export function heldSystemCall(pid: number, tid = pid, arch: NodeJS.Architecture = process.arch): SystemCall | undefined {
  const line = readProc(`/proc/${pid}/task/${tid}/syscall`);
  // "running", or "-1 <sp> <pc>" for a thread blocked in the kernel outside a system call.
  const fields = line?.trim().split(' ');
  if (!fields || fields.length < 7 || !/^\d+$/.test(fields[0]!)) return undefined;
  const number = Number(fields[0]);
  const shape = CALLS[arch]?.get(number);
  if (!shape) return { name: `syscall ${number}` };
  const args = fields.slice(1, 7).map((field) => BigInt(field));
  const file = shape.fd !== undefined ? descriptorFile(pid, args[shape.fd]!) : shape.path !== undefined ? pathAt(pid, args[shape.path]!) : undefined;
  return { name: shape.name, ...file };
}

/**
 * Whether thread `tid` of `pid` sleeps in the kernel in a call that a signal would cut short: a
 * read, an open(), a wait… not running, and not in a futex wait (how V8 waits in `Atomics.wait`,
 * which goes back to waiting after a signal). A signal handler installed without SA_RESTART (Node's
 * for SIGUSR1, which opens its inspector) makes such a call fail with EINTR: the program would get
 * an error it never had. From the thread's state and its system call, else its wait channel (which
 * a ptrace policy that hides the system call still shows). Unknown (not Linux, gone): false.
 */
export function sleepsInSystemCall(pid: number, tid = pid, arch: NodeJS.Architecture = process.arch): boolean {
  const state = threadState(pid, tid);
  if (state !== 'S' && state !== 'D') return false;
  const number = readProc(`/proc/${pid}/task/${tid}/syscall`)?.split(' ')[0];
  if (number !== undefined && /^\d+$/.test(number)) return CALLS[arch]?.get(Number(number))?.name !== 'futex';
  const channel = readProc(`/proc/${pid}/task/${tid}/wchan`);
  return channel !== undefined && channel !== '0' && !channel.startsWith('futex');
}

type FileOf = Pick<SystemCall, 'file' | 'fileKind'>;

/** What descriptor `fd` of `pid` is: a pipe, a socket, a terminal, a named pipe or a file by its path. */
function descriptorFile(pid: number, fd: bigint): FileOf | undefined {
  if (fd < 0n || fd > 1_000_000n) return undefined;
  let target: string;
  try {
    target = readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return undefined;
  }
  const descriptor = fd <= 2n ? `fd ${fd} (${['stdin', 'stdout', 'stderr'][Number(fd)]})` : `fd ${fd}`;
  if (target.startsWith('pipe:')) return { file: descriptor, fileKind: 'pipe' };
  if (target.startsWith('socket:')) return { file: descriptor, fileKind: 'socket' };
  if (!target.startsWith('/')) return { file: descriptor };
  return { file: target, ...kindOfPath(pid, target) };
}

/** The path at address `address` of `pid`'s memory (an open() argument). */
function pathAt(pid: number, address: bigint): FileOf | undefined {
  if (address <= 0n) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/mem`, 'r');
    const buffer = Buffer.alloc(MAX_PATH_BYTES);
    const read = readSync(fd, buffer, 0, buffer.length, address);
    const end = buffer.subarray(0, read).indexOf(0);
    if (end <= 0) return undefined;
    const path = buffer.subarray(0, end).toString('utf8');
    return { file: path, ...kindOfPath(pid, path) };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function kindOfPath(pid: number, path: string): Pick<SystemCall, 'fileKind'> {
  try {
    // A relative path is the process's own directory's (open() and openat(AT_FDCWD, …)).
    const stat = statSync(path.startsWith('/') ? path : `/proc/${pid}/cwd/${path}`);
    if (stat.isFIFO()) return { fileKind: 'fifo' };
    if (stat.isSocket()) return { fileKind: 'socket' };
    if (stat.isCharacterDevice() && /^\/dev\/(pts\/|tty)/.test(path)) return { fileKind: 'terminal' };
    return stat.isFile() ? { fileKind: 'file' } : {};
  } catch {
    return {}; // gone since
  }
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
