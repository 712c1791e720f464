import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { AppError } from '../errors.js';
import type { TransactionSql } from './client.js';

/**
 * PostgreSQL's binary COPY format, for moving raw mail in and out without text encoding. postgres.js
 * sends every parameter and reads every column as text, so a bytea crosses the wire as hex: twice its
 * size, encoded by us and decoded by the server on the way in, the reverse on the way out. In the
 * ingest benchmark that was the largest cost of the worker and of PostgreSQL alike. Binary COPY carries
 * the bytes as they are.
 *
 * Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 */

export type CopyColumnType = 'int4' | 'int8' | 'text' | 'bytea' | 'timestamptz' | 'text[]';
export type CopyValue = number | bigint | string | Buffer | Date | string[] | null;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER = Buffer.concat([SIGNATURE, Buffer.alloc(8)]); // flags 0, no header extension
const TRAILER = Buffer.from([0xff, 0xff]);
const TEXT_OID = 25;
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
// Values at least this long are written as their own piece instead of being copied into a row buffer.
const LARGE_VALUE_BYTES = 64 * 1024;

function int32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(value);
  return b;
}

function encodeValue(type: CopyColumnType, value: Exclude<CopyValue, null>): Buffer {
  switch (type) {
    case 'int4':
      return int32(Number(value));
    case 'int8': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(value as number | bigint));
      return b;
    }
    case 'text':
      return Buffer.from(String(value), 'utf8');
    case 'bytea':
      if (!Buffer.isBuffer(value)) throw new TypeError('bytea column needs a Buffer');
      return value;
    case 'timestamptz': {
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        throw new TypeError('timestamptz column needs a valid Date');
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(value.getTime() - POSTGRES_EPOCH_MS) * 1000n);
      return b;
    }
    case 'text[]': {
      if (!Array.isArray(value)) throw new TypeError('text[] column needs an array');
      if (value.length === 0) return Buffer.concat([int32(0), int32(0), int32(TEXT_OID)]);
      const parts = [int32(1), int32(0), int32(TEXT_OID), int32(value.length), int32(1)];
      for (const item of value) {
        const text = Buffer.from(item, 'utf8');
        parts.push(int32(text.length), text);
      }
      return Buffer.concat(parts);
    }
  }
}

/**
 * The whole COPY stream for these rows, as pieces ready to write: small fields are gathered into shared
 * buffers, large values are passed through without a copy.
 */
export function encodeBinaryCopy(
  types: readonly CopyColumnType[],
  rows: readonly (readonly CopyValue[])[],
): Buffer[] {
  const pieces: Buffer[] = [];
  let pending: Buffer[] = [HEADER];
  const flush = () => {
    if (pending.length > 0)
      pieces.push(pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending));
    pending = [];
  };
  const fieldCount = Buffer.allocUnsafe(2);
  fieldCount.writeInt16BE(types.length);
  for (const row of rows) {
    if (row.length !== types.length)
      throw new TypeError(`COPY row has ${row.length} values for ${types.length} columns`);
    pending.push(fieldCount);
    row.forEach((value, i) => {
      if (value === null) {
        pending.push(int32(-1));
        return;
      }
      const encoded = encodeValue(types[i] as CopyColumnType, value);
      pending.push(int32(encoded.length));
      if (encoded.length >= LARGE_VALUE_BYTES) {
        flush();
        pieces.push(encoded);
      } else {
        pending.push(encoded);
      }
    });
  }
  pending.push(TRAILER);
  flush();
  return pieces;
}

/**
 * Runs `copy ... from stdin (format binary)` in this transaction and writes the pieces, waiting for the
 * server between writes so memory stays bounded by what is already in hand.
 */
