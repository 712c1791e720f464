import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/**
 * postgres.js with camelCase at the boundary: snake_case columns become camelCase fields and back.
 * bigint (int8) ids come back as numbers, not strings: our ids stay far below 2^53.
 */
export function createSql(url: string, options: { max?: number; applicationName?: string } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    transform: postgres.camel,
    types: {
      int8: {
        to: 20,
        from: [20],
        serialize: (value: number | bigint) => value.toString(),
        parse: (value: string) => Number(value),
      },
    },
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'signoff' },
    idle_timeout: 60,
    connect_timeout: 15,
  });
}
