import { simpleParser } from 'mailparser';
import { classifyIntent } from '../../src/classify/classify.js';
import { detectAutomated } from '../../src/parse/automated.js';
import { inspectStructure } from '../../src/parse/inspect.js';
import {
  DEFAULT_PARSE_LIMITS,
  PARSER_OPTIONS,
  type ParsedEmail,
  parseEmail,
} from '../../src/parse/parse-email.js';
import { extractVisibleReply } from '../../src/parse/reply-text.js';
import { readStat } from '../helpers/process.js';
import { generateMailbox } from './ingest.js';

/**
 * Where a worker's reading time goes, stage by stage, on the ingest benchmark's generated mailbox and
 * without IMAP or a database: mailparser alone, our parse (mailparser, with plain base64 attachments
 * decoded by us, plus addresses, headers and attachment hashes), the structure checks, reply text and
 * intent. Each stage runs over all messages in turn, and the rounds repeat, so a drift in the
 * machine's speed touches every stage alike. Figures are main-thread CPU milliseconds per message,
 * the best round of each stage.
 */

const DEFAULT_COUNT = 2000;
const ROUNDS = 3;

/** CPU milliseconds of this process's main thread so far. */
function threadCpuMs(): number {
  const stat = readStat(`/proc/self/task/${process.pid}/stat`);
  if (!stat) throw new Error('read needs /proc to time the main thread');
  return stat.cpu * 1000;
}

export async function readBench(args: string[]): Promise<void> {
  const count = args[0] ? Number(args[0]) : DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 1) throw new Error(`read [count]: not a count: ${args[0]}`);
  const messages = generateMailbox(count).map((m) => m.bytes);
  const bodies = messages.map((bytes) => inspectStructure(bytes).base64Bodies);
  const emails: ParsedEmail[] = [];
  for (const [i, bytes] of messages.entries())
    emails.push(await parseEmail(bytes, DEFAULT_PARSE_LIMITS, bodies[i]));
  const replies = emails.map((e) => extractVisibleReply({ text: e.text, html: e.html, subject: e.subject }));

  const stages: [string, () => Promise<void> | void][] = [
    [
      'mailparser',
      async () => {
        for (const bytes of messages) await simpleParser(bytes, PARSER_OPTIONS);
      },
    ],
    [
      'parse',
      async () => {
        for (const [i, bytes] of messages.entries()) await parseEmail(bytes, DEFAULT_PARSE_LIMITS, bodies[i]);
      },
    ],
    [
      'structure',
      () => {
        for (const bytes of messages) inspectStructure(bytes);
      },
    ],
    [
      'reply',
      () => {
        for (const e of emails) extractVisibleReply({ text: e.text, html: e.html, subject: e.subject });
      },
    ],
    [
      'intent',
      () => {
        for (const [i, e] of emails.entries()) {
          const visibleText = replies[i]?.visible ?? '';
          classifyIntent({ visibleText, subject: e.subject, automated: detectAutomated(e) });
        }
      },
    ],
  ];
  const best = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of stages) {
      const start = threadCpuMs();
      await run();
      const ms = (threadCpuMs() - start) / count;
      best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, ms));
    }
  }
  const fmt = (name: string) => (best.get(name) ?? 0).toFixed(3);
  for (const [name] of stages) process.stdout.write(`${name.padEnd(11)} ${fmt(name)} ms of CPU a message\n`);
  const ours = ['parse', 'structure', 'reply', 'intent'].reduce((sum, n) => sum + (best.get(n) ?? 0), 0);
  process.stdout.write(
    `read mailparser_ms=${fmt('mailparser')} parse_ms=${fmt('parse')} structure_ms=${fmt('structure')} ` +
      `reply_ms=${fmt('reply')} intent_ms=${fmt('intent')} read_over_mailparser=${(ours / (best.get('mailparser') ?? 1)).toFixed(2)}\n`,
  );
}
