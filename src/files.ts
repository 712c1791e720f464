import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path in the project's own tree (migrations, demo mail). This module sits one directory below the
 * project root, as does the build it is bundled into (`dist/main.js`), so one relative URL serves both.
 */
export function projectPath(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/**
 * The files under a path named on the command line: a directory is walked recursively in name order,
 * skipping dot entries, and yields the regular files whose name `accept` takes; any other path named
 * directly is yielded as it is, so reading it reports what is wrong with it.
 */
export async function* walkFiles(
  target: string,
  accept: (name: string) => boolean = () => true,
): AsyncGenerator<string> {
  if (!(await fs.stat(target)).isDirectory()) {
    yield target;
    return;
  }
  for (const entry of (await fs.readdir(target)).sort()) {
    if (entry.startsWith('.')) continue;
    const child = path.join(target, entry);
    const stat = await fs.stat(child);
    if (stat.isDirectory()) yield* walkFiles(child, accept);
    else if (stat.isFile() && accept(entry)) yield child;
  }
}
