import * as fs from 'fs';

/** What a regular file must be for readRegularFile to read it. */
export interface RegularFileLimits {
  /** Files larger than this are refused unread. */
  readonly maxBytes: number;
  /** Say what the limit is, in the refusal of a larger file. */
  readonly describeLimit: (size: number) => string;
  /** Refuse a file with more than one name (hard links), which could be another file by another name. */
  readonly singleName?: boolean;
}

/**
 * A file's bytes, read only if it is a regular file (never through a symbolic link, never blocking
 * on a FIFO, never more than its limit, even if it grows meanwhile); otherwise `refuse(reason)`.
 * Untrusted folders (the inventory, the output folder) are read through it: a name can be swapped
 * for a link or a FIFO between listing a folder and reading the file.
 */
export function readRegularFile<P>(file: string, limits: RegularFileLimits, refuse: (message: string) => P): { content: Buffer } | P {
  return readChecked(file, limits, refuse, (size) => Buffer.allocUnsafe(size + 1), (buffer, length) => ({ content: buffer.subarray(0, length) }));
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
    // A hard link is the same file under two names: it could be the password file's (a link by
    // another name). git never checks out hard links.
    if (limits.singleName && stat.nlink > 1) return refuse(`has ${stat.nlink} names (hard links), and cluster files must be files of their own (a hard link could be another file, such as the password file); replace it with a copy`);
    if (stat.size > limits.maxBytes) return refuse(limits.describeLimit(stat.size));
    // One byte more than fstat said: a file that grows meanwhile is refused, never read without end.
    const buffer = bufferFor(stat.size);
    const end = stat.size + 1;
    let length = 0;
    for (let read; length < end && (read = fs.readSync(fd, buffer, length, end - length, null)) > 0; ) length += read;
    if (length > stat.size) return refuse('changed while it was read; run the command again');
    return result(buffer, length);
  } finally {
    fs.closeSync(fd);
  }
}
