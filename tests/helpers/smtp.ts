import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * An in-process SMTP server on loopback that keeps what it receives. Recipients starting with
 * `reject@` get a 550, with `later@` a 451, so tests can drive permanent and transient failures.
 */

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface TestSmtp {
  server: SMTPServer;
  port: number;
  received: Received[];
  stop(): Promise<void>;
}

export function startSmtp(): Promise<TestSmtp> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: a self-signed STARTTLS certificate would only test certificate checks.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refuse = (code: number, text: string) =>
        callback(Object.assign(new Error(text), { responseCode: code }));
      if (address.address.startsWith('reject@')) return refuse(550, 'No such mailbox here');
      if (address.address.startsWith('later@')) return refuse(451, 'Try again later');
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback(null, 'Queued as TEST1');
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({ server, port, received, stop: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
