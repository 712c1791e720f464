/**
 * Which thread does a message belong to? Pure: the repo gathers candidates, this decides.
 * Rules in the order of the product design, first hit wins; never across clients:
 *   1. `token`: our signed reply token in a recipient address (see tokens.ts);
 *   2. `signed_reference`: In-Reply-To / References naming a Message-ID we signed, then
 *      `reference`: one we sent or ingested (a signed id cannot be forged, a stored one can be named
 *      by anyone, so the signed one is asked first);
 *   3. `subject_tag`: our `[CODE vN]` subject tag;
 *   4. `subject`: the normalised subject, same known client, inside the window.
 * The token and signed-reference inputs are optional: a caller without them threads as before.
 */

export interface ThreadCandidate {
  threadId: number;
  clientId: number | null;
  lastMessageAt: Date | null;
}

export interface ThreadingInput {
  clientId: number | null;
  /** Threads of the deliverable version named by a verified reply token in a recipient address. */
  byToken?: ThreadCandidate[];
  /** Threads of messages named in In-Reply-To / References by a verified signed Message-ID, nearest first. */
  bySignedReference?: ThreadCandidate[];
  /** When the message was received: the subject window is measured from here, so a backfill threads like live mail. */
  receivedAt: Date;
  /** Threads of messages named in In-Reply-To / References (nearest first), then of stored replies to this one. */
  byReference: ThreadCandidate[];
  /** Threads linked to the deliverable version named by a `[CODE vN]` subject tag. */
  bySubjectTag: ThreadCandidate[];
  /** Threads with the same normalised subject, newest first. */
  bySubject: ThreadCandidate[];
  subjectWindowDays: number;
}

export type ThreadingRule = 'token' | 'signed_reference' | 'reference' | 'subject_tag' | 'subject';
export type ThreadDecision = { kind: 'existing'; threadId: number; rule: ThreadingRule } | { kind: 'new' };

function sameClient(a: number | null, b: number | null): boolean {
  // An unknown client on either side cannot be told apart from another client by subject alone,
  // but an explicit reference from an unknown sender still joins (a colleague on the client's side).
  return a === null || b === null || a === b;
}

export function resolveThread(input: ThreadingInput): ThreadDecision {
  const byToken = input.byToken?.find((c) => sameClient(input.clientId, c.clientId));
  if (byToken) return { kind: 'existing', threadId: byToken.threadId, rule: 'token' };
  const bySigned = input.bySignedReference?.find((c) => sameClient(input.clientId, c.clientId));
  if (bySigned) return { kind: 'existing', threadId: bySigned.threadId, rule: 'signed_reference' };
  const byRef = input.byReference.find((c) => sameClient(input.clientId, c.clientId));
  if (byRef) return { kind: 'existing', threadId: byRef.threadId, rule: 'reference' };
  const byTag = input.bySubjectTag.find((c) => sameClient(input.clientId, c.clientId));
  if (byTag) return { kind: 'existing', threadId: byTag.threadId, rule: 'subject_tag' };
  if (input.clientId !== null) {
    const windowStart = input.receivedAt.getTime() - input.subjectWindowDays * 86_400_000;
    const bySubject = input.bySubject.find(
      (c) =>
        c.clientId === input.clientId && c.lastMessageAt !== null && c.lastMessageAt.getTime() >= windowStart,
    );
    if (bySubject) return { kind: 'existing', threadId: bySubject.threadId, rule: 'subject' };
  }
  return { kind: 'new' };
}
