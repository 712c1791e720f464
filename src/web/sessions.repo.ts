import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/index.js';
import type { User } from '../domain/users.repo.js';

/** Sessions are stored by the sha256 of their token: the table alone cannot be replayed. */

export function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(
  sql: Sql,
  userId: number,
  now: Date,
  ttlHours: number,
  meta: { userAgent: string | null; ip: string | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await sql`
    insert into sessions (id, user_id, created_at, expires_at, last_seen_at, user_agent, ip)
    values (${sessionId(token)}, ${userId}, ${now}, ${expiresAt}, ${now}, ${meta.userAgent}, ${meta.ip})`;
  return { token, expiresAt };
}

export type SessionUser = Pick<User, 'id' | 'email' | 'name' | 'role'> & { sessionId: string };

export async function findSessionUser(sql: Sql, token: string, now: Date): Promise<SessionUser | null> {
  const id = sessionId(token);
  const [row] = await sql<(SessionUser & { lastSeenAt: Date })[]>`
    select u.id, u.email, u.name, u.role, s.id as session_id, s.last_seen_at
    from sessions s join users u on u.id = s.user_id
    where s.id = ${id} and s.expires_at > ${now} and u.disabled_at is null`;
  if (!row) return null;
  // Touch at most every five minutes: a page view is not worth a write.
  if (now.getTime() - row.lastSeenAt.getTime() > 300_000) {
    await sql`update sessions set last_seen_at = ${now} where id = ${id}`;
  }
  const { lastSeenAt: _ignored, ...user } = row;
  return user;
}

export async function deleteSession(sql: Sql, token: string): Promise<void> {
  await sql`delete from sessions where id = ${sessionId(token)}`;
}