export async function copyIn(
  tx: TransactionSql,
  statement: string,
  pieces: readonly Buffer[],
): Promise<void> {
  const query = tx.unsafe(statement);
  // postgres.js 3.4 never settles the stream when the server rejects the data after the end of the
  // copy (porsager/postgres#1173): the error only reaches the query's reject, which it calls on a query
  // that has already resolved with the stream. Listening there is what surfaces it.
  const failed = new Promise<never>((_, reject) => {
    const internal = query as unknown as { reject: (error: unknown) => void };
    const original = internal.reject;
    internal.reject = (error: unknown) => {
      reject(error);
      original(error);
    };
  });
  failed.catch(() => {});
  const stream: Writable = await query.writable();
  const done = once(stream, 'finish');
  done.catch(() => {});
  for (const piece of pieces) {
    if (!stream.write(piece)) await Promise.race([once(stream, 'drain'), failed]);
  }
  stream.end();
  await Promise.race([done, failed]);
}

/** Runs `copy (...) to stdout (format binary)` in this transaction and returns its rows as raw fields. */
export async function copyOut(tx: TransactionSql, statement: string): Promise<(Buffer | null)[][]> {
  const stream = await tx.unsafe(statement).readable();
  const decoder = new BinaryCopyDecoder();
  const rows: (Buffer | null)[][] = [];
  try {
    for await (const chunk of stream) rows.push(...decoder.push(chunk as Buffer));
  } finally {
    // postgres.js 3.4 pauses the socket when a row fills the stream's buffer; if the end of the copy
    // arrived in the same read, nothing resumes it and the connection's next query waits forever
    // (porsager/postgres#499). Reading once more after the end is what resumes it.
    stream._read(0);
  }
  decoder.end();
  return rows;
}

/**
 * Splits a binary COPY stream into rows of raw field values, whatever the chunk boundaries. Chunks of
 * an unfinished row are kept as they came and joined once the row can be complete: joining on every
 * chunk copied a 2 MB message about sixteen times over as its 64 KB chunks arrived.
 */
export class BinaryCopyDecoder {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes the parts must hold before another row can be read from them. */
  private need = HEADER.length;
  private headerRead = false;
  private finished = false;

  push(chunk: Buffer): (Buffer | null)[][] {
    this.parts.push(chunk);
    this.partsLength += chunk.length;
    if (this.partsLength < this.need || this.finished) return [];
    const data = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    const rows: (Buffer | null)[][] = [];
    let offset = 0;
    if (!this.headerRead) {
      if (!data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw copyError('bad signature');
      offset = HEADER.length + data.readInt32BE(SIGNATURE.length + 4);
      this.headerRead = true;
    }
    this.need = 2;
    while (offset + 2 <= data.length) {
      const count = data.readInt16BE(offset);
      if (count === -1) {
        this.finished = true;
        offset += 2;
        break;
      }
      const fields: (Buffer | null)[] = [];
      let at = offset + 2;
      for (let i = 0; i < count; i++) {
        if (at + 4 > data.length) {
          this.need = at + 4 - offset;
          break;
        }
        const length = data.readInt32BE(at);
        at += 4;
        if (length === -1) {
          fields.push(null);
          continue;
        }
        if (at + length > data.length) {
          this.need = at + length - offset;
          break;
        }
        fields.push(data.subarray(at, at + length));
        at += length;
      }
      if (fields.length < count) break; // the rest of this row is in a later chunk
      rows.push(fields);
      offset = at;
    }
    const rest = data.subarray(offset);
    this.parts = rest.length > 0 ? [rest] : [];
    this.partsLength = rest.length;
    return rows;
  }

  end(): void {
    if (!this.finished || this.partsLength > 0) throw copyError('the stream ended before its trailer');
  }
}

function copyError(detail: string): AppError {
  return new AppError('COPY_FORMAT', `Unexpected binary COPY data from the database: ${detail}.`);
}

/** A bigint[] literal for a COPY statement, which takes no parameters; only safe integers get in. */
export function bigintArrayLiteral(ids: readonly number[]): string {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new TypeError(`not an integer id: ${id}`);
  return `'{${ids.join(',')}}'::bigint[]`;
}
