/**
 * Module facts beyond async function names, gathered from each top-level statement's own
 * contribution, so that an edit inside one definition can tell whether it changed them: the
 * analyzer keeps each definition's `factsKey` and re-analyses the whole document when the key of
 * the edited definition differs (a function that starts catching its own errors, a new thread
 * start, a class gaining its first method…). Module code (imports, assignments) is not a
 * definition: any edit there re-analyses the whole document anyway.
 */
import type { Node } from 'web-tree-sitter';
import { isAsyncFunction } from '../syntax/context';
import type { ImportTable } from '../syntax/imports';
import type { LanguageFamily } from '../syntax/languages';
import { type PythonNames, pythonModuleClasses } from '../syntax/receivers';
import type { ModuleFacts } from './checkContext';
import { awaitedEmittersIn } from './nodeCallbacks';
import { behaviourClassDeclared, moduleUncloneables } from './nodeMessages';
import { loopRunnerDefined, mentionsOf } from './pythonEventLoops';
import { startMethodSet, startsLastingThreads } from './pythonForkThreads';
import { catchesOwnErrors } from './selfCatching';

export type ProgramFacts = Omit<ModuleFacts, 'asyncFunctions' | 'importedAsyncFunctions' | 'importedSelfCatchingAsyncFunctions' | 'importedLoopRunners'>;

/** What one top-level statement contributes on its own. */
interface Contribution {
  readonly selfCatchingAsync?: string;
  readonly capturesRejections?: boolean;
  readonly sendsMessages?: boolean;
  readonly awaitedEmitters?: readonly string[];
  readonly behaviourClass?: string;
  readonly startsThreads?: boolean;
  readonly startMethod?: string;
  readonly loopRunner?: string;
}

export const NO_PROGRAM_FACTS: ProgramFacts = {
  selfCatchingAsyncFunctions: new Set(),
  capturesRejections: false,
  awaitedEmitters: new Set(),
  moduleUncloneables: new Map(),
  behaviourClasses: new Set(),
  moduleClasses: new Map(),
  startsThreads: false,
  startMethod: undefined,
  loopRunners: new Set(),
  loopRunnersCalledFromCoroutines: new Set(),
};

/**
 * The program facts of a module's top-level `statements`, and each statement's facts key (see
 * `factsKey`). `importedClasses`: objects of known classes other workspace files define, by the
 * qualified name of their uses here (the workspace index's `ImportedFacts.classes`).
 */
export function programFacts(statements: readonly Node[], family: LanguageFamily, imports: ImportTable, importedClasses: readonly (readonly [string, string])[] = []): { facts: ProgramFacts; keys: string[] } {
  const moduleClasses = family === 'python' ? pythonModuleClasses(statements, imports) : new Map<string, string>();
  for (const [local, objectClass] of importedObjectClasses(imports, importedClasses)) if (!moduleClasses.has(local)) moduleClasses.set(local, objectClass);
  const contributions = statements.map((statement) => contributionOf(statement, family, { imports, moduleClasses }));
  const all = <K extends keyof Contribution>(key: K): NonNullable<Contribution[K]>[] => contributions.flatMap((contribution) => (contribution[key] === undefined ? [] : [contribution[key] as NonNullable<Contribution[K]>]));
  const behaviourClasses = new Set(all('behaviourClass'));
  const loopRunners = new Set(all('loopRunner'));
  const mentionsByStatement = statements.map((statement) => mentionsOf(statement, loopRunners));
  const mentions = mentionsByStatement.flat();
  const facts: ProgramFacts = {
    selfCatchingAsyncFunctions: new Set(all('selfCatchingAsync')),
    capturesRejections: all('capturesRejections').length > 0,
    awaitedEmitters: new Set(all('awaitedEmitters').flat()),
    // Only a module that sends messages needs to know which of its names cannot be cloned.
    moduleUncloneables: all('sendsMessages').length > 0 ? moduleUncloneables(statements, behaviourClasses) : new Map(),
    behaviourClasses,
    moduleClasses,
    startsThreads: all('startsThreads').length > 0,
    startMethod: all('startMethod')[0],
    loopRunners,
    loopRunnersCalledFromCoroutines: new Set([...loopRunners].filter((name) => {
      const uses = mentions.filter((mention) => mention.startsWith(`${name}:`));
      return uses.length > 0 && uses.every((mention) => mention === `${name}:coroutine`);
    })),
  };
  return { facts, keys: contributions.map((contribution, index) => JSON.stringify([contribution, mentionsByStatement[index]])) };
}

