import type { Sql, TransactionSql } from '../db/index.js';
import { type Actor, recordAudit } from './audit.repo.js';

export type UserRole = 'admin' | 'lead' | 'member';

export interface User {
  id: number;
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string | null;
  disabledAt: Date | null;
}

export async function findUserByEmail(sql: Sql | TransactionSql, email: string): Promise<User | null> {
  const [user] = await sql<User[]>`
    select id, email, name, role, password_hash, disabled_at from users where email = ${email.trim().toLowerCase()}`;
  return user ?? null;
}

export async function countUsers(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from users`;
  return row?.n ?? 0;
}

/** Creates the user, or updates name, role and password when the email exists. */
export async function upsertUser(
  tx: TransactionSql,
  input: { email: string; name: string; role: UserRole; passwordHash: string | null },
  actor: Actor,
  at: Date,
): Promise<{ user: User; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  const before = await findUserByEmail(tx, email);
  const [user] = await tx<User[]>`
    insert into users (email, name, role, password_hash, created_at, updated_at)
    values (${email}, ${input.name}, ${input.role}, ${input.passwordHash}, ${at}, ${at})
    on conflict (email) do update set
      name = excluded.name, role = excluded.role,
      password_hash = coalesce(excluded.password_hash, users.password_hash), updated_at = excluded.updated_at
    returning id, email, name, role, password_hash, disabled_at`;
  const saved = user as User;
  const view = (u: User | null) => u && { email: u.email, name: u.name, role: u.role };
  await recordAudit(tx, {
    actor,
    action: before ? 'user.updated' : 'user.created',
    subjectType: 'user',
    subjectId: saved.id,
    before: view(before) ?? undefined,
    after: view(saved),
    at,
  });
  return { user: saved, created: before === null };
}

export async function setPasswordHash(
  tx: TransactionSql,
  userId: number,
  passwordHash: string,
  actor: Actor,
  at: Date,
) {
  await tx`update users set password_hash = ${passwordHash}, updated_at = ${at} where id = ${userId}`;
  await recordAudit(tx, { actor, action: 'user.password_set', subjectType: 'user', subjectId: userId, at });
}
