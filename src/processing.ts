import type { Config } from './config.js';
import type { ProcessOptions } from './ingest/process-message.js';
import { processOptions, signingKeys } from './ingest/queue.js';
import { confirmationHook, type OutboundIdentity } from './outbound/review.js';

/**
 * How this installation processes mail, for every process that does (worker, CLI import and retry):
 * parse limits, the keys of our signed tokens, whose authentication results to believe, and the
 * confirmation a final approval sends.
 */
export function processingOptions(
  config: Config,
  appSecret: string,
  options: { confirmations: boolean } = { confirmations: true },
): ProcessOptions {
  const signing = signingKeys(appSecret, config.inboxAddress);
  const identity = outboundIdentity(config, appSecret);
  return {
    ...processOptions(config.ingest, signing),
    senderAuth: {
      trustedAuthservIds: config.approvals.trustedAuthservIds,
      verifyWithDns: config.approvals.verifyWithDns,
    },
    // Imports send nothing: history is recorded, nobody is mailed about it.
    inbound: identity && options.confirmations ? { onFinalApproval: confirmationHook(identity) } : {},
  };
}

/** Who our mail is from and where replies go; null until INBOX_ADDRESS (or an IMAP address) is set. */
export function outboundIdentity(config: Config, appSecret: string): OutboundIdentity | null {
  const from = config.outbound.from;
  if (!from || !config.inboxAddress) return null;
  return { from, inboxAddress: config.inboxAddress, keys: signingKeys(appSecret, config.inboxAddress).keys };
}
