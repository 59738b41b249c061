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
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return refuse('is not a regular file');
    // A hard link is the same file under two names: it could be the password file's (a link by
    // another name). git never checks out hard links.
    if (limits.singleName && stat.nlink > 1) return refuse(`has ${stat.nlink} names (hard links), and cluster files must be files of their own (a hard link could be another file, such as the password file); replace it with a copy`);
    if (stat.size > limits.maxBytes) return refuse(limits.describeLimit(stat.size));
    // One byte more than fstat said: a file that grows meanwhile is refused, never read without end.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (let read; length < buffer.length && (read = fs.readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += read;
    if (length > stat.size) return refuse('changed while it was read; run the command again');
    return { content: buffer.subarray(0, length) };
  } finally {
    fs.closeSync(fd);
  }
}
