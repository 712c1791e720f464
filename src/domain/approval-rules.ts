/**
 * The approval rules of the product design, as one pure decision: a reply that reads as an approval is
 * final only when every rule holds; otherwise it is kept with the reason a lead must look at it. A false
 * approval is the worst error the product can make, so every doubt lands in the needs-confirmation queue.
 */

export type DecisionReason =
  | 'ambiguous_from'
  | 'unresolved_version'
  | 'not_approver'
  | 'unauthenticated'
  | 'stale_version'
  | 'conditional';

/**
 * When several rules fail, the first of these is the reason shown (all of them are kept in the
 * evidence): who wrote it comes before which version it answers, and both before how it was worded.
 */
export const REASON_ORDER: readonly DecisionReason[] = [
  'ambiguous_from',
  'unresolved_version',
  'not_approver',
  'unauthenticated',
  'stale_version',
  'conditional',
];

export interface ApprovalFacts {
  intent: 'approval' | 'conditional_approval';
  /** More than one From mailbox (or none): identity cannot be established. */
  fromAmbiguous: boolean;
  /** How the version was found; only our signed token or Message-ID count. */
  resolvedBy: 'token' | 'message_id' | 'subject_tag' | null;
  /** The version's status now; superseded means a later version was sent. Null when none was found. */
  versionStatus: string | null;
  /** The From mailbox is a contact of the version's client with can_approve. */
  fromIsApprover: boolean;
  /** DMARC or aligned DKIM passed, read from a trusted Authentication-Results header or verified. */
  authenticated: boolean;
}

export type ApprovalDecision =
  | { status: 'final'; reason: null; reasons: [] }
  | { status: 'needs_confirmation'; reason: DecisionReason; reasons: DecisionReason[] };

export function decideApproval(facts: ApprovalFacts): ApprovalDecision {
  const failed = new Set<DecisionReason>();
  if (facts.fromAmbiguous) failed.add('ambiguous_from');
  if (facts.versionStatus === null || (facts.resolvedBy !== 'token' && facts.resolvedBy !== 'message_id'))
    failed.add('unresolved_version');
  if (!facts.fromIsApprover) failed.add('not_approver');
  if (!facts.authenticated) failed.add('unauthenticated');
  if (facts.versionStatus === 'superseded') failed.add('stale_version');
  if (facts.intent !== 'approval') failed.add('conditional');
  const reasons = REASON_ORDER.filter((r) => failed.has(r));
  const [first] = reasons;
  return first === undefined
    ? { status: 'final', reason: null, reasons: [] }
    : { status: 'needs_confirmation', reason: first, reasons };
}

export type VersionStatus = 'draft' | 'in_review' | 'changes_requested' | 'approved' | 'superseded';

/** What a reply does to the version it answers, when that version is still the current one. */
export function versionStatusAfterReply(
  current: VersionStatus,
  reply: { intent: string | null; finalApproval: boolean },
): VersionStatus {
  if (current === 'superseded' || current === 'draft') return current;
  if (reply.finalApproval) return 'approved';
  // Changes asked for on an approved version reopen it: the client changed their mind.
  if (reply.intent === 'feedback' || reply.intent === 'rejection') return 'changes_requested';
  return current;
}
