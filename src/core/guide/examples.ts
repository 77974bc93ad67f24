/**
 * The runnable examples of the guide: complete programs, checked by the unit tests with
 * `python3 -m py_compile` and `node --check`. Comments stay in English, like the code.
 */
import type { PerLanguageModel } from '../../shared/guideProtocol';

export interface ExampleSource {
  readonly fileName: string;
  readonly code: string;
}

const PYTHON_COROUTINES = `import asyncio


async def fetch(name: str, delay: float) -> str:
    await asyncio.sleep(delay)  # stands in for a network call: other tasks run meanwhile
    return f"{name} done after {delay}s"


async def main() -> None:
    # gather runs the ten coroutines concurrently: the whole run takes about 0.5 s, not 5 s.
    results = await asyncio.gather(*(fetch(f"job-{i}", 0.5) for i in range(10)))
    for line in results:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
`;

const PYTHON_THREADS = `import time
from concurrent.futures import ThreadPoolExecutor


def download(url: str) -> str:
    time.sleep(0.5)  # a blocking call such as requests.get(url): the GIL is released while it waits
    return f"{url}: ok"


def main() -> None:
    urls = [f"https://example.com/page/{i}" for i in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        for result in pool.map(download, urls):  # re-raises a worker's exception here
            print(result)


if __name__ == "__main__":
    main()
`;

const PYTHON_TO_THREAD = `import asyncio
import time


def blocking_read(name: str) -> str:
    time.sleep(0.5)  # a library call that has no async API
    return f"read {name}"


async def main() -> None:
    # to_thread runs each call in a worker thread, so the event loop stays free.
    results = await asyncio.gather(*(asyncio.to_thread(blocking_read, f"file-{i}") for i in range(5)))
    print(results)


if __name__ == "__main__":
    asyncio.run(main())
`;

const PYTHON_FREE_THREADED = `import sys
from concurrent.futures import ThreadPoolExecutor


def count_primes(limit: int) -> int:
    """Pure-Python CPU work: on a free-threaded build the threads run it in parallel."""
    count = 0
    for n in range(2, limit):
        if all(n % d for d in range(2, int(n**0.5) + 1)):
            count += 1
    return count


def main() -> None:
    # False on a free-threaded build (python3.14t) running without the GIL; then the threads use all cores.
    print("GIL enabled:", sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        print(list(pool.map(count_primes, [50_000] * 4)))


if __name__ == "__main__":
    main()
`;

const PYTHON_PROCESSES = `from concurrent.futures import ProcessPoolExecutor


def count_primes(limit: int) -> int:
    """Pure-Python CPU work: each call runs in its own process, on its own core."""
    count = 0
    for n in range(2, limit):
        if all(n % d for d in range(2, int(n**0.5) + 1)):
            count += 1
    return count


def main() -> None:
    limits = [50_000] * 4
    with ProcessPoolExecutor() as pool:  # arguments and results are pickled between processes
        print(list(pool.map(count_primes, limits)))


if __name__ == "__main__":  # required with spawn and forkserver: the workers import this module
    main()
`;

const PYTHON_INTERPRETERS = `# Python 3.14+: every worker thread of the pool runs its tasks in its own interpreter, with its own GIL.
from concurrent.futures import InterpreterPoolExecutor


def main() -> None:
    # The callable and its arguments are pickled into each worker's interpreter, so the work must be
    # importable: a function of another module (or a built-in such as sum), never one defined here in __main__.
    chunks = [range(i, 40_000_000, 4) for i in range(4)]
    with InterpreterPoolExecutor(max_workers=4) as pool:
        print(sum(pool.map(sum, chunks)))  # four CPU-bound sums in parallel, one per core


if __name__ == "__main__":
    main()
`;

const NODE_COROUTINES = `import { setTimeout as sleep } from 'node:timers/promises';

async function fetchJob(name, ms) {
  await sleep(ms); // stands in for a network call: the event loop runs other callbacks meanwhile
  return \`\${name} done after \${ms} ms\`;
}

// Start all ten, then wait for all: about 500 ms in total, not 5 s.
const results = await Promise.all(Array.from({ length: 10 }, (_, i) => fetchJob(\`job-\${i}\`, 500)));
console.log(results);
`;

const NODE_THREADS = `import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

function countPrimes(limit) {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

if (isMainThread) {
  const runWorker = (limit) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: limit });
      worker.once('message', resolve);
      worker.once('error', reject); // an uncaught exception ends the worker and arrives here
    });
  console.log(await Promise.all([2e6, 2e6, 2e6, 2e6].map(runWorker)));
} else {
  parentPort.postMessage(countPrimes(workerData)); // runs on its own thread, in its own isolate
}
`;

const NODE_PROCESSES = `import { spawn } from 'node:child_process';

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('error', reject); // e.g. the command does not exist
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(\`\${command} exited with \${code}\`))));
  });
}

// Four separate Node.js processes, each with its own memory, run on all cores.
const script = 'let s = 0; for (let i = 0; i < 1e8; i++) s += i; console.log(s)';
const outputs = await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, ['-e', script])));
console.log(outputs.map((text) => text.trim()));
`;

export const MODEL_EXAMPLES: PerLanguageModel<ExampleSource> = {
  python: {
    coroutines: { fileName: 'asyncio_gather.py', code: PYTHON_COROUTINES },
    threads: { fileName: 'thread_pool.py', code: PYTHON_THREADS },
    interpreters: { fileName: 'interpreter_pool.py', code: PYTHON_INTERPRETERS },
    processes: { fileName: 'process_pool.py', code: PYTHON_PROCESSES },
  },
  node: {
    coroutines: { fileName: 'promise_all.mjs', code: NODE_COROUTINES },
    threads: { fileName: 'worker_threads.mjs', code: NODE_THREADS },
    processes: { fileName: 'child_processes.mjs', code: NODE_PROCESSES },
  },
};

/** Blocking library called from asyncio code: the decision helper's answer for that case. */
export const PYTHON_TO_THREAD_EXAMPLE: ExampleSource = { fileName: 'to_thread.py', code: PYTHON_TO_THREAD };
/** CPU-bound Python on a free-threaded build: the decision helper's answer for that case. */
export const PYTHON_FREE_THREADED_EXAMPLE: ExampleSource = { fileName: 'free_threaded_pool.py', code: PYTHON_FREE_THREADED };
