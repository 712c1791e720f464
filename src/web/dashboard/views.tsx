import type { Child } from 'hono/jsx';
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
  active: ThreadView | null;
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
            {m.intent ? <span class="chip">{m.intent}</span> : null}
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
