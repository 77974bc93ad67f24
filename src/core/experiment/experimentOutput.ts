/**
 * The live experiment's output: one JSON object per line (see experiments/python/experiment.py and
 * experiments/node/experiment.mjs). Lines come from a program we do not control once the user
 * picks the interpreter, so every field is validated; anything malformed is dropped.
 */
import {
  EXPERIMENT_MODELS, EXPERIMENT_UNITS, WORKLOADS, type ExperimentLoad, type ExperimentResult, type ExperimentRuntime,
  type ExperimentSnapshot, type ExperimentUnit, type GuideLanguage, type Workload,
} from '../../shared/guideProtocol';
import { isRecord, isOneOf } from '../../shared/validation';

export type ExperimentEvent =
  | ({ readonly type: 'start'; readonly language: GuideLanguage } & ExperimentRuntime)
  | { readonly type: 'startup'; readonly model: ExperimentUnit; readonly perUnitMs: number }
  | ({ readonly type: 'result' } & ExperimentResult)
  | { readonly type: 'load'; readonly when: keyof ExperimentLoad; readonly load1: number }
  | { readonly type: 'done' };

const LOAD_MOMENTS = ['before', 'after'] as const satisfies readonly (keyof ExperimentLoad)[];

const isDuration = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;
const isShortText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;

/** Parses one output line; returns `undefined` for anything that is not a well-formed event. */
export function parseExperimentLine(line: string): ExperimentEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'start': {
      const { language, runtime, implementation, gilEnabled, cpus } = value;
      if (!isOneOf(['python', 'node'] as const, language) || !isShortText(runtime) || !isShortText(implementation)) return undefined;
      if (typeof gilEnabled !== 'boolean' || !isCount(cpus)) return undefined;
      return { type: 'start', language, runtime, implementation, gilEnabled, cpus };
    }
    case 'startup':
      return isOneOf(EXPERIMENT_UNITS, value.model) && isDuration(value.perUnitMs)
        ? { type: 'startup', model: value.model, perUnitMs: value.perUnitMs }
        : undefined;
    case 'result': {
      const { workload, model, units, wallMs, cpuMs } = value;
      if (!isOneOf(WORKLOADS, workload) || !isOneOf(EXPERIMENT_MODELS, model) || !isCount(units) || !isDuration(wallMs)) return undefined;
      // CPU time is optional (a platform may not measure children); a malformed one is dropped, not the result.
      return { type: 'result', workload, model, units, wallMs, ...(isDuration(cpuMs) ? { cpuMs } : {}) };
    }
    case 'load':
      return isOneOf(LOAD_MOMENTS, value.when) && isDuration(value.load1) ? { type: 'load', when: value.when, load1: value.load1 } : undefined;
    case 'done':
      return { type: 'done' };
    default:
      return undefined;
  }
}

export function emptySnapshot(language: GuideLanguage): ExperimentSnapshot {
  return { language, status: 'idle', startupMs: {}, results: [], load: {} };
}

/** Folds one event into the snapshot the panel shows (a new object; snapshots are immutable). */
export function applyExperimentEvent(snapshot: ExperimentSnapshot, event: ExperimentEvent): ExperimentSnapshot {
  switch (event.type) {
    case 'start': {
      const { runtime, implementation, gilEnabled, cpus } = event;
      return { ...snapshot, runtime: { runtime, implementation, gilEnabled, cpus } };
    }
    case 'startup':
      return { ...snapshot, startupMs: { ...snapshot.startupMs, [event.model]: event.perUnitMs } };
    case 'result': {
      const { workload, model, units, wallMs, cpuMs } = event;
      const result: ExperimentResult = { workload, model, units, wallMs, ...(cpuMs === undefined ? {} : { cpuMs }) };
      const others = snapshot.results.filter((other) => other.workload !== result.workload || other.model !== result.model);
      return { ...snapshot, results: [...others, result] };
    }
    case 'load':
      return { ...snapshot, load: { ...snapshot.load, [event.when]: event.load1 } };
    case 'done':
      return { ...snapshot, status: 'done' };
  }
}

/** Speed-up of `result` over the sequential run of the same workload (undefined until that exists). */
export function speedup(results: readonly ExperimentResult[], workload: Workload, wallMs: number): number | undefined {
  const sequential = results.find((result) => result.workload === workload && result.model === 'sequential');
  return sequential && wallMs > 0 ? sequential.wallMs / wallMs : undefined;
}

/**
 * How many cores the run kept busy on average: CPU time of the process and its children ÷ wall
 * time. About 1 for threads under the GIL, up to the number of cores for processes and Workers,
 * near 0 for waiting. Undefined when the CPU time was not measured.
 */
export function parallelism(result: ExperimentResult): number | undefined {
  return result.cpuMs !== undefined && result.wallMs > 0 ? result.cpuMs / result.wallMs : undefined;
}

export type MachineLoad = 'busy' | 'idle' | 'unknown';

/**
 * Whether other programs competed for the CPUs: the 1-minute load average, before or after the
 * run, at or above the number of CPUs. (The run's own short bursts lift the 1-minute average only
 * a little.) Unknown until the runtime and a load figure are known (Windows has no load average).
 */
export function machineLoad(snapshot: ExperimentSnapshot): MachineLoad {
  const cpus = snapshot.runtime?.cpus;
  const loads = [snapshot.load.before, snapshot.load.after].filter((load): load is number => load !== undefined);
  if (cpus === undefined || loads.length === 0) return 'unknown';
  return loads.some((load) => load >= cpus) ? 'busy' : 'idle';
}

/** Every workload × model the experiment reports when it completes. */
export const EXPECTED_VARIANTS: readonly { readonly workload: Workload; readonly model: (typeof EXPERIMENT_MODELS)[number] }[] =
  WORKLOADS.flatMap((workload) => EXPERIMENT_MODELS.map((model) => ({ workload, model })));
