/**
 * Canonical qualified names of expressions: `t.sleep` with `import time as t` is `time.sleep`;
 * `cp.execSync` with `import * as cp from 'node:child_process'` is `child_process.execSync`;
 * `require('fs').readFileSync` is `fs.readFileSync`; an import inside a function resolves there
 * (`from time import sleep` in a `def`). Only names rooted in an import, a builtin or a
 * well-known global resolve; everything else (locals, attributes of unknown objects) is
 * `undefined`, so rules never guess.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction } from './context';
import { type ImportTable, functionImports, pythonNamesImportedInFunctions, requiredModule, unwrapExpression } from './imports';
import type { LanguageFamily } from './languages';

/** Python builtins that matter for concurrency (resolve unless the module redefines them). */
const PYTHON_BUILTINS = new Set(['open', 'input', 'print', '__import__']);

/** JavaScript globals that matter for concurrency (in Node and browsers). */
const NODE_GLOBALS = new Set([
  'fetch', 'Promise', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'clearTimeout', 'clearInterval',
  'clearImmediate', 'process', 'Atomics', 'SharedArrayBuffer', 'structuredClone', 'Worker', 'AbortController', 'AbortSignal', 'MessageChannel',
]);

export function qualifiedName(node: Node, imports: ImportTable, family: LanguageFamily): string | undefined {
  const name = writtenName(node, imports, family);
  return name === undefined ? undefined : imports.aliases?.get(name) ?? name;
}

/** The qualified name as this module spells it (before workspace aliases). */
function writtenName(node: Node, imports: ImportTable, family: LanguageFamily): string | undefined {
  const expression = unwrapExpression(node) ?? node;
  switch (expression.type) {
    case 'identifier': {
      const name = expression.text;
      // An import inside an enclosing function binds the name there, before the module's (in Python,
      // only a name that some function imports is looked for up the enclosing functions).
      if (family !== 'python' || pythonNamesImportedInFunctions(expression.tree).has(name)) {
        for (let fn = enclosingFunction(expression); fn; fn = enclosingFunction(fn)) {
          const local = functionImports(fn, family).get(name);
          if (local) return local.qualifiedName;
        }
      }
      const imported = imports.bindings.get(name);
      if (imported) return imported.qualifiedName;
      if (imports.moduleDefinitions.has(name)) return undefined;
      return (family === 'python' ? PYTHON_BUILTINS : NODE_GLOBALS).has(name) ? name : undefined;
    }
    case 'attribute': {
      const object = expression.childForFieldName('object');
      const attribute = expression.childForFieldName('attribute');
      const base = object ? qualifiedName(object, imports, family) : undefined;
      return base !== undefined && attribute ? `${base}.${attribute.text}` : undefined;
    }
    case 'member_expression': {
      const object = expression.childForFieldName('object');
      const property = expression.childForFieldName('property');
      if (!object || property?.type !== 'property_identifier') return undefined;
      const base = qualifiedName(object, imports, family);
      return base !== undefined ? `${base}.${property.text}` : undefined;
    }
    case 'call_expression':
      return family === 'node' ? requiredModule(expression) : undefined;
    default:
      return undefined;
  }
}

/** `a` of `a.b.c` (Python attributes, JS/TS member expressions); the node itself otherwise. */
export function rootOfDottedName(node: Node): Node {
  let root = unwrapExpression(node) ?? node;
  for (let object = root.childForFieldName('object'); (root.type === 'attribute' || root.type === 'member_expression') && object; object = root.childForFieldName('object')) root = unwrapExpression(object) ?? object;
  return root;
}

/** The callee of a call (`call` in Python, `call_expression`/`new_expression` in JS/TS), or null. */
export function calleeOf(call: Node): Node | null {
  switch (call.type) {
    case 'call':
    case 'call_expression':
      return call.childForFieldName('function');
    case 'new_expression':
      return call.childForFieldName('constructor');
    default:
      return null;
  }
}
