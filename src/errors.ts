/**
 * IO failures throw an AppError with a stable code; callers branch on `code`, never on message text.
 */
export type ErrorCode =
  | 'CONFIG'
  | 'DB_UNAVAILABLE'
  | 'EMBEDDED_PG'
  | 'MIGRATION_CHANGED'
  | 'MIGRATION_FAILED'
  | 'NOT_FOUND'
  | 'BAD_INPUT'
  | 'PARSE_FAILED'
  | 'PARSE_LIMIT'
  | 'IMPORT_READ'
  | 'COPY_FORMAT'
  | 'SEND_PERMANENT'
  | 'SEND_TRANSIENT';

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
