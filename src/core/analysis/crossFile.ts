/**
 * Knowledge across files: which names a module imports from other files of the workspace are
 * async functions there, and which are outside APIs that a workspace module passes on (a
 * `compat.py` re-exporting `asyncio.create_task`, an `fs.ts` re-exporting `readFileSync`).
 *
 * Resolution follows Python absolute imports (from the folder above the importing file's
 * package — a script's own folder — and the workspace roots, also `<root>/src`), relative imports, `__init__.py`
 * re-exports and `from m import *` (honouring `__all__`), submodules (`from pkg import mod`); and
 * JS/TS relative specifiers (with or without extension, `./x.js` naming `x.ts`, `./dir` naming
 * `dir/index.*`), ES `export … from`, `export *`, default exports and CommonJS `module.exports` /
 * `exports.x`. Bare package specifiers, tsconfig `paths`, `package.json` `exports` and dynamic
 * imports are outside the workspace index: such names keep their written qualified name.
 *
 * Summaries come from a `WorkspaceFiles` lookup, which may not know a file yet (the editor loads
 * them asynchronously): the facts then say which files were `missing`, and asking again after
 * loading them gives the complete answer.
 */
import * as path from 'node:path';
import { type ImportSource, canonicalModule } from '../syntax/imports';
import { languageForFileName, type LanguageFamily } from '../syntax/languages';
import type { ModuleBinding, ModuleSummary } from './moduleSummary';
import type { ModuleTarget, Target, WorkspaceFiles } from './workspaceFiles';

/** What one file learns from the others. Plain data: it keys the result cache and crosses worker boundaries. */
export interface ImportedFacts {
  /**
   * Async functions of other workspace files, by the qualified name `qualifiedName` gives their
   * uses in this file (`.db.fetch` for `from .db import fetch`, `pkg.db.fetch` for `import pkg.db`,
   * `..db.fetch` for `import * as db from './db'`), or the bare name for Python `from m import *`.
   */
  readonly asyncFunctions: readonly string[];
  /** JS/TS: those of `asyncFunctions` that catch their own errors (a dropped call of one cannot reject). */
  readonly selfCatchingAsyncFunctions: readonly string[];
  /** Qualified names here that stand for an outside API, and that API's name (`.compat.create_task` → `asyncio.create_task`). */
  readonly aliases: readonly (readonly [string, string])[];
  /** Python: sync functions of other workspace files that start an event loop, by qualified name as above. */
  readonly loopRunners: readonly string[];
  /** Python: objects of a known class that other workspace files define (`from .state import lock`), by qualified name as above, and their class. */
  readonly classes: readonly (readonly [string, string])[];
  /** Workspace files read to learn these facts: when one changes, the facts may change. */
  readonly dependencies: readonly string[];
  /** Files whose existence or summary was not known yet: load them and ask again. */
  readonly missing: readonly string[];
}

export const NO_IMPORTED_FACTS: ImportedFacts = { asyncFunctions: [], selfCatchingAsyncFunctions: [], aliases: [], loopRunners: [], classes: [], dependencies: [], missing: [] };

const UNKNOWN: Target = { kind: 'unknown' };
const ABSENT: Target = { kind: 'absent' };
/** How deep module objects are followed (`pkg.sub.fetch`) and how many steps a re-export chain may take. */
const MODULE_DEPTH = 3;
const CHAIN_LIMIT = 32;

const PYTHON_SOURCE = ['.py'];
const NODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** TypeScript's ESM convention: `./x.js` in source names `x.ts` (likewise .mjs → .mts, .cjs → .cts, .jsx → .tsx). */
const TS_FOR_JS: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

