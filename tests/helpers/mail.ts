/**
 * Client replies written the way mail clients write them, for tests of the agency workflow: the reply
 * goes to the signed reply address of a review request and names its Message-ID, with whatever
 * authentication results the receiving server (or a forger) put on top.
 */

export interface ReplyOptions {
  from: string;
  to: string;
  subject: string;
  body: string;
  messageId: string;
  date?: string;
  inReplyTo?: string;
  replyTo?: string;
  /** Authentication-Results values, topmost first. */
  authResults?: string[];
  /** Extra header lines, placed on top (Received ...). */
  extraHeaders?: string[];
}

export function clientReply(o: ReplyOptions): string {
  const lines = [
    ...(o.extraHeaders ?? []),
    ...(o.authResults ?? []).map((value) => `Authentication-Results: ${value}`),
    `From: ${o.from}`,
    `To: ${o.to}`,
    ...(o.replyTo ? [`Reply-To: ${o.replyTo}`] : []),
    `Subject: ${o.subject}`,
    `Date: ${o.date ?? 'Wed, 25 Nov 2026 10:15:00 +0100'}`,
    `Message-ID: <${o.messageId}>`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    o.body,
    '',
  ];
  return lines.join('\r\n');
}
