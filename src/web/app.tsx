import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Sql } from '../db/index.js';
import { type DecisionStatus, listDecisions } from '../domain/decisions.repo.js';
import { type InboundHooks, settleByLead } from '../domain/inbound.js';
import { listRequests, type RequestStatus, startRequest } from '../domain/requests.repo.js';
import { findUserByEmail } from '../domain/users.repo.js';
import { isAppError } from '../errors.js';
import {
  type IngestionStatus,
  ingestionStatus,
  recentFailures,
  requeueFailed,
} from '../ingest/health.repo.js';
import type { Logger } from '../log.js';
import { deriveKey, hmacHex, safeEqual, verifyPassword } from '../secrets.js';
import { APP_CSS } from './dashboard/styles.js';
import { getThread, listThreads, type ThreadView } from './dashboard/threads.repo.js';
import {
  DecisionsPage,
  IngestionPage,
  LoginPage,
  RequestsPage,
  ThreadListPage,
  ThreadPage,
} from './dashboard/views.js';
import { LoginThrottle } from './login-throttle.js';
import { createSession, deleteSession, findSessionUser, type SessionUser } from './sessions.repo.js';

export interface WebDeps {
  sql: Sql;
  clock: Clock;
  config: Config;
  appSecret: string;
  log: Logger;
  /** What confirming an approval does beyond the database (the approver's confirmation mail). */
  inbound?: InboundHooks;
}

type Env = { Variables: { user: SessionUser; sessionToken: string } };

const SESSION_COOKIE = 'signoff_session';
const LOGIN_CSRF_COOKIE = 'signoff_login_csrf';
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#3451d1"/>' +
  '<path d="M9 17l5 5 9-11" stroke="#fff" stroke-width="3.5" fill="none" stroke-linecap="round"/></svg>';
const VIEWS: ThreadView[] = ['all', 'waiting_on_us', 'waiting_on_client', 'closed'];
const DECISION_STATUSES: DecisionStatus[] = ['final', 'needs_confirmation', 'confirmed', 'dismissed'];
const REQUEST_FILTERS: (RequestStatus | 'open')[] = ['open', 'new', 'in_progress', 'done', 'declined'];
// Password checks take the same time whether or not the address exists.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function apiError(
  c: Context,
  status: 400 | 401 | 403 | 404 | 500 | 503,
  code: string,
  message: string,
) {
  return c.json({ error: { code, message } }, status);
}

