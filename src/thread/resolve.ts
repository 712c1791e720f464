/**
 * Which thread does a message belong to? Pure: the repo gathers candidates, this decides.
 * Rules in the order of the product design, first hit wins; never across clients.
 * (Signed reply tokens and signed Message-IDs are rule 1 and the first half of rule 2; they arrive
 * with the outbound work.)
 */

export interface ThreadCandidate {
  threadId: number;
  clientId: number | null;
  lastMessageAt: Date | null;
}

export interface ThreadingInput {
  clientId: number | null;
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

export type ThreadingRule = 'reference' | 'subject_tag' | 'subject';
export type ThreadDecision = { kind: 'existing'; threadId: number; rule: ThreadingRule } | { kind: 'new' };

function sameClient(a: number | null, b: number | null): boolean {
  // An unknown client on either side cannot be told apart from another client by subject alone,
  // but an explicit reference from an unknown sender still joins (a colleague on the client's side).
  return a === null || b === null || a === b;
}

export function resolveThread(input: ThreadingInput): ThreadDecision {
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
