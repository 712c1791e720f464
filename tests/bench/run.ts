/**
 * Benchmarks: `npm run bench -- <name> [options]`, or `npm run bench` for the list. Each prints its
 * figures and ends with one summary line. Timing goals live here, never in test assertions.
 */

import { importBench } from './import.js';
import { ingestBench } from './ingest.js';
import { largeBench } from './large.js';
import { readBench } from './read.js';
import { replyBench } from './reply.js';
import { startupBench } from './startup.js';

const BENCHES: Record<string, { about: string; run(args: string[]): Promise<void> }> = {
  startup: {
    about: 'fresh data dir -> embedded PostgreSQL, migrations, demo data, login page served',
    run: startupBench,
  },
  import: {
    about: 'import N generated messages into a fresh database (default 2000): messages/s',
    run: importBench,
  },
  ingest: {
    about: 'cold IMAP backfill of N generated messages (default 5000) by a worker process; IDLE latency, RSS',
    run: ingestBench,
  },
  read: {
    about:
      'reading cost by stage (mailparser, parse, structure checks, reply text, intent) on N generated messages',
    run: readBench,
  },
  large: {
    about: 'peak worker memory while two messages of N MB (default 50) are synced and processed',
    run: largeBench,
  },
  reply: {
    about:
      'reply extractor and the email-reply-parser package vs a corpus: reply <corpus dir> [--verbose] [--source <name>]',
    run: replyBench,
  },
};

const [name, ...args] = process.argv.slice(2);
const bench = name ? BENCHES[name] : undefined;
if (!bench) {
  process.stdout.write(`Usage: npm run bench -- <name> [options]\n\n`);
  for (const [key, b] of Object.entries(BENCHES)) process.stdout.write(`  ${key.padEnd(10)} ${b.about}\n`);
  process.exitCode = name ? 2 : 0;
} else {
  await bench.run(args);
}
