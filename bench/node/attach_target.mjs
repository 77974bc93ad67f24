// A running server to attach the monitor to: two Workers and a timer, like a small service.
import { Worker } from 'node:worker_threads';

let online = 0;
for (let index = 0; index < 2; index += 1) {
  new Worker('setInterval(() => {}, 1000);', { eval: true }).on('online', () => {
    online += 1;
    if (online === 2) console.log('ready');
  });
}
setInterval(() => {}, 1000);