export function importedFacts(file: string, summary: ModuleSummary, files: WorkspaceFiles): ImportedFacts {
  const resolver = new Resolver(files);
  const asyncFunctions = new Set<string>();
  const aliases = new Map<string, string>();
  const classes = new Map<string, string>();
  const loopRunners = new Set<string>();
  const selfCatching = new Set<string>();
  const record = (spelled: string, target: Target, depth: number): void => {
    switch (target.kind) {
      case 'async':
        asyncFunctions.add(spelled);
        if (target.catchesOwnErrors) selfCatching.add(spelled);
        break;
      case 'loopRunner':
        loopRunners.add(spelled);
        break;
      case 'instance':
        classes.set(spelled, target.class);
        break;
      case 'external':
        if (target.name !== spelled) aliases.set(spelled, target.name);
        break;
      case 'module':
        if (depth >= MODULE_DEPTH) break;
        if (summary.family === 'node' && resolver.summary(target.file)?.commonJsDefault) {
          // `const m = require('./m')` holds `module.exports` itself: `m()` calls the default.
          const exported = resolver.binding(target.file, 'default');
          if (exported.kind === 'async') record(spelled, exported, depth);
        }
        for (const [name, member] of resolver.offered(target.file)) record(`${spelled}.${name}`, member, depth + 1);
        break;
      case 'other':
      case 'unknown':
      case 'absent':
        break;
    }
  };
  for (const imported of summary.imports) record(imported.spelled, resolver.imported(file, summary.family, imported), 0);
  if (summary.family === 'python') {
    // `from m import *`: the names arrive bare; this module's own definitions shadow them.
    const own = new Set(summary.names.filter(([, binding]) => binding.kind !== 'import').map(([name]) => name));
    for (const specifier of summary.reExportsAllOf) {
      const module = resolver.module(file, 'python', specifier);
      if (typeof module !== 'object') continue;
      for (const [name, target] of resolver.offered(module.file)) if (!own.has(name)) record(name, target, MODULE_DEPTH);
    }
  }
  return {
    asyncFunctions: [...asyncFunctions].sort(),
    aliases: [...aliases].sort(byName),
    loopRunners: [...loopRunners].sort(),
    selfCatchingAsyncFunctions: [...selfCatching].sort(),
    classes: [...classes].sort(byName),
    dependencies: [...resolver.dependencies].sort(),
    missing: [...resolver.missing].sort(),
  };
}

