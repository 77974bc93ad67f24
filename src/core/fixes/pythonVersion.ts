/**
 * The oldest Python a project promises to support, read from its own declarations: PEP 621
 * `requires-python` in pyproject.toml, else a pyenv `.python-version` file, in the nearest
 * directory that has either, from the file's own up to the workspace folder (a monorepo's
 * projects each declare their own). Fixes that need a newer Python (e.g. `asyncio.TaskGroup`,
 * 3.11+) are not offered when the project supports older ones.
 */
import * as path from 'node:path';

export interface PythonVersion {
  readonly major: number;
  readonly minor: number;
}

/** The lower bound of `requires-python` (the highest of its `>=`, `~=`, `==`, `>` clauses), or undefined. */
export function minimumPythonFromPyproject(pyproject: string): PythonVersion | undefined {
  const specifier = /^\s*requires-python\s*=\s*["']([^"']*)["']/m.exec(pyproject)?.[1];
  if (specifier === undefined) return undefined;
  let minimum: PythonVersion | undefined;
  for (const clause of specifier.split(',')) {
    const match = /^\s*(>=|~=|==|>)\s*(\d+)\.(\d+)/.exec(clause);
    if (!match) continue;
    const version = { major: Number(match[2]), minor: Number(match[3]) + (match[1] === '>' ? 1 : 0) };
    if (!minimum || compareVersions(version, minimum) > 0) minimum = version;
  }
  return minimum;
}

/** The version in a `.python-version` file (`3.12`, `3.12.1`; the first line when it lists several). */
export function pythonFromVersionFile(contents: string): PythonVersion | undefined {
  const match = /^\s*(\d+)\.(\d+)/.exec(contents);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

export function compareVersions(a: PythonVersion, b: PythonVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/** Whether code written for `required` can run on every Python the project supports (true when unknown). */
export function projectSupports(minimum: PythonVersion | undefined, required: PythonVersion): boolean {
  return minimum === undefined || compareVersions(minimum, required) >= 0;
}

/**
 * Where a file's project declarations may be, nearest first: the file's directory and each parent
 * up to `root` (both POSIX paths, as in URIs); only the file's own directory when it is not
 * inside `root`.
 */
export function projectDirectoriesOf(filePath: string, root: string): string[] {
  const top = path.posix.normalize(root).replace(/\/+$/, '') || '/';
  let directory = path.posix.dirname(path.posix.normalize(filePath));
  const inside = directory === top || directory.startsWith(top === '/' ? '/' : `${top}/`);
  if (!inside) return [directory];
  const directories = [directory];
  while (directory !== top) {
    directory = path.posix.dirname(directory);
    directories.push(directory);
  }
  return directories;
}
