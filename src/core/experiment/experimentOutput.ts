/**
 * The live experiment's output: one JSON object per line (see experiments/python/experiment.py and
 * experiments/node/experiment.mjs). Lines come from a program we do not control once the user
 * picks the interpreter, so every field is validated; anything malformed is dropped.
 */
import {
  CONCURRENCY_MODELS, EXPERIMENT_MODELS, WORKLOADS, type ConcurrencyModel, type ExperimentResult, type ExperimentRuntime,
  type ExperimentSnapshot, type GuideLanguage, type Workload,
} from '../../shared/guideProtocol';
import { isRecord, isOneOf } from '../../shared/validation';

export type ExperimentEvent =
  | ({ readonly type: 'start'; readonly language: GuideLanguage } & ExperimentRuntime)
  | { readonly type: 'startup'; readonly model: ConcurrencyModel; readonly perUnitMs: number }
  | ({ readonly type: 'result' } & ExperimentResult)
  | { readonly type: 'done' };

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
      return isOneOf(CONCURRENCY_MODELS, value.model) && isDuration(value.perUnitMs)
        ? { type: 'startup', model: value.model, perUnitMs: value.perUnitMs }
        : undefined;
    case 'result': {
      const { workload, model, units, wallMs } = value;
      return isOneOf(WORKLOADS, workload) && isOneOf(EXPERIMENT_MODELS, model) && isCount(units) && isDuration(wallMs)
        ? { type: 'result', workload, model, units, wallMs }
        : undefined;
    }
    case 'done':
      return { type: 'done' };
    default:
      return undefined;
  }
}

export function emptySnapshot(language: GuideLanguage): ExperimentSnapshot {
  return { language, status: 'idle', startupMs: {}, results: [] };
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
      const { workload, model, units, wallMs } = event;
      const others = snapshot.results.filter((result) => result.workload !== workload || result.model !== model);
      return { ...snapshot, results: [...others, { workload, model, units, wallMs }] };
    }
    case 'done':
      return { ...snapshot, status: 'done' };
  }
}

/** Speed-up of `result` over the sequential run of the same workload (undefined until that exists). */
export function speedup(results: readonly ExperimentResult[], workload: Workload, wallMs: number): number | undefined {
  const sequential = results.find((result) => result.workload === workload && result.model === 'sequential');
  return sequential && wallMs > 0 ? sequential.wallMs / wallMs : undefined;
}

/** Every workload × model the experiment reports when it completes. */
export const EXPECTED_VARIANTS: readonly { readonly workload: Workload; readonly model: (typeof EXPERIMENT_MODELS)[number] }[] =
  WORKLOADS.flatMap((workload) => EXPERIMENT_MODELS.map((model) => ({ workload, model })));