function byName([a]: readonly [string, string], [b]: readonly [string, string]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The facts as one string (equal facts, equal digests): what the result cache keys on. */
export function factsDigest(facts: ImportedFacts): string {
  return JSON.stringify([facts.asyncFunctions, facts.selfCatchingAsyncFunctions, facts.aliases, facts.loopRunners, facts.classes]);
}

/**
 * Words that any use of a workspace name this file's imports could bring must contain, found
 * without parsing the file: its import specifiers are read from the text (`importSpecifiers`, a
 * superset of what the parser sees), and each module they resolve to offers names that are async
 * functions or renamed outside APIs. `anyUse`: some module offers an async default export or
 * `module.exports` function, which any local name can hold.
 */
export function importedWords(file: string, specifiers: Iterable<string>, family: LanguageFamily, files: WorkspaceFiles): { readonly words: ReadonlySet<string>; readonly anyUse: boolean; readonly missing: readonly string[] } {
  const resolver = new Resolver(files);
  const words = new Set<string>();
  let anyUse = false;
  const visit = (module: string, depth: number): void => {
    if (family === 'node' && resolver.binding(module, 'default').kind === 'async') anyUse = true;
    for (const [name, target] of resolver.offered(module)) {
      if (target.kind === 'async' || (target.kind === 'external' && !target.name.endsWith(`.${name}`) && target.name !== name)) words.add(name);
      else if (target.kind === 'module' && depth < MODULE_DEPTH) visit(target.file, depth + 1);
    }
  };
  for (const specifier of specifiers) {
    const module = resolver.module(file, family, specifier);
    if (typeof module === 'object') visit(module.file, 1);
  }
  return { words, anyUse, missing: [...resolver.missing] };
}

/**
 * The workspace files the file `file` may import, found without parsing it from the specifiers
 * its text mentions (`importSpecifiers`): a superset of what its imports resolve to (the
 * pre-filter's second look follows them).
 */
export function importedFiles(file: string, specifiers: Iterable<string>, family: LanguageFamily, files: WorkspaceFiles): string[] {
  const resolver = new Resolver(files);
  const found: string[] = [];
  for (const specifier of specifiers) {
    const module = resolver.module(file, family, specifier);
    if (typeof module === 'object') found.push(module.file);
  }
  return found;
}

/** Python spaces inside a statement: blanks, or a line continued by a backslash. */
const SPACE = String.raw`(?:[ \t]|\\\r?\n)`;
const DOTTED_AS = String.raw`[\w.]+(?:${SPACE}+as${SPACE}+\w+)?`;
const PYTHON_FROM_IMPORT = new RegExp(String.raw`\bfrom${SPACE}+([.\w]+)${SPACE}+import${SPACE}*(\([^)]*\)|(?:[^\n;\\]|\\\r?\n)*)`, 'g');
const PYTHON_IMPORT = new RegExp(String.raw`\bimport${SPACE}+(${DOTTED_AS}(?:${SPACE}*,${SPACE}*${DOTTED_AS})*)`, 'g');
const NODE_IMPORT = /(?<![\w$.])(?:from|import|require)\s*\(?\s*(['"])([^'"\n]+)\1/g;

/** Module specifiers the text may import (over-approximate: also in strings, comments and functions; `pkg.mod` for `from pkg import mod`). */
export function importSpecifiers(text: string, family: LanguageFamily): Set<string> {
  const found = new Set<string>();
  if (family === 'node') {
    for (const match of text.matchAll(NODE_IMPORT)) if (match[2]?.startsWith('.')) found.add(match[2]);
    return found;
  }
  for (const [, from = '', names = ''] of text.matchAll(PYTHON_FROM_IMPORT)) {
    found.add(from);
    // `from pkg import mod` may name a submodule.
    for (const name of names.replace(/#[^\n]*/g, '').split(/[\s,()\\]+/)) if (/^\w+$/.test(name) && name !== 'as') found.add(joinModule(from, name));
  }
  // Also matches the `import` of `from m import a` (then `a` is a candidate too: harmless).
  for (const [, modules = ''] of text.matchAll(PYTHON_IMPORT)) {
    for (const part of modules.split(',')) {
      const pieces = (part.trim().split(/[\s\\]+/)[0] ?? '').split('.');
      for (let length = 1; length <= pieces.length; length += 1) found.add(pieces.slice(0, length).join('.'));
    }
  }
  return found;
}

const bindingMaps = new WeakMap<ModuleSummary, Map<string, ModuleBinding>>();

function bindingsOf(summary: ModuleSummary): Map<string, ModuleBinding> {
  let map = bindingMaps.get(summary);
  if (!map) {
    map = new Map(summary.names);
    bindingMaps.set(summary, map);
  }
  return map;
}

class Resolver {
  readonly dependencies = new Set<string>();
  readonly missing = new Set<string>();
  /** Set when a cycle cut an answer short (such answers are not kept). */
  private incomplete = false;
  /** How many questions about files got no answer yet. */
  private unknowns = 0;
  private readonly modules = new Map<string, ModuleTarget>();
  private readonly offers = new Map<string, readonly (readonly [string, Target])[]>();

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly inProgress = new Set<string>(),
  ) {}

  summary(file: string): ModuleSummary | undefined {
    this.dependencies.add(file);
    const summary = this.files.summaryOf(file);
    if (!summary) {
      this.missing.add(file);
      this.unknowns += 1;
    }
    return summary;
  }

  /** What an import binding holds: a workspace module, a name in one, or an outside API. */
  imported(from: string, family: LanguageFamily, source: ImportSource): Target {
    const module = this.module(from, family, source.module);
    if (module === 'external') {
      const names = family === 'node' && source.path[0] === 'default' ? source.path.slice(1) : source.path;
      return { kind: 'external', name: [family === 'node' ? canonicalModule(source.module) : source.module, ...names].join('.') };
    }
    if (module === undefined) {
      // A Python namespace package has no `__init__.py`: `from pkg import mod` still finds `pkg/mod.py`.
      const [first, ...rest] = source.path;
      if (family !== 'python' || first === undefined) return UNKNOWN;
      const submodule = this.module(from, family, joinModule(source.module, first));
      return typeof submodule === 'object' ? this.member({ kind: 'module', file: submodule.file }, rest) : UNKNOWN;
    }
    return this.member({ kind: 'module', file: module.file }, source.path);
  }

  /** `target.a.b`: members of modules are their names; members of outside APIs extend the name. */
  private member(target: Target, names: readonly string[]): Target {
    let current = target;
    for (const name of names) {
      if (current.kind === 'module') current = this.binding(current.file, name);
      else if (current.kind === 'external') current = { kind: 'external', name: `${current.name}.${name}` };
      else return UNKNOWN;
    }
    return current.kind === 'absent' ? UNKNOWN : current;
  }

  /** What `name` is in the module in `file`, following imports and re-exports. */
  binding(file: string, name: string, chain = new Set<string>()): Target {
    const key = `${file}\0${name}`;
    if (chain.has(key) || chain.size > CHAIN_LIMIT) return UNKNOWN;
    chain.add(key);
    const summary = this.summary(file);
    if (!summary) return UNKNOWN;
    const binding = bindingsOf(summary).get(name);
    if (binding) return binding.kind === 'import' ? this.followImport(file, summary.family, binding, chain) : binding;
    for (const specifier of summary.reExportsAllOf) {
      if (summary.family === 'python' ? name.startsWith('_') : name === 'default') continue;
      const module = this.module(file, summary.family, specifier);
      if (typeof module !== 'object') continue;
      const all = this.summary(module.file)?.all;
      if (all && !all.includes(name)) continue;
      const found = this.binding(module.file, name, chain);
      if (found.kind !== 'absent') return found;
    }
    if (summary.family === 'python' && path.basename(file) === '__init__.py') {
      const submodule = this.pythonModule(path.dirname(file), name);
      if (submodule) return { kind: 'module', file: submodule };
    }
    return ABSENT;
  }

  private followImport(from: string, family: LanguageFamily, source: ImportSource, chain: Set<string>): Target {
    const module = this.module(from, family, source.module);
    if (typeof module !== 'object' || source.path.length === 0) return this.imported(from, family, source);
    const [first, ...rest] = source.path;
    const head = first === undefined ? UNKNOWN : this.binding(module.file, first, chain);
    return this.member(head, rest);
  }

  /** Every name a module offers, with its target (its own names first, then `*` re-exports). */
  offered(file: string): readonly (readonly [string, Target])[] {
    const known = this.offers.get(file);
    if (known) return known;
    const remembered = this.files.memo?.offers.get(file);
    if (remembered) {
      for (const dependency of remembered.dependencies) this.dependencies.add(dependency);
      this.offers.set(file, remembered.offers);
      return remembered.offers;
    }
    if (this.inProgress.has(file)) {
      this.incomplete = true;
      return [];
    }
    this.inProgress.add(file);
    const own = new Resolver(this.files, this.inProgress);
    const offers = own.offersOf(file);
    this.inProgress.delete(file);
    for (const dependency of own.dependencies) this.dependencies.add(dependency);
    for (const missing of own.missing) this.missing.add(missing);
    this.unknowns += own.unknowns;
    this.incomplete ||= own.incomplete;
    this.offers.set(file, offers);
    if (!own.incomplete && own.unknowns === 0) this.files.memo?.offers.set(file, { offers, dependencies: [...own.dependencies] });
    return offers;
  }

  private offersOf(file: string): (readonly [string, Target])[] {
    const offers: (readonly [string, Target])[] = [];
    const summary = this.summary(file);
    if (!summary) return offers;
    const names = new Set(bindingsOf(summary).keys());
    for (const specifier of summary.reExportsAllOf) {
      const module = this.module(file, summary.family, specifier);
      if (typeof module !== 'object') continue;
      const reExported = this.summary(module.file);
      for (const [name] of this.offered(module.file)) {
        if (summary.family === 'python' && (reExported?.all ? !reExported.all.includes(name) : name.startsWith('_'))) continue;
        if (summary.family === 'node' && name === 'default') continue;
        names.add(name);
      }
    }
    for (const name of names) offers.push([name, this.binding(file, name)]);
    return offers;
  }

  /** The workspace file module `specifier` names when imported from `from`; 'external' outside the workspace; undefined when it cannot be found. */
  module(from: string, family: LanguageFamily, specifier: string): { readonly file: string } | 'external' | undefined {
    const key = `${family}\0${path.dirname(from)}\0${specifier}`;
    if (this.modules.has(key)) return this.modules.get(key);
    const memo = this.files.memo?.modules;
    if (memo?.has(key)) return memo.get(key);
    const unknownsBefore = this.unknowns;
    const found = family === 'python' ? this.pythonImport(from, specifier) : this.nodeImport(from, specifier);
    this.modules.set(key, found);
    if (this.unknowns === unknownsBefore) memo?.set(key, found);
    return found;
  }

  private pythonImport(from: string, specifier: string): { readonly file: string } | 'external' | undefined {
    const level = /^\.*/.exec(specifier)?.[0].length ?? 0;
    if (level > 0) {
      let base = path.dirname(from);
      for (let step = 1; step < level; step += 1) base = path.dirname(base);
      return inFile(this.pythonModule(base, specifier.slice(level)));
    }
    // A script's own folder is on sys.path, a package module's is not (`import subprocess` in `asyncio/` is the stdlib's): the package root covers both.
    const roots = new Set([this.packageRoot(from), ...this.files.pythonRoots.flatMap((root) => [root, path.join(root, 'src')])]);
    for (const root of roots) {
      const file = this.pythonModule(root, specifier);
      if (file) return { file };
    }
    // A workspace package that lacks the submodule is not an outside module of that name.
    const top = specifier.split('.')[0] ?? specifier;
    return [...roots].some((root) => this.pythonModule(root, top)) ? undefined : 'external';
  }

  /** `base/a/b.py` or `base/a/b/__init__.py` for `a.b` (`base/__init__.py` for the empty name). */
  private pythonModule(base: string, dotted: string): string | undefined {
    const key = `${base}\0${dotted}`;
    const memo = this.files.memo?.pythonModules;
    if (memo?.has(key)) return memo.get(key);
    const unknownsBefore = this.unknowns;
    const directory = dotted === '' ? base : path.join(base, ...dotted.split('.'));
    const candidates = dotted === '' ? [path.join(base, '__init__.py')] : [...PYTHON_SOURCE.map((extension) => `${directory}${extension}`), path.join(directory, '__init__.py')];
    const found = candidates.find((candidate) => this.exists(candidate));
    if (this.unknowns === unknownsBefore) memo?.set(key, found);
    return found;
  }

  /** The folder above the outermost package (folder with `__init__.py`) that contains `file`. */
  private packageRoot(file: string): string {
    let directory = path.dirname(file);
    for (let parent = path.dirname(directory); parent !== directory && this.exists(path.join(directory, '__init__.py')); parent = path.dirname(parent)) directory = parent;
    return directory;
  }

  private nodeImport(from: string, specifier: string): { readonly file: string } | 'external' | undefined {
    if (!specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== '.' && specifier !== '..') return specifier.startsWith('/') ? undefined : 'external';
    const base = path.resolve(path.dirname(from), specifier);
    const extension = path.extname(base);
    const candidates = [
      ...(languageForFileName(base) ? [base] : []),
      ...(TS_FOR_JS[extension] ?? []).map((replacement) => base.slice(0, -extension.length) + replacement),
      ...NODE_EXTENSIONS.map((added) => base + added),
      ...NODE_EXTENSIONS.map((added) => path.join(base, `index${added}`)),
    ];
    return inFile(candidates.find((candidate) => this.exists(candidate)));
  }

  private exists(file: string): boolean {
    const known = this.files.isFile(file);
    if (known === undefined) {
      this.missing.add(file);
      this.unknowns += 1;
    }
    return known === true;
  }
}

function inFile(file: string | undefined): { readonly file: string } | undefined {
  return file === undefined ? undefined : { file };
}

function joinModule(module: string, name: string): string {
  return module.endsWith('.') ? `${module}${name}` : `${module}.${name}`;
}
