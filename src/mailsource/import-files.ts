import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { Sql } from '../db/index.js';
import { errorMessage } from '../errors.js';
import { walkFiles } from '../files.js';
import { storeRawMessage } from '../ingest/raw-store.repo.js';

/**
 * `import`: .eml files, directories (recursive) and mbox files into the raw store, the same queue that
 * IMAP sync feeds. Sends nothing. Idempotent: a message already imported (same bytes) adds nothing.
 */

export interface ImportReport {
  files: number;
  messages: number;
  added: number;
  unchanged: number;
  errors: { path: string; error: string }[];
}

function looksLikeMbox(file: string, head: Buffer): boolean {
  return /\.(mbox|mbx)$/i.test(file) || head.subarray(0, 5).toString('latin1') === 'From ';
}

/**
 * Splits an mbox (mboxo/mboxrd) into messages: a line starting with "From " after a blank line starts
 * a message; ">From " quoting is undone for mboxrd.
 */
export function splitMbox(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1'); // byte-preserving: every byte maps to one char and back
  const messages: Buffer[] = [];
  const starts: number[] = [];
  const pattern = /(^|\n)From [^\n]*\n/g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    starts.push(m.index + (m[1] ?? '').length, m.index + m[0].length);
  }
  for (let i = 0; i < starts.length; i += 2) {
    const bodyStart = starts[i + 1] as number;
    const end = i + 2 < starts.length ? (starts[i + 2] as number) : text.length;
    const body = text
      .slice(bodyStart, end)
      .replace(/\n$/, '')
      .replace(/^>(>*From )/gm, '$1');
    if (body.trim().length > 0) messages.push(Buffer.from(body, 'latin1'));
  }
  return messages;
}

export async function importPaths(sql: Sql, paths: string[], clock: Clock): Promise<ImportReport> {
  const report: ImportReport = { files: 0, messages: 0, added: 0, unchanged: 0, errors: [] };
  for (const target of paths) {
    try {
      for await (const file of walkFiles(path.resolve(target))) {
        report.files++;
        try {
          const bytes = await fs.readFile(file);
          const messages = looksLikeMbox(file, bytes) ? splitMbox(bytes) : [bytes];
          for (const message of messages) {
            report.messages++;
            const added = await storeRawMessage(
              sql,
              { source: 'import', sourceRef: file, bytes: message, internalDate: null },
              clock.now(),
            );
            if (added) report.added++;
            else report.unchanged++;
          }
        } catch (error) {
          report.errors.push({ path: file, error: errorMessage(error) });
        }
      }
    } catch (error) {
      report.errors.push({ path: target, error: errorMessage(error) });
    }
  }
  return report;
}
