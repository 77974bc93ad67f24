// What a real program sets up in its first moments: two Workers, a child process, timers. Lives about a second.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const workers = [0, 1].map(() => new Worker('setTimeout(() => {}, 600)', { eval: true }));
for (const worker of workers) worker.on('error', (error) => console.error(error));
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600)'], { stdio: 'ignore' });
child.on('error', (error) => console.error(error));
setTimeout(() => {}, 800);
