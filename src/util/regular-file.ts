import * as fs from 'fs';

/** What a regular file must be for readRegularFile to read it. */
export interface RegularFileLimits {
  /** Files larger than this are refused unread. */
  readonly maxBytes: number;
  /** Say what the limit is, in the refusal of a larger file. */
  readonly describeLimit: (size: number) => string;
  /**
   * Refuse a file with more than one name (hard links), which could be another file by another name,
   * saying this of it; files with several names are read when absent.
   */
  readonly describeHardLinks?: (names: number) => string;
}

/**
 * A file's bytes, read only if it is a regular file (never through a symbolic link, never blocking
 * on a FIFO, never more than its limit, even if it grows meanwhile); otherwise `refuse(reason)`.
 * Untrusted folders (the inventory, the output folder) are read through it: a name can be swapped
 * for a link or a FIFO between listing a folder and reading the file.
 */
export function readRegularFile<P>(file: string, limits: RegularFileLimits, refuse: (message: string) => P): { content: Buffer } | P {
  return readChecked(
    file,
    limits,
    refuse,
    (size) => Buffer.allocUnsafe(size + 1),
    (buffer, length) => ({ content: buffer.subarray(0, length) }),
  );
}

/** One buffer for readRegularText, grown as needed: a folder of 26 MB is not 1,300 buffers waiting for the garbage collector. */
let scratch = Buffer.allocUnsafe(0);

/** The same as readRegularFile, as UTF-8 text (U+FFFD for invalid bytes, as `readFileSync(file, 'utf8')`). */
export function readRegularText<P>(file: string, limits: RegularFileLimits, refuse: (message: string) => P): { text: string } | P {
  return readChecked(
    file,
    limits,
    refuse,
    (size) => (scratch.length > size ? scratch : (scratch = Buffer.allocUnsafe(Math.max(size + 1, 2 * scratch.length)))),
    (buffer, length) => ({ text: buffer.toString('utf8', 0, length) }),
  );
}

function readChecked<P, R>(file: string, limits: RegularFileLimits, refuse: (message: string) => P, bufferFor: (size: number) => Buffer, result: (buffer: Buffer, length: number) => R): R | P {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return refuse('is not a regular file');
    if (limits.describeHardLinks && stat.nlink > 1) return refuse(limits.describeHardLinks(stat.nlink));
    if (stat.size > limits.maxBytes) return refuse(limits.describeLimit(stat.size));
    // One byte more than fstat said: a file that grows meanwhile is refused, never read without end.
    const buffer = bufferFor(stat.size);
    const end = stat.size + 1;
    let length = 0;
    for (let read; length < end && (read = fs.readSync(fd, buffer, length, end - length, null)) > 0;) length += read;
    if (length > stat.size) return refuse('changed while it was read; run the command again');
    return result(buffer, length);
  } finally {
    fs.closeSync(fd);
  }
}
