// A template version's file list: the names and sizes of its archive's regular files, computed once while
// the archive is checked at complete and stored beside the version (`files.json`), so the template page reads
// one small object and never the archive. Bounded by a count and by the total length of the names kept.

/** Files listed at most; the list says how many there are in all. */
export const FILE_LIST_MAX_FILES = 500;
/** Characters of names kept at most (a tar name may be long): the stored object stays small. */
export const FILE_LIST_MAX_NAME_CHARS = 64 * 1024;

export interface FileList {
  /** `[name, size]` of the first files in archive order (names normalized as an extractor would). */
  files: Array<[name: string, size: number]>;
  /** Regular files in the archive, listed or not. */
  total: number;
  /** Sum of every regular file's size. */
  totalBytes: number;
}

export class FileListBuilder {
  private readonly files: Array<[string, number]> = [];
  private nameChars = 0;
  private total = 0;
  private totalBytes = 0;
  private full = false;

  add(name: string, size: number): void {
    this.total++;
    this.totalBytes += size;
    if (this.full) return;
    if (this.files.length >= FILE_LIST_MAX_FILES || this.nameChars + name.length > FILE_LIST_MAX_NAME_CHARS) {
      // Once one file is left out, every later one is too: the list is a prefix of the archive.
      this.full = true;
      return;
    }
    this.files.push([name, size]);
    this.nameChars += name.length;
  }

  done(): FileList {
    return { files: this.files, total: this.total, totalBytes: this.totalBytes };
  }
}

/** A stored list read back: anything malformed is no list (the page then says it is unavailable). */
export function parseFileList(text: string): FileList | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const v = value as Partial<FileList>;
  if (!v || !Array.isArray(v.files) || typeof v.total !== "number" || typeof v.totalBytes !== "number") return undefined;
  const files = v.files.filter((f): f is [string, number] => Array.isArray(f) && typeof f[0] === "string" && typeof f[1] === "number");
  return { files: files.slice(0, FILE_LIST_MAX_FILES), total: v.total, totalBytes: v.totalBytes };
}
