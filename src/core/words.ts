/** Small text helpers shared by the command line and the reports. */

/** "1 channel", "3 channels", "1 wrong key set": n and the noun in the right number. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/** A folder as messages show it: with exactly one trailing slash ("report/", also for "report//"); "/" stays "/". */
export function folderName(path: string): string {
  const bare = path.replace(/\/+$/, '');
  return bare === '' ? '/' : `${bare}/`;
}
