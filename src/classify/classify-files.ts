import fs from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { DEFAULT_PARSE_LIMITS } from '../parse/parse-email.js';
import { readMessage } from '../parse/read-message.js';
import type { IntentResult } from './classify.js';
import { understandEmail } from './understand.js';

/**
 * `classify`: .eml files and directories (recursive, sorted) -> one intent line per file. Reads files
 * only: no database, nothing stored, nothing sent. A file that cannot be read gives an error line and
 * the run goes on.
 */

export type ClassifyLine =
  | ({
      file: string;
      visibleText: string;
      automated: string | null;
    } & IntentResult)
  | { file: string; error: string };

async function* emlFiles(target: string): AsyncGenerator<string> {
  const stat = await fs.stat(target);
  if (stat.isDirectory()) {
    for (const entry of (await fs.readdir(target)).sort()) {
      if (entry.startsWith('.')) continue;
      const child = path.join(target, entry);
      const childStat = await fs.stat(child);
      if (childStat.isDirectory() || /\.eml$/i.test(entry)) yield* emlFiles(child);
    }
  } else {
    yield target; // a file named on the command line is read whatever its extension
  }
}

export async function classifyFile(file: string): Promise<ClassifyLine> {
  try {
    const bytes = await fs.readFile(file);
    const { email, flags } = await readMessage(bytes, DEFAULT_PARSE_LIMITS);
    // A message the MIME parser gave up on has no body to read: report it instead of guessing.
    if (
      flags.includes('unparseable') ||
      (email.from === null && email.messageId === null && email.subject === '')
    ) {
      return { file, error: 'not an email message (no readable headers or body)' };
    }
    const { reply, automated, intent } = understandEmail(email);
    return { file, ...intent, visibleText: reply.visible, automated: automated?.kind ?? null };
  } catch (error) {
    return { file, error: errorMessage(error) };
  }
}

/** Classifies every .eml file under `paths`, calling `emit` for each line in sorted path order. */
export async function classifyPaths(paths: string[], emit: (line: ClassifyLine) => void): Promise<number> {
  let count = 0;
  for (const target of paths) {
    try {
      for await (const file of emlFiles(target)) {
        emit(await classifyFile(file));
        count++;
      }
    } catch (error) {
      emit({ file: target, error: errorMessage(error) });
      count++;
    }
  }
  return count;
}
