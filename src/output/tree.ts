/** The output tree in memory: relative POSIX path -> file content, sorted by path. */
export type OutputTree = ReadonlyMap<string, string>;
