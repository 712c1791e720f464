import type { Child } from 'hono/jsx';
import type { DecisionView } from '../../domain/decisions.repo.js';
import type { RequestView } from '../../domain/requests.repo.js';
import type { FailedMessage, IngestionStatus } from '../../ingest/health.repo.js';
import type { SessionUser } from '../sessions.repo.js';
import type { ThreadListItem, ThreadMessage, ThreadView } from './threads.repo.js';

const STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  waiting_on_us: 'Waiting on us',
  waiting_on_client: 'Waiting on client',
  snoozed: 'Snoozed',
  closed: 'Closed',
};

function formatTime(value: Date | null): string {
  return value ? value.toISOString().replace('T', ' ').slice(0, 16) : '';
}

export function Page(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Signoff`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function LoginPage(props: { csrf: string; error?: string; email?: string; next?: string }) {
  return (
    <Page title="Sign in">
      <form class="login" method="post" action="/login">
        <h1>Sign in to Signoff</h1>
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="next" value={props.next ?? '/'} />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value={props.email ?? ''}
        />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <p>
          <button type="submit">Sign in</button>
        </p>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
      </form>
    </Page>
  );
}

function Shell(props: {
  user: SessionUser;
  csrf: string;
  title: string;
  active: ThreadView | 'ingestion' | 'decisions' | 'requests' | null;
  children: Child;
}) {
  const views: [ThreadView, string][] = [
    ['all', 'Inbox'],
    ['waiting_on_us', 'Waiting on us'],
    ['waiting_on_client', 'Waiting on client'],
    ['closed', 'Closed'],
  ];
  return (
    <Page title={props.title}>
      <header class="top">
        <span class="brand">Signoff</span>
        <nav>
          {views.map(([view, label]) => (
            <a
              href={view === 'all' ? '/threads' : `/threads?view=${view}`}
              class={props.active === view ? 'active' : ''}
            >
              {label}
            </a>
          ))}
          <a href="/decisions" class={props.active === 'decisions' ? 'active' : ''}>
            Needs confirmation
          </a>
          <a href="/requests" class={props.active === 'requests' ? 'active' : ''}>
            Requests
          </a>
          <a href="/ingestion" class={props.active === 'ingestion' ? 'active' : ''}>
            Ingestion health
          </a>
        </nav>
        <span class="muted">{props.user.name}</span>
        <form method="post" action="/logout">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <button type="submit" class="link">
            Sign out
          </button>
        </form>
      </header>
      <main>{props.children}</main>
    </Page>
  );
}

export function ThreadListPage(props: {
  user: SessionUser;
  csrf: string;
  view: ThreadView;
  threads: ThreadListItem[];
}) {
  const title = props.view === 'all' ? 'Inbox' : (STATUS_LABELS[props.view] ?? props.view);
  return (
    <Shell user={props.user} csrf={props.csrf} title={title} active={props.view}>
      <h1>
        {title} <span class="muted">({props.threads.length})</span>
      </h1>
      {props.threads.length === 0 ? (
        <p class="muted">No threads here.</p>
      ) : (
        <table class="threads">
          <thead>
            <tr>
              <th>Client</th>
              <th>Thread</th>
              <th>Status</th>
              <th>Owner</th>
              <th>Last activity</th>
            </tr>
          </thead>
          <tbody>
            {props.threads.map((t) => (
              <tr data-thread-id={String(t.id)}>
                <td>{t.clientCode ?? <span class="muted">Unknown</span>}</td>
                <td>
                  <a href={`/threads/${t.id}`}>{t.subject || '(no subject)'}</a>
                  {t.deliverableCode ? (
                    <span class="chip">{`${t.deliverableCode} v${t.versionNumber}`}</span>
                  ) : null}
                  <div class="snippet">
                    {t.lastFrom ? `${t.lastFrom}: ` : ''}
                    {t.snippet ?? ''}
                  </div>
                </td>
                <td>
                  <span class={`chip ${t.status}`}>{STATUS_LABELS[t.status] ?? t.status}</span>
                </td>
                <td>{t.assigneeName ?? <span class="muted">Unassigned</span>}</td>
                <td class="muted">
                  {formatTime(t.lastMessageAt)} · {t.messageCount} msg
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Shell>
  );
}

export function ThreadPage(props: {
  user: SessionUser;
  csrf: string;
  thread: ThreadListItem;
  messages: ThreadMessage[];
}) {
  const t = props.thread;
  return (
    <Shell user={props.user} csrf={props.csrf} title={t.subject || 'Thread'} active={null}>
      <p>
        <a href="/threads">← Inbox</a>
      </p>
      <h1>{t.subject || '(no subject)'}</h1>
      <p class="muted">
        {t.clientName ?? 'Unknown client'} ·{' '}
        <span class={`chip ${t.status}`}>{STATUS_LABELS[t.status] ?? t.status}</span>
        {t.deliverableCode ? ` · ${t.deliverableCode} v${t.versionNumber}` : ''}
      </p>
      {props.messages.map((m) => (
        <article class={`card ${m.direction}`}>
          <div class="meta">
            <strong>{m.fromName || m.fromAddress || 'Unknown sender'}</strong>
            <span>{m.fromAddress}</span>
            <span>{formatTime(m.receivedAt)}</span>
            {m.intent ? (
              <span class="chip" title={m.decidingPhrase ?? ''}>
                {m.intent.replace('_', ' ')}
              </span>
            ) : null}
            {m.versionLabel ? <span class="chip">{`on ${m.versionLabel}`}</span> : null}
            {m.decisionStatus ? (
              <a class="chip" href="/decisions?status=all">
                {m.decisionReason
                  ? `${m.decisionStatus.replace('_', ' ')}: ${REASON_LABELS[m.decisionReason] ?? m.decisionReason}`
                  : m.decisionStatus.replace('_', ' ')}
              </a>
            ) : null}
            {m.direction === 'outbound' ? <span class="chip">sent by us</span> : null}
          </div>
          <pre>{m.visibleText || '(no new text)'}</pre>
          {m.attachments.length > 0 ? (
            <p class="muted">
              Attachments: {m.attachments.map((a) => a.filename ?? a.contentType).join(', ')}
            </p>
          ) : null}
          {m.signature ? (
            <details>
              <summary>Signature</summary>
              <pre>{m.signature}</pre>
            </details>
          ) : null}
          {m.quotedText ? (
            <details>
              <summary>Quoted history</summary>
              <pre>{m.quotedText}</pre>
            </details>
          ) : null}
        </article>
      ))}
    </Shell>
  );
}

function seconds(value: number | null): string {
  if (value === null) return '–';
  if (value < 120) return `${value} s`;
  if (value < 7200) return `${Math.round(value / 60)} min`;
  return `${Math.round(value / 3600)} h`;
}

export function IngestionPage(props: {
  user: SessionUser;
  csrf: string;
  status: IngestionStatus;
  failures: FailedMessage[];
  notice?: string | undefined;
}) {
  const m = props.status.messages;
  return (
    <Shell user={props.user} csrf={props.csrf} title="Ingestion health" active="ingestion">
      <h1>Ingestion health</h1>
      {props.notice !== undefined ? <p class="muted">{`Queued ${props.notice} message(s) again.`}</p> : null}
      <p id="counts">
        <span class="chip">{`${m.stored} stored`}</span>{' '}
        <span class="chip">{`${m.processed} processed`}</span>{' '}
        <span class="chip">{`${m.queued} queued`}</span>{' '}
        <span class={`chip ${m.failed > 0 ? 'waiting_on_us' : ''}`}>{`${m.failed} failed`}</span>
      </p>
      <h2>Mailboxes</h2>
      {props.status.mailboxes.length === 0 ? (
        <p class="muted">
          No mailboxes yet. Set IMAP_HOST and friends, or run: npm run -s cli -- mailbox add
        </p>
      ) : (
        <table class="threads" id="mailboxes">
          <thead>
            <tr>
              <th>Mailbox</th>
              <th>State</th>
              <th>Last sync</th>
              <th>Lag (arrival to processed)</th>
              <th>Oldest queued</th>
              <th>Folders</th>
            </tr>
          </thead>
          <tbody>
            {props.status.mailboxes.map((b) => (
              <tr data-mailbox-id={String(b.id)}>
                <td>
                  {b.name}
                  {b.lastError ? <div class="snippet">{b.lastError}</div> : null}
                </td>
                <td>
                  <span class="chip">{b.enabled ? b.state : 'disabled'}</span>
                </td>
                <td class="muted">{formatTime(b.lastSyncAt)}</td>
                <td>{seconds(b.lagSeconds)}</td>
                <td>{seconds(b.oldestQueuedSeconds)}</td>
                <td class="muted">{b.folders.map((f) => `${f.path} (uid ${f.lastUid})`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Ingestion errors</h2>
      {props.failures.length === 0 ? (
        <p class="muted">No failed messages.</p>
      ) : (
        <>
          <form method="post" action="/ingestion/retry">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <button type="submit">Retry all failed</button>
          </form>
          <table class="threads" id="failures">
            <thead>
              <tr>
                <th>Raw message</th>
                <th>Error</th>
                <th>Stored</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {props.failures.map((f) => (
                <tr data-raw-id={String(f.id)}>
                  <td>
                    {`#${f.id} · ${f.source}`}
                    <div class="snippet">{`${f.sourceRef ?? `mailbox ${f.mailboxId} uid ${f.uid}`} · ${f.size} bytes`}</div>
                  </td>
                  <td>
                    <span class="chip">{f.lastErrorCode ?? 'error'}</span>
                    <div class="snippet">{f.lastError ?? ''}</div>
                  </td>
                  <td class="muted">{`${formatTime(f.storedAt)} · ${f.attempts} attempt(s)`}</td>
                  <td>
                    <form method="post" action="/ingestion/retry">
                      <input type="hidden" name="_csrf" value={props.csrf} />
                      <input type="hidden" name="id" value={String(f.id)} />
                      <button type="submit" class="link">
                        Retry
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Shell>
  );
}

