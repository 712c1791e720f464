import { describe, expect, it } from 'vitest';
import {
  type ApprovalFacts,
  decideApproval,
  versionStatusAfterReply,
} from '../../src/domain/approval-rules.js';

const FINAL: ApprovalFacts = {
  intent: 'approval',
  fromAmbiguous: false,
  resolvedBy: 'token',
  versionStatus: 'in_review',
  fromIsApprover: true,
  authenticated: true,
};

describe('decideApproval', () => {
  it('is final only when every rule holds, by token or by our Message-ID', () => {
    expect(decideApproval(FINAL)).toEqual({ status: 'final', reason: null, reasons: [] });
    expect(decideApproval({ ...FINAL, resolvedBy: 'message_id' }).status).toBe('final');
    // A second approver approving an approved version is final too.
    expect(decideApproval({ ...FINAL, versionStatus: 'approved' }).status).toBe('final');
  });

  it.each([
    [{ fromAmbiguous: true }, 'ambiguous_from'],
    [{ resolvedBy: 'subject_tag' as const }, 'unresolved_version'],
    [{ resolvedBy: null, versionStatus: null }, 'unresolved_version'],
    [{ fromIsApprover: false }, 'not_approver'],
    [{ authenticated: false }, 'unauthenticated'],
    [{ versionStatus: 'superseded' }, 'stale_version'],
    [{ intent: 'conditional_approval' as const }, 'conditional'],
  ])('needs confirmation when one rule fails: %o -> %s', (change, reason) => {
    expect(decideApproval({ ...FINAL, ...change })).toMatchObject({
      status: 'needs_confirmation',
      reason,
      reasons: [reason],
    });
  });

  it('names the first failed rule and keeps all of them', () => {
    expect(
      decideApproval({
        ...FINAL,
        fromIsApprover: false,
        authenticated: false,
        intent: 'conditional_approval',
      }),
    ).toEqual({
      status: 'needs_confirmation',
      reason: 'not_approver',
      reasons: ['not_approver', 'unauthenticated', 'conditional'],
    });
    expect(decideApproval({ ...FINAL, versionStatus: 'superseded', authenticated: false }).reason).toBe(
      'unauthenticated',
    );
  });
});

describe('versionStatusAfterReply', () => {
  it('moves the current version and never an old or unsent one', () => {
    expect(versionStatusAfterReply('in_review', { intent: 'approval', finalApproval: true })).toBe(
      'approved',
    );
    expect(versionStatusAfterReply('in_review', { intent: 'feedback', finalApproval: false })).toBe(
      'changes_requested',
    );
    expect(versionStatusAfterReply('in_review', { intent: 'rejection', finalApproval: false })).toBe(
      'changes_requested',
    );
    expect(versionStatusAfterReply('in_review', { intent: 'question', finalApproval: false })).toBe(
      'in_review',
    );
    expect(versionStatusAfterReply('superseded', { intent: 'approval', finalApproval: true })).toBe(
      'superseded',
    );
    expect(versionStatusAfterReply('draft', { intent: 'feedback', finalApproval: false })).toBe('draft');
  });
});
