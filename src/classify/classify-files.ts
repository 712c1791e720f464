import fs from 'node:fs/promises';
import { errorMessage } from '../errors.js';
import { walkFiles } from '../files.js';
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

async function classifyFile(file: string): Promise<ClassifyLine> {
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
export async function classifyPaths(paths: string[], emit: (line: ClassifyLine) => void): Promise<void> {
  for (const target of paths) {
    try {
      // A file named on the command line is read whatever its extension; in directories, .eml only.
      for await (const file of walkFiles(target, (name) => /\.eml$/i.test(name)))
        emit(await classifyFile(file));
    } catch (error) {
      emit({ file: target, error: errorMessage(error) });
    }
  }
}