/** Why an approval-like reply was not final, in the words a lead needs to decide. */
const REASON_LABELS: Record<string, string> = {
  ambiguous_from: 'More than one sender, or none',
  unresolved_version: 'Not tied to a version by our reply address or Message-ID',
  not_approver: 'The sender may not approve for this client',
  unauthenticated: 'The sender could not be authenticated',
  stale_version: 'A later version was sent since',
  conditional: 'Approved with conditions',
};

const DECISION_FILTERS: [string, string][] = [
  ['needs_confirmation', 'Needs confirmation'],
  ['final', 'Final'],
  ['confirmed', 'Confirmed'],
  ['dismissed', 'Dismissed'],
  ['all', 'All'],
];

export function DecisionsPage(props: {
  user: SessionUser;
  csrf: string;
  status: string;
  decisions: DecisionView[];
  notice?: string | undefined;
}) {
  return (
    <Shell user={props.user} csrf={props.csrf} title="Approval decisions" active="decisions">
      <h1>Approval decisions</h1>
      <nav class="filters">
        {DECISION_FILTERS.map(([value, label]) => (
          <a href={`/decisions?status=${value}`} class={props.status === value ? 'active' : ''}>
            {label}
          </a>
        ))}
      </nav>
      {props.notice === 'already' ? (
        <p class="muted" role="status">
          That decision was already settled.
        </p>
      ) : props.notice !== undefined ? (
        <p class="muted" role="status">{`Decision ${props.notice}.`}</p>
      ) : null}
      {props.decisions.length === 0 ? (
        <p class="muted">Nothing here.</p>
      ) : (
        <table class="threads" id="decisions">
          <thead>
            <tr>
              <th>Deliverable</th>
              <th>From</th>
              <th>Said</th>
              <th>Why</th>
              <th>Received</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.decisions.map((d) => (
              <tr data-decision-id={String(d.id)}>
                <td>
                  {d.deliverable ? `${d.deliverable} v${d.version ?? '?'}` : 'No deliverable'}
                  <div class="snippet">{d.intent === 'approval' ? 'Approval' : 'Conditional approval'}</div>
                </td>
                <td>{d.from ?? ''}</td>
                <td>
                  {d.threadId !== null ? (
                    <a href={`/threads/${d.threadId}`}>{d.decidingPhrase ?? '(open the thread)'}</a>
                  ) : (
                    d.decidingPhrase
                  )}
                </td>
                <td>
                  <span class="chip">{d.status.replace('_', ' ')}</span>
                  {d.reason ? <div class="snippet">{REASON_LABELS[d.reason] ?? d.reason}</div> : null}
                  <div class="snippet">{`Sender check: ${d.auth}`}</div>
                </td>
                <td class="muted">{formatTime(d.receivedAt)}</td>
                <td>
                  {d.status === 'needs_confirmation' ? (
                    <>
                      <form method="post" action={`/decisions/${d.id}/confirm`}>
                        <input type="hidden" name="_csrf" value={props.csrf} />
                        <button type="submit">Confirm</button>
                      </form>
                      <form method="post" action={`/decisions/${d.id}/dismiss`}>
                        <input type="hidden" name="_csrf" value={props.csrf} />
                        <button type="submit" class="link">
                          Dismiss
                        </button>
                      </form>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Shell>
  );
}

const REQUEST_FILTERS: [string, string][] = [
  ['open', 'Open'],
  ['new', 'New'],
  ['in_progress', 'In progress'],
  ['all', 'All'],
];

export function RequestsPage(props: {
  user: SessionUser;
  csrf: string;
  filter: string;
  requests: RequestView[];
  notice?: string | undefined;
}) {
  return (
    <Shell user={props.user} csrf={props.csrf} title="Requests" active="requests">
      <h1>Requests</h1>
      <nav class="filters">
        {REQUEST_FILTERS.map(([value, label]) => (
          <a href={`/requests?status=${value}`} class={props.filter === value ? 'active' : ''}>
            {label}
          </a>
        ))}
      </nav>
      {props.notice !== undefined ? (
        <p class="muted" role="status">
          {`Request ${props.notice} is in progress.`}
        </p>
      ) : null}
      {props.requests.length === 0 ? (
        <p class="muted">Nothing here.</p>
      ) : (
        <table class="threads" id="requests">
          <thead>
            <tr>
              <th>Request</th>
              <th>Client</th>
              <th>Due</th>
              <th>Owner</th>
              <th>Received</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.requests.map((r) => (
              <tr data-request-id={String(r.id)}>
                <td>
                  {r.threadId !== null ? <a href={`/threads/${r.threadId}`}>{r.title}</a> : r.title}
                  <div class="snippet">{r.requester ?? ''}</div>
                </td>
                <td>{r.client}</td>
                <td>{formatTime(r.dueAt)}</td>
                <td class="muted">{r.owner ?? ''}</td>
                <td class="muted">{formatTime(r.receivedAt)}</td>
                <td>
                  {r.status === 'new' ? (
                    <form method="post" action={`/requests/${r.id}/start`}>
                      <input type="hidden" name="_csrf" value={props.csrf} />
                      <button type="submit">Start</button>
                    </form>
                  ) : (
                    <span class="chip">{r.status.replace('_', ' ')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Shell>
  );
}
