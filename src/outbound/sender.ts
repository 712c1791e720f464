import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import type { OutboundSettings } from '../config.js';
import { AppError, errorMessage } from '../errors.js';
import type { OutgoingMessage } from './compose.js';

/**
 * The IO edge of outbound mail. The MIME is built once with nodemailer's MailComposer, and exactly
 * those bytes go to the SMTP server (or into an .eml file) and into our stored copy of the message.
 */

export interface SendResult {
  raw: Buffer;
  response: string;
}

export interface Sender {
  /** For logs: "SMTP smtp.example.com:587" or "files in <dir>"; never credentials. */
  describe: string;
  send(message: OutgoingMessage, files: Map<string, Buffer>, date: Date): Promise<SendResult>;
  close(): Promise<void>;
}

/** Bounded waits, so a hung server cannot keep a row in 'sending' for long (nodemailer's default socket timeout is 10 minutes). */
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

/** The RFC 5322 message, built once; also the SMTP envelope nodemailer derives from its headers. */
export async function buildMime(
  message: OutgoingMessage,
  files: Map<string, Buffer>,
  date: Date,
): Promise<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
  const attachments = message.attachments.map((file) => {
    const content = files.get(file.sha256);
    if (!content) {
      throw new AppError(
        'SEND_PERMANENT',
        `Attachment ${file.name} (${file.sha256}) is missing from file_blobs`,
      );
    }
    return { filename: file.name, content, contentType: file.contentType };
  });
  // nodemailer is loaded when the first message goes out: most processes send nothing for hours.
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: message.from,
    to: message.to.map((a) => ({ name: a.name, address: a.address })),
    cc: message.cc.length > 0 ? message.cc.map((a) => ({ name: a.name, address: a.address })) : undefined,
    replyTo: message.replyTo ?? undefined,
    subject: message.subject,
    messageId: `<${message.messageId}>`,
    date,
    inReplyTo: message.inReplyTo ? `<${message.inReplyTo}>` : undefined,
    references: message.references.length > 0 ? message.references.map((id) => `<${id}>`) : undefined,
    // Custom headers: nodemailer replaces CR/LF with spaces and encodes non-ASCII text.
    headers: message.headers,
    text: message.text,
    html: message.html ?? undefined,
    attachments,
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  const envelope = node.getEnvelope();
  if (!envelope.from || envelope.to.length === 0) {
    throw new AppError('SEND_PERMANENT', `Message ${message.messageId} has no sender or no recipient`);
  }
  return { raw: await node.build(), envelope: { from: envelope.from, to: envelope.to } };
}

/** Whether a failed SMTP attempt should never be retried: the server refused this message (5xx). */
export function isPermanentSmtpError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { responseCode?: unknown; command?: unknown };
  if (typeof e.responseCode !== 'number' || e.responseCode < 500) return false;
  // A 5xx to AUTH, EHLO or STARTTLS is our configuration, not this message: retried, then dead.
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  return !/^(AUTH|EHLO|HELO|LHLO|STARTTLS|CONN)/.test(command);
}

function smtpSender(settings: NonNullable<OutboundSettings['smtp']>): Sender {
  let transport: Transporter | undefined;
  const connect = async () => {
    const { default: nodemailer } = await import('nodemailer');
    transport ??= nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
      ...SMTP_TIMEOUTS,
    });
    return transport;
  };
  return {
    describe: `SMTP ${settings.host}:${settings.port}`,
    async send(message, files, date) {
      const { raw, envelope } = await buildMime(message, files, date);
      try {
        const info = await (await connect()).sendMail({ envelope, raw });
        const rejected = (info.rejected ?? []).map(String);
        const response = String(info.response ?? '').slice(0, 300);
        return {
          raw,
          response: rejected.length > 0 ? `${response} (rejected: ${rejected.join(', ')})` : response,
        };
      } catch (error) {
        const permanent = isPermanentSmtpError(error);
        throw new AppError(permanent ? 'SEND_PERMANENT' : 'SEND_TRANSIENT', errorMessage(error), {
          cause: error,
        });
      }
    },
    async close() {
      transport?.close();
    },
  };
}

/** `20261020-140312` in UTC. */
function fileStamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

/** A Message-ID as a file name part: unique per row, as the column is. */
export function fileSafe(messageId: string): string {
  return messageId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'message';
}

function fileSender(dir: string): Sender {
  return {
    describe: `files in ${dir}`,
    async send(message, files, date) {
      const { raw } = await buildMime(message, files, date);
      const target = path.join(dir, `${fileStamp(date)}-${fileSafe(message.messageId)}.eml`);
      // Written under a temporary name and renamed, so a reader never sees half a message.
      const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(temp, raw);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => {});
        throw new AppError('SEND_TRANSIENT', `Cannot write ${target}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
      return { raw, response: `written to ${target}` };
    },
    async close() {},
  };
}

/** SMTP when configured, otherwise .eml files in the outbox directory. */
export function createSender(settings: OutboundSettings): Sender {
  return settings.smtp ? smtpSender(settings.smtp) : fileSender(settings.outboxDir);
}