/** Only same-site relative paths are followed after login: no open redirect. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[^\\\s]*$/.test(value) ? value : '/threads';
}

export function createApp(deps: WebDeps): Hono<Env> {
  const { sql, clock, config, log } = deps;
  const csrfKey = deriveKey(deps.appSecret, 'csrf');
  const throttle = new LoginThrottle();
  const csrfFor = (sessionToken: string) => hmacHex(csrfKey, sessionToken);

  const isSecure = (c: Context) => {
    if (config.cookieSecure !== 'auto') return config.cookieSecure === 'true';
    const forwarded = config.trustProxy ? c.req.header('x-forwarded-proto') : undefined;
    return (forwarded ?? new URL(c.req.url).protocol.replace(':', '')) === 'https';
  };
  const clientIp = (c: Context) => {
    const forwarded = config.trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
    if (forwarded) return forwarded;
    try {
      return getConnInfo(c).remote.address ?? null;
    } catch {
      return null;
    }
  };

  // What every signed-in page's frame needs: who is signed in, and the CSRF token for its forms.
  const shell = (c: Context<Env>) => ({ user: c.get('user'), csrf: csrfFor(c.get('sessionToken')) });

  const app = new Hono<Env>();

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log.error({ err: error, path: c.req.path }, 'Request failed.');
    return c.req.path.startsWith('/api/')
      ? apiError(c, 500, 'INTERNAL', 'Something went wrong on our side')
      : c.text('Something went wrong on our side.', 500);
  });
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? apiError(c, 404, 'NOT_FOUND', 'No such route')
      : c.text('Not found.', 404),
  );

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  // Cross-site form posts are refused by Origin before any handler runs; tokens below are the second lock.
  const publicOrigin = config.publicUrl ? new URL(config.publicUrl).origin : undefined;
  app.use(
    '*',
    csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin }),
  );

  let healthCache: { at: number; status: IngestionStatus } | undefined;
  app.get('/healthz', async (c) => {
    const started = performance.now();
    let latencyMs: number;
    try {
      await sql`select 1`;
      latencyMs = Math.round(performance.now() - started);
    } catch {
      return c.json({ status: 'down', database: { status: 'down' } }, 503);
    }
    // Probes come every few seconds from every balancer; the counts scan raw_messages, so they are
    // computed at most once per five seconds per process.
    const now = clock.now();
    if (!healthCache || now.getTime() - healthCache.at > 5_000) {
      healthCache = { at: now.getTime(), status: await ingestionStatus(sql, now) };
    }
    const health = healthCache.status;
    // Public for load balancers and monitors: counts and states, but no mailbox names or errors.
    const mailboxes = health.mailboxes
      .filter((m) => m.enabled)
      .map(({ id, state, lastSyncAt, lagSeconds, oldestQueuedSeconds }) => ({
        id,
        state,
        lastSyncAt,
        lagSeconds,
        oldestQueuedSeconds,
      }));
    const degraded = mailboxes.some((m) => m.state === 'backoff' || m.state === 'error');
    return c.json({
      status: degraded ? 'degraded' : 'ok',
      database: { status: 'up', latencyMs },
      messages: health.messages,
      mailboxes,
    });
  });

  app.get('/assets/app.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(APP_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  app.get('/favicon.ico', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(FAVICON_SVG, 200, { 'Content-Type': 'image/svg+xml' });
  });

  const loginPage = (
    c: Context,
    status: 200 | 401 | 403 | 429,
    error?: string,
    email?: string,
    next?: string,
  ) => {
    // The token lives as long as its cookie: a second tab or a background request that lands on /login
    // must not invalidate the form already on screen.
    const existing = getCookie(c, LOGIN_CSRF_COOKIE);
    const token = existing && /^[\w-]{32}$/.test(existing) ? existing : randomBytes(24).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isSecure(c),
      path: '/login',
      maxAge: 3600,
    });
    return c.html(<LoginPage csrf={token} error={error} email={email} next={next} />, status);
  };

  app.get('/login', (c) => loginPage(c, 200, undefined, undefined, safeNext(c.req.query('next'))));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email.trim().toLowerCase() : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const next = safeNext(form.next);
    const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    if (!cookieToken || typeof form._csrf !== 'string' || !safeEqual(cookieToken, form._csrf)) {
      return loginPage(c, 403, 'Your sign-in form expired. Please try again.', email, next);
    }
    const now = clock.now();
    const throttleKey = `${clientIp(c) ?? '?'}|${email}`;
    if (throttle.blocked(throttleKey, now.getTime())) {
      return loginPage(c, 429, 'Too many failed attempts. Wait 15 minutes and try again.', email, next);
    }
    const user = email ? await findUserByEmail(sql, email) : null;
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabledAt) {
      throttle.fail(throttleKey, now.getTime());
      log.info({ ip: clientIp(c) }, 'Sign-in refused.');
      return loginPage(c, 401, 'Wrong email or password.', email, next);
    }
    throttle.succeed(throttleKey);
    const session = await createSession(sql, user.id, now, config.sessionTtlHours, {
      userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null,
      ip: clientIp(c),
    });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: isSecure(c),
      path: '/',
      expires: session.expiresAt,
    });
    log.info({ userId: user.id }, 'User signed in.');
    return c.redirect(next, 303);
  });

  // Everything below needs a signed-in user.
  app.use('*', async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const user = token ? await findSessionUser(sql, token, clock.now()) : null;
    if (!token || !user) {
      if (c.req.path.startsWith('/api/')) return apiError(c, 401, 'UNAUTHENTICATED', 'Sign in first');
      const target = c.req.method === 'GET' ? `?next=${encodeURIComponent(c.req.path)}` : '';
      return c.redirect(`/login${target}`, 303);
    }
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const header = c.req.header('x-csrf-token');
      const body = header ? undefined : await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const sent = header ?? (typeof body?._csrf === 'string' ? body._csrf : '');
      if (!safeEqual(sent, csrfFor(token))) {
        return c.req.path.startsWith('/api/')
          ? apiError(c, 403, 'CSRF', 'Missing or wrong CSRF token')
          : c.text('This form expired. Go back, reload the page and try again.', 403);
      }
    }
    c.set('user', user);
    c.set('sessionToken', token);
    await next();
  });

  app.post('/logout', async (c) => {
    await deleteSession(sql, c.get('sessionToken'));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  app.get('/', (c) => c.redirect('/threads', 302));

  app.get('/threads', async (c) => {
    const requested = c.req.query('view') ?? 'all';
    const view = (VIEWS as string[]).includes(requested) ? (requested as ThreadView) : 'all';
    const threads = await listThreads(sql, view);
    return c.html(<ThreadListPage {...shell(c)} view={view} threads={threads} />);
  });

  app.get('/threads/:id{[0-9]{1,15}}', async (c) => {
    const found = await getThread(sql, Number(c.req.param('id')));
    if (!found) return c.text('Not found.', 404);
    return c.html(<ThreadPage {...shell(c)} {...found} />);
  });

  app.get('/ingestion', async (c) => {
    const [status, failures] = await Promise.all([ingestionStatus(sql, clock.now()), recentFailures(sql)]);
    return c.html(
      <IngestionPage {...shell(c)} status={status} failures={failures} notice={c.req.query('retried')} />,
    );
  });

  app.post('/ingestion/retry', async (c) => {
    const form = await c.req.parseBody();
    const id = typeof form.id === 'string' && /^\d{1,15}$/.test(form.id) ? Number(form.id) : null;
    const count = await requeueFailed(sql, id === null ? 'all' : { id }, clock.now());
    log.info({ userId: c.get('user').id, rawId: id, count }, 'Failed messages queued again.');
    return c.redirect(`/ingestion?retried=${count}`, 303);
  });

  app.get('/api/ingestion', async (c) => c.json(await ingestionStatus(sql, clock.now())));

  const decisionFilter = (value: string | undefined): DecisionStatus | undefined =>
    value === 'all'
      ? undefined
      : DECISION_STATUSES.includes(value as DecisionStatus)
        ? (value as DecisionStatus)
        : 'needs_confirmation';

  app.get('/decisions', async (c) => {
    const status = decisionFilter(c.req.query('status'));
    const decisions = await listDecisions(sql, status ? { status } : {});
    return c.html(
      <DecisionsPage
        {...shell(c)}
        decisions={decisions}
        status={status ?? 'all'}
        notice={c.req.query('settled')}
      />,
    );
  });

  app.post('/decisions/:id{[0-9]{1,15}}/:outcome{confirm|dismiss}', async (c) => {
    const id = Number(c.req.param('id'));
    const outcome = c.req.param('outcome') === 'confirm' ? 'confirmed' : 'dismissed';
    const user = c.get('user');
    // Whether a client approved is a lead's call (or an admin's), not every team member's.
    if (user.role === 'member') return c.text('Only a lead or an admin can settle a decision.', 403);
    try {
      await sql.begin((tx) =>
        settleByLead(tx, id, outcome, deps.inbound ?? {}, { type: 'user', id: user.id }, clock.now()),
      );
    } catch (error) {
      if (isAppError(error, 'NOT_FOUND')) return c.text('Not found.', 404);
      if (isAppError(error, 'BAD_INPUT')) return c.redirect('/decisions?settled=already', 303);
      throw error;
    }
    log.info({ userId: user.id, decisionId: id, outcome }, 'Decision settled.');
    return c.redirect(`/decisions?settled=${outcome}`, 303);
  });

  const requestFilter = (value: string | undefined): RequestStatus | 'open' | undefined =>
    value === 'all'
      ? undefined
      : REQUEST_FILTERS.includes(value as RequestStatus)
        ? (value as RequestStatus)
        : 'open';

  app.get('/requests', async (c) => {
    const status = requestFilter(c.req.query('status'));
    const requests = await listRequests(sql, status ? { status } : {});
    return c.html(
      <RequestsPage
        {...shell(c)}
        requests={requests}
        filter={status ?? 'all'}
        notice={c.req.query('started')}
      />,
    );
  });

  app.post('/requests/:id{[0-9]{1,15}}/start', async (c) => {
    const id = Number(c.req.param('id'));
    const user = c.get('user');
    try {
      await sql.begin((tx) => startRequest(tx, id, { type: 'user', id: user.id }, clock.now()));
    } catch (error) {
      if (isAppError(error, 'NOT_FOUND')) return c.text('Not found.', 404);
      throw error;
    }
    return c.redirect(`/requests?started=${id}`, 303);
  });

  app.get('/api/requests', async (c) => {
    const status = requestFilter(c.req.query('status'));
    return c.json(await listRequests(sql, status ? { status } : {}));
  });

  app.get('/api/decisions', async (c) => {
    const status = decisionFilter(c.req.query('status'));
    return c.json(await listDecisions(sql, status ? { status } : {}));
  });

  app.get('/api/me', (c) => {
    const { id, email, name, role } = c.get('user');
    return c.json({ id, email, name, role, csrfToken: csrfFor(c.get('sessionToken')) });
  });

  return app;
}
