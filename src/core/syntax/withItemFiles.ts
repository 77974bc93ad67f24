/**
 * The `with` items of the Python files a run's frames point into, parsed once per file and kept as
 * plain data (no syntax tree stays in wasm memory). Lookups are synchronous, so the analyses that
 * use them stay pure: a file not read yet reads as unknown until {@link WithItemFiles.load} has
 * parsed it.
 */
import type { GrammarLoader } from './grammars';
import { type WithItem, withItemsOf } from './withBlocks';

/** The text of a file, or undefined when it cannot be read (gone, not a file). */
export type ReadText = (file: string) => Promise<string | undefined>;
/** The grammars, loaded on first need (the editor does not load the parser at activation). */
export type Grammars = () => Promise<GrammarLoader>;

export class WithItemFiles {
  private readonly known = new Map<string, readonly WithItem[]>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly grammars: Grammars, private readonly readText: ReadText) {}

  /** The file's items, once loaded (an unreadable file has none). */
  itemsOf(file: string): readonly WithItem[] | undefined {
    return this.known.get(file);
  }

  /** Loads the Python files among `files` not loaded yet; resolves true when any was. */
  async load(files: Iterable<string>): Promise<boolean> {
    const wanted = [...new Set(files)].filter((file) => file.endsWith('.py') && !this.known.has(file));
    await Promise.all(wanted.map((file) => this.loadOne(file)));
    return wanted.length > 0;
  }

  /** Forgets a file (it changed on disk or in the editor): the next load reads it again. */
  forget(file: string): void {
    this.known.delete(file);
  }

  private loadOne(file: string): Promise<void> {
    let pending = this.loading.get(file);
    if (!pending) {
      pending = this.parse(file).then((items) => {
        this.known.set(file, items);
      }).finally(() => this.loading.delete(file));
      this.loading.set(file, pending);
    }
    return pending;
  }

  private async parse(file: string): Promise<readonly WithItem[]> {
    const text = await this.readText(file);
    if (text === undefined) return [];
    const parser = await (await this.grammars()).createParser('python');
    const tree = parser.parse(text);
    try {
      return tree ? withItemsOf(tree) : [];
    } finally {
      tree?.delete();
      parser.delete();
    }
  }
}
