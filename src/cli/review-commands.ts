import { listAudit } from '../domain/audit.repo.js';
import { type DecisionStatus, listDecisions } from '../domain/decisions.repo.js';
import { findDeliverable } from '../domain/deliverables.repo.js';
import { listFeedback, markFeedbackAddressed } from '../domain/feedback.repo.js';
import { settleByLead } from '../domain/inbound.js';
import { listRequests, type RequestStatus, startRequest } from '../domain/requests.repo.js';
import { flushOutbox } from '../outbound/deliver.js';
import { outboxStatuses, queuedByKey } from '../outbound/outbox.repo.js';
import { confirmationKey, sendForReview } from '../outbound/review.js';
import { createSender } from '../outbound/sender.js';
import { outboundIdentity, processingOptions } from '../processing.js';
import { resolveAppSecret } from '../secrets.js';
import {
  asUsage,
  type Command,
  type Context,
  cliActor,
  listCommand,
  oneOf,
  optionalString,
  parsePositiveInt,
  print,
  requireString,
  singleId,
  stringList,
  UsageError,
  withDatabase,
} from './common.js';

/** Review from the command line: sending versions, the outbox, decisions, feedback and requests. */

export const REVIEW_HELP = `  version send --deliverable <code> [--version <n>] [--to <email>]... [--json]
                                send a version for review (the client's approvers by default)
  outbox flush [--json]         deliver the mail that is due now
  decisions list [--deliverable <code>] [--status <s>] [--json]
                                approval decisions: final, needs_confirmation, confirmed, dismissed
  decision confirm|dismiss <id> [--json]
                                settle a decision that needs confirmation
  feedback list [--deliverable <code>] [--status open|addressed] [--json]
  feedback address <id>         mark feedback as addressed
  requests list [--client <CODE>] [--status <s>] [--json]
  request start <id>            mark a request in progress (stops the intake-to-start clock)
  audit list [--subject <type>] [--id <id>] [--limit <n>] [--json]
                                the audit trail, newest first (subject: approval, version, request ...)`;

const DECISION_STATUSES = ['final', 'needs_confirmation', 'confirmed', 'dismissed'] as const;
const REQUEST_STATUSES = ['new', 'in_progress', 'done', 'declined'] as const;

function senderFor(ctx: Context) {
  return createSender(ctx.config().outbound);
}