/** The local names of imported objects of known classes: `from .state import lock` → `lock`; a bare name from `from m import *` is its own; `import state` → `state.lock` (keyed by qualified name). */
function importedObjectClasses(imports: ImportTable, importedClasses: readonly (readonly [string, string])[]): [string, string][] {
  if (importedClasses.length === 0) return [];
  const byName = new Map(importedClasses);
  const found: [string, string][] = [];
  for (const [local, binding] of imports.bindings) {
    const objectClass = byName.get(binding.qualifiedName);
    if (objectClass !== undefined) found.push([local, objectClass]);
  }
  for (const [spelled, objectClass] of importedClasses) {
    // A bare name came with `from m import *`; a dotted one is reached through a module object
    // (`state.lock` after `import state`), by the qualified name its uses resolve to.
    if (spelled.includes('.') || (!imports.bindings.has(spelled) && !imports.moduleDefinitions.has(spelled))) found.push([spelled, objectClass]);
  }
  return found;
}

/** Everything `statement` contributes to the facts (given the module's loop runners and module-level classes), as a comparable string; `programFacts` gives the same keys for a whole module. */
export function factsKey(statement: Node, family: LanguageFamily, imports: ImportTable, facts: ModuleFacts): string {
  return JSON.stringify([contributionOf(statement, family, { imports, moduleClasses: facts.moduleClasses }), mentionsOf(statement, facts.loopRunners)]);
}

function contributionOf(statement: Node, family: LanguageFamily, names: PythonNames): Contribution {
  if (family === 'node') {
    // The text says cheaply what a statement cannot contribute: most statements contribute nothing.
    const text = statement.text;
    const named = text.includes('async') ? asyncFunctionOf(statement) : undefined;
    const emitters = text.includes('emit') || text.includes('Emitt') ? awaitedEmittersIn(statement) : [];
    return {
      ...(named && catchesOwnErrors(named.fn) ? { selfCatchingAsync: named.name } : {}),
      ...(text.includes('captureRejections') ? { capturesRejections: true } : {}),
      ...(/postMessage|workerData/.test(text) ? { sendsMessages: true } : {}),
      ...(emitters.length > 0 ? { awaitedEmitters: emitters } : {}),
      ...optional('behaviourClass', text.includes('class') ? behaviourClassDeclared(statement) : undefined),
    };
  }
  return {
    ...(startsLastingThreads(statement, names) ? { startsThreads: true } : {}),
    ...optional('startMethod', startMethodSet(statement, names)),
    ...optional('loopRunner', loopRunnerDefined(statement, names)),
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** `async function f` / `const f = async (…) => …` (exported or not). */
function asyncFunctionOf(statement: Node): { name: string; fn: Node } | undefined {
  const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
  if (!declaration) return undefined;
  if (declaration.type === 'function_declaration') {
    const name = declaration.childForFieldName('name')?.text;
    return name !== undefined && isAsyncFunction(declaration) ? { name, fn: declaration } : undefined;
  }
  if (declaration.type !== 'lexical_declaration' && declaration.type !== 'variable_declaration') return undefined;
  const declarators = declaration.namedChildren.filter((child) => child?.type === 'variable_declarator');
  const declarator = declarators.length === 1 ? declarators[0] : null;
  const value = declarator?.childForFieldName('value');
  const name = declarator?.childForFieldName('name');
  if (name?.type !== 'identifier' || !value || (value.type !== 'arrow_function' && value.type !== 'function_expression') || !isAsyncFunction(value)) return undefined;
  return { name: name.text, fn: value };
}
