/**
 * The source texts `check` reads, and what it can know of a file without reading it: the hash of
 * its content, when its stamp (size, modification and change times, inode — what `stat` says) is
 * the one the cache noted when that content was hashed, as git's index and ruff's cache do.
 *
 * A stamp is only noted when it cannot be racy (git's "racily clean" entries): a file changed
 * again after it was read, within the same tick of the file system's clock as the change before,
 * keeps its size and times. So a stamp is noted only when the file's last change (the earlier of
 * its modification and change times: an edit moves both) lies more than `RACY_MARGIN_MS` before
 * this run started, and so before the file was read — wider than the coarsest timestamps of
 * common file systems (FAT: 2 s; ext4, APFS, NTFS: finer). A file changed more recently is read
 * again next time, and noted then. A rename over the file changes its inode; `touch` its times
 * (the content is read, and being the same, the cached results still hold).
 */
import type { Stats } from 'node:fs';
import { readFileSync, statSync } from 'node:fs';
import { type FileStamp, type ResultCache, contentHash } from './cache';

/** How long before a run a file must have last changed for its stamp to be trusted next time. */
export const RACY_MARGIN_MS = 2_000;

/** A file read during the run had another content than its stamp said: the run starts again, reading every file. */
export class FileChangedError extends Error {}

export class SourceTexts {
  /** Files read (and hashed) this run. */
  reads = 0;
  private readonly texts = new Map<string, string>();
  private readonly hashes = new Map<string, string>();

  /**
   * `cache`: where stamps are noted (and trusted, if `trustStamps`); `startedAt`: when this run
   * started (`Date.now()`), before any file was looked at.
   */
  constructor(
    private readonly cache: ResultCache | undefined,
    private readonly trustStamps: boolean,
    private readonly startedAt: number,
  ) {}

  /** The hash of `file`'s content: from its stamp if unchanged, else by reading it. `stats`: what `stat` said of it, if known. */
  hash(file: string, stats?: Stats): string {
    const known = this.hashes.get(file);
    if (known !== undefined) return known;
    const current = stats ?? statSync(file);
    const stamp = this.trustStamps ? this.cache?.stamp(file) : undefined;
    if (stamp && unchanged(stamp, current)) {
      this.hashes.set(file, stamp[4]);
      return stamp[4];
    }
    const { hash } = this.read(file);
    if (!isRacy(current, this.startedAt)) this.cache?.putStamp(file, [current.size, current.mtimeMs, current.ctimeMs, current.ino, hash]);
    return hash;
  }

  /** Every file whose content hash this run knows, with that hash. */
  hashed(): ReadonlyMap<string, string> {
    return this.hashes;
  }

  /** The text of `file` (UTF-8, without a byte-order mark), read once; throws `FileChangedError` if its content is not the one `hash` gave. */
  text(file: string): string {
    const known = this.texts.get(file);
    if (known !== undefined) return known;
    const expected = this.hashes.get(file);
    const { text, hash } = this.read(file);
    if (expected !== undefined && hash !== expected) throw new FileChangedError(`${file} changed during the run`);
    return text;
  }

  private read(file: string): { readonly text: string; readonly hash: string } {
    const text = readSource(file);
    const hash = contentHash(text);
    this.reads += 1;
    this.texts.set(file, text);
    this.hashes.set(file, hash);
    return { text, hash };
  }
}

/** Whether a file's stamp is still the one noted. */
export function unchanged(stamp: FileStamp, stats: Stats): boolean {
  return stamp[0] === stats.size && stamp[1] === stats.mtimeMs && stamp[2] === stats.ctimeMs && stamp[3] === stats.ino;
}

/** Whether a file changed too shortly before `startedAt` for its stamp to tell a later change (see the module's comment). */
export function isRacy(stats: Pick<Stats, 'mtimeMs' | 'ctimeMs'>, startedAt: number): boolean {
  return Math.min(stats.mtimeMs, stats.ctimeMs) >= startedAt - RACY_MARGIN_MS;
}

/** A source file's text as the analysis reads it (UTF-8, without a byte-order mark). */
export function readSource(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
