/**
 * `npm run bench:experiment`: the live experiment without VS Code, full size, Python then Node.js,
 * with the interpreters on PATH (`PYTHON=…` / `NODE=…` pick others). Prints one
 * `RESULT experiment.<lang>.<workload>.<model>.speedup=<x>` line per variant (speed-up over the
 * sequential run of the same workload, measured in the same run), its parallelism (CPU time of the
 * process and its children ÷ wall time: how many cores the variant kept busy), wall and CPU times,
 * start-up costs, and the load average before and after with the verdict the guide shows.
 */
import * as path from 'node:path';
import { applyExperimentEvent, emptySnapshot, machineLoad, parallelism, speedup, type ExperimentEvent } from '../src/core/experiment/experimentOutput';
import { runExperiment } from '../src/core/experiment/runExperiment';
import type { ExperimentResult, GuideLanguage } from '../src/shared/guideProtocol';

const root = path.resolve(__dirname, '..');
const LAUNCHES: readonly { language: GuideLanguage; executable: string; script: string }[] = [
  { language: 'python', executable: process.env.PYTHON ?? 'python3', script: path.join(root, 'experiments', 'python', 'experiment.py') },
  { language: 'node', executable: process.env.NODE ?? process.execPath, script: path.join(root, 'experiments', 'node', 'experiment.mjs') },
];

async function main(): Promise<number> {
  let failures = 0;
  for (const launch of LAUNCHES) {
    const results: ExperimentResult[] = [];
    let snapshot = emptySnapshot(launch.language);
    const onEvent = (event: ExperimentEvent): void => {
      snapshot = applyExperimentEvent(snapshot, event);
      if (event.type === 'load') console.log(`RESULT experiment.${launch.language}.load.${event.when}=${event.load1.toFixed(2)}`);
      if (event.type === 'start') console.log(`# ${launch.language}: ${event.implementation} ${event.runtime}, ${event.cpus} CPUs, GIL ${event.gilEnabled ? 'enabled' : 'disabled'}`);
      if (event.type === 'startup') console.log(`RESULT experiment.${launch.language}.startup.${event.model}.ms=${event.perUnitMs.toFixed(3)}`);
      if (event.type !== 'result') return;
      results.push(event);
      const prefix = `experiment.${launch.language}.${event.workload}.${event.model}`;
      console.log(`RESULT ${prefix}.wallMs=${event.wallMs.toFixed(1)}`);
      if (event.cpuMs !== undefined) console.log(`RESULT ${prefix}.cpuMs=${event.cpuMs.toFixed(1)}`);
      const ratio = speedup(results, event.workload, event.wallMs);
      if (ratio !== undefined) console.log(`RESULT ${prefix}.speedup=${ratio.toFixed(2)}`);
      const cores = parallelism(event);
      if (cores !== undefined) console.log(`RESULT ${prefix}.parallelism=${cores.toFixed(2)}`);
    };
    const outcome = await runExperiment({ ...launch, onEvent });
    console.log(`# ${launch.language}: machine ${machineLoad(snapshot)} (1-minute load before/after vs ${snapshot.runtime?.cpus ?? '?'} CPUs)`);
    if (outcome.kind !== 'done') {
      failures += 1;
      console.error(`${launch.language}: ${JSON.stringify(outcome)}`);
    }
  }
  return failures === 0 ? 0 : 1;
}

void main().then((code) => {
  process.exitCode = code;
});
