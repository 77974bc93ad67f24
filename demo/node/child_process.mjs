// Processes in Node.js: a child process has its own memory and event loop; talk to it through pipes.
import { spawn } from 'node:child_process';

const child = spawn(process.execPath, ['-e', `
  let i = 0;
  const timer = setInterval(() => {
    console.log('child tick ' + ++i);
    if (i === 5) { clearInterval(timer); process.exitCode = 0; }
  }, 200);
`], { stdio: ['ignore', 'pipe', 'inherit'] });

child.stdout.setEncoding('utf8');
child.stdout.on('data', (text) => process.stdout.write(`[pid ${child.pid}] ${text}`));
child.on('error', (error) => {
  console.error(`could not start the child: ${error.message}`);
  process.exitCode = 1;
});
child.on('close', (code, signal) => {
  console.log(`child exited with ${signal ?? `code ${code}`}`);
});