export const REVIEW_COMMANDS: Record<string, Command> = {
  'version send': {
    options: {
      deliverable: { type: 'string' },
      version: { type: 'string' },
      to: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    async run(ctx) {
      const config = ctx.config();
      const identity = outboundIdentity(config, await resolveAppSecret(config));
      if (!identity)
        throw new UsageError('sending needs INBOX_ADDRESS (the address clients reply to); see README.md');
      const number = parsePositiveInt(ctx.values.version, 'version', 100_000) ?? null;
      const to = stringList(ctx.values, 'to');
      const result = await withDatabase(ctx, async (sql) => {
        const deliverable = await asUsage(findDeliverable(sql, requireString(ctx.values, 'deliverable')));
        const actor = await cliActor(sql, ctx.values);
        const send = await asUsage(
          sql.begin((tx) =>
            sendForReview(
              tx,
              { deliverableId: deliverable.id, versionNumber: number, to: to.length > 0 ? to : null },
              identity,
              actor,
              ctx.clock.now(),
            ),
          ),
        );
        const sender = senderFor(ctx);
        try {
          const ids = send.messages.map((m) => m.outboxId);
          const delivery = await flushOutbox(sql, sender, ctx.clock, ctx.log(), { ids });
          // A running worker may have sent some first: the rows say what happened to each.
          return { send, delivery, status: await outboxStatuses(sql, ids) };
        } finally {
          await sender.close();
        }
      });
      const { send, delivery, status } = result;
      const messages = send.messages.map((m) => ({
        to: m.to,
        messageId: m.messageId,
        replyTo: m.replyTo,
        subject: m.subject,
        // sent, queued (to retry), sending (another process has it) or dead; "already" when sent before.
        delivery: `${status.get(m.outboxId) ?? 'queued'}${m.newlyQueued ? '' : ' (already)'}`,
      }));
      print(
        Boolean(ctx.values.json),
        { deliverable: send.deliverable, version: send.version, messages },
        [
          `Sent ${send.deliverable} v${send.version} for review:`,
          ...messages.map((m) => `  ${m.to}: ${m.delivery} ${m.messageId}`),
        ].join('\n'),
      );
      return delivery.failed + delivery.dead > 0 ? 1 : 0;
    },
  },
  'outbox flush': {
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      const result = await withDatabase(ctx, async (sql) => {
        const sender = senderFor(ctx);
        try {
          return await flushOutbox(sql, sender, ctx.clock, ctx.log());
        } finally {
          await sender.close();
        }
      });
      print(
        Boolean(ctx.values.json),
        result,
        `Sent ${result.sent}, failed ${result.failed} (will retry), dead ${result.dead}.` +
          result.results.map((r) => `\n  ${r.id} ${r.status}: ${r.detail}`).join(''),
      );
      return result.failed + result.dead > 0 ? 1 : 0;
    },
  },
  'decisions list': listCommand(
    { deliverable: { type: 'string' }, status: { type: 'string' } },
    (ctx, sql) =>
      listDecisions(sql, {
        deliverableCode: optionalString(ctx.values, 'deliverable')?.toUpperCase(),
        status: oneOf<DecisionStatus>(DECISION_STATUSES, optionalString(ctx.values, 'status'), 'status'),
      }),
    (d) =>
      `${d.id}  ${d.deliverable ?? '-'} v${d.version ?? '?'}  ${d.intent}  ${d.status}${d.reason ? ` (${d.reason})` : ''}  ${d.from ?? ''}  ${d.messageId ?? ''}`,
    'No decisions.',
  ),
  'feedback list': listCommand(
    { deliverable: { type: 'string' }, status: { type: 'string' } },
    (ctx, sql) =>
      listFeedback(sql, {
        deliverableCode: optionalString(ctx.values, 'deliverable')?.toUpperCase(),
        status: oneOf(['open', 'addressed'] as const, optionalString(ctx.values, 'status'), 'status'),
      }),
    (f) =>
      `${f.id}  ${f.deliverable} v${f.version}  ${f.status}  ${f.from}: ${f.text.replace(/\s+/g, ' ').slice(0, 100)}`,
    'No feedback.',
  ),
  'feedback address': {
    options: { json: { type: 'boolean' } },
    positionals: 'some',
    async run(ctx) {
      const id = singleId(ctx, 'feedback');
      const outcome = await withDatabase(ctx, async (sql) => {
        const actor = await cliActor(sql, ctx.values);
        return asUsage(sql.begin((tx) => markFeedbackAddressed(tx, id, actor, ctx.clock.now())));
      });
      print(Boolean(ctx.values.json), { id, outcome }, `Feedback ${id}: ${outcome}.`);
      return 0;
    },
  },
  'requests list': listCommand(
    { client: { type: 'string' }, status: { type: 'string' } },
    (ctx, sql) =>
      listRequests(sql, {
        clientCode: optionalString(ctx.values, 'client')?.toUpperCase(),
        status: oneOf<RequestStatus>(REQUEST_STATUSES, optionalString(ctx.values, 'status'), 'status'),
      }),
    (r) =>
      `${r.id}  ${r.client}  ${r.status}  due ${r.dueAt?.toISOString() ?? '-'}  ${r.requester ?? ''}: ${r.title}`,
    'No requests.',
  ),
  'request start': {
    options: { json: { type: 'boolean' } },
    positionals: 'some',
    async run(ctx) {
      const id = singleId(ctx, 'request');
      await withDatabase(ctx, async (sql) => {
        const actor = await cliActor(sql, ctx.values);
        await asUsage(sql.begin((tx) => startRequest(tx, id, actor, ctx.clock.now())));
      });
      print(Boolean(ctx.values.json), { id, status: 'in_progress' }, `Request ${id} is in progress.`);
      return 0;
    },
  },
  'audit list': listCommand(
    { subject: { type: 'string' }, id: { type: 'string' }, limit: { type: 'string' } },
    (ctx, sql) =>
      listAudit(sql, {
        subjectType: optionalString(ctx.values, 'subject'),
        subjectId: optionalString(ctx.values, 'id'),
        limit: parsePositiveInt(ctx.values.limit, 'limit', 10_000) ?? 50,
      }),
    (e) =>
      `${e.at.toISOString()}  ${e.actorType}${e.actorId ? `:${e.actorId}` : ''}  ${e.action}  ${e.subjectType} ${e.subjectId}` +
      (e.after ? `  ${JSON.stringify(e.after).slice(0, 120)}` : ''),
    'No audit events.',
  ),
  ...settleCommand('confirm'),
  ...settleCommand('dismiss'),
};

function settleCommand(outcome: 'confirm' | 'dismiss'): Record<string, Command> {
  return {
    [`decision ${outcome}`]: {
      options: { json: { type: 'boolean' } },
      positionals: 'some',
      async run(ctx) {
        const id = singleId(ctx, 'decision');
        const config = ctx.config();
        const hooks = processingOptions(config, await resolveAppSecret(config)).inbound ?? {};
        const decision = await withDatabase(ctx, async (sql) => {
          const actor = await cliActor(sql, ctx.values);
          const settled = await asUsage(
            sql.begin((tx) =>
              settleByLead(
                tx,
                id,
                outcome === 'confirm' ? 'confirmed' : 'dismissed',
                hooks,
                actor,
                ctx.clock.now(),
              ),
            ),
          );
          // A confirmed approval's confirmation mail goes out now, as version send does.
          const queued = await queuedByKey(sql, confirmationKey(id));
          if (queued !== null) {
            const sender = senderFor(ctx);
            try {
              await flushOutbox(sql, sender, ctx.clock, ctx.log(), { ids: [queued] });
            } finally {
              await sender.close();
            }
          }
          return settled;
        });
        print(Boolean(ctx.values.json), decision, `Decision ${id} ${decision.status}.`);
        return 0;
      },
    },
  };
}
