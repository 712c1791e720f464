import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type DNSResolver, dkimSign } from 'mailauth';
import { describe, expect, it, vi } from 'vitest';
import {
  authFromResults,
  domainsAligned,
  findBodyLimitedSignatures,
  organizationalDomain,
  readAuthenticationResults,
  verifySender,
} from '../../src/domain/sender-auth.js';

const TRUSTED = ['mx.brightline.example'];
const FROM = 'dana@acme.example';

const APPROVAL = [
  'From: Dana Reyes <dana@acme.example>',
  'To: Studio <studio@brightline.example>',
  'Subject: Re: Spring banner v3',
  'Date: Mon, 2 Jun 2025 10:00:00 +0000',
  'Message-ID: <r1.approval@acme.example>',
  '',
  'Approved, go ahead with v3.',
  '',
  'Dana',
  '',
].join('\r\n');

function withHeaders(message: string, ...headers: string[]): Buffer {
  return Buffer.from([...headers, message].join('\r\n'));
}

describe('authFromResults', () => {
  it('passes on a trusted topmost dmarc=pass', () => {
    const auth = authFromResults(
      ['mx.brightline.example; spf=fail smtp.mailfrom=bounce.example; dmarc=pass header.from=acme.example'],
      FROM,
      TRUSTED,
    );
    expect(auth).toMatchObject({
      verdict: 'pass',
      method: 'authentication_results',
      authservId: 'mx.brightline.example',
      dmarc: 'pass',
    });
    expect(auth?.detail).toBe('dmarc=pass (header.from=acme.example) by mx.brightline.example');
  });

  it('fails on a trusted dmarc=fail', () => {
    const auth = authFromResults(
      ['mx.brightline.example; dmarc=fail header.from=acme.example'],
      FROM,
      TRUSTED,
    );
    expect(auth).toMatchObject({ verdict: 'fail', dmarc: 'fail' });
    expect(auth?.detail).toContain('dmarc=fail');
  });

  it('lets a trusted dmarc failure stand over an aligned dkim=pass beside it', () => {
    for (const dmarc of ['fail', 'temperror', 'permerror']) {
      const auth = authFromResults(
        [
          `mx.brightline.example; dkim=pass header.d=acme.example; spf=pass; dmarc=${dmarc} header.from=acme.example`,
        ],
        FROM,
        TRUSTED,
      );
      expect(auth?.verdict, dmarc).toBe('fail');
    }
  });

  it('passes on an aligned dkim=pass, by header.d or by a subdomain header.i', () => {
    const byD = authFromResults(
      ['mx.brightline.example; dkim=pass header.d=acme.example header.s=s1 header.b=AbCd1234; dmarc=none'],
      FROM,
      TRUSTED,
    );
    expect(byD).toMatchObject({ verdict: 'pass', dmarc: 'none' });
    expect(byD?.dkim).toEqual([
      { domain: 'acme.example', result: 'pass', aligned: true, bodyLengthLimited: false },
    ]);
    const byI = authFromResults(
      ['mx.brightline.example; dkim=pass header.i=@mail.acme.example'],
      FROM,
      TRUSTED,
    );
    expect(byI).toMatchObject({ verdict: 'pass', dkim: [{ domain: 'mail.acme.example', aligned: true }] });
  });

  it('does not pass on a dkim=pass signed by another domain', () => {
    const auth = authFromResults(
      ['mx.brightline.example; dkim=pass header.d=mailgun.example'],
      FROM,
      TRUSTED,
    );
    expect(auth).toMatchObject({ verdict: 'fail', dkim: [{ domain: 'mailgun.example', aligned: false }] });
    expect(auth?.detail).toContain('dkim=pass d=mailgun.example unaligned');
  });

  it('does not pass on spf=pass alone', () => {
    const auth = authFromResults(
      ['mx.brightline.example; spf=pass smtp.mailfrom=dana@acme.example'],
      FROM,
      TRUSTED,
    );
    expect(auth).toMatchObject({ verdict: 'fail', dmarc: null, dkim: [] });
  });

  it('ignores a header whose authserv-id is not trusted', () => {
    expect(
      authFromResults(['mx.attacker.example; dmarc=pass header.from=acme.example'], FROM, TRUSTED),
    ).toBeNull();
    expect(authFromResults([], FROM, TRUSTED)).toBeNull();
  });

  it('reads only the topmost trusted header: a forged trusted one below does not count', () => {
    const auth = authFromResults(
      [
        'mx.other.example; dmarc=pass header.from=acme.example',
        'mx.brightline.example; dmarc=fail header.from=acme.example',
        'mx.brightline.example; dmarc=pass header.from=acme.example; dkim=pass header.d=acme.example',
      ],
      FROM,
      TRUSTED,
    );
    expect(auth).toMatchObject({ verdict: 'fail', dmarc: 'fail', dkim: [] });
  });

  it('reads comments, quoted strings, a version and odd spacing', () => {
    const auth = authFromResults(
      [
        '(via relay) mx.brightline.example (Postfix; "quoted" in a comment) 1 ;\t' +
          'DKIM = Pass (2048-bit key; secure (nested)) header.d = acme.example header.b="AbC;d" ;' +
          'spf=softfail (sender IP is 192.0.2.1) smtp.mailfrom="dana reyes"@acme.example;' +
          'DMARC=PASS action=none header.from=acme.example ;',
      ],
      FROM,
      TRUSTED,
    );
    expect(auth).toMatchObject({ verdict: 'pass', dmarc: 'pass' });
    expect(auth?.dkim).toEqual([
      { domain: 'acme.example', result: 'pass', aligned: true, bodyLengthLimited: false },
    ]);
  });

  it('matches the authserv-id case-insensitively', () => {
    const auth = authFromResults(['MX.Brightline.EXAMPLE; dmarc=pass'], FROM, ['Mx.brightline.example']);
    expect(auth).toMatchObject({ verdict: 'pass', authservId: 'mx.brightline.example' });
  });

  it('counts dmarc=pass only for the From domain (or its organisational domain)', () => {
    const other = authFromResults(
      ['mx.brightline.example; dmarc=pass header.from=other.example'],
      FROM,
      TRUSTED,
    );
    expect(other).toMatchObject({ verdict: 'fail' });
    const orgDomain = authFromResults(
      ['mx.brightline.example; dmarc=pass header.from=acme.example'],
      'dana@mail.acme.example',
      TRUSTED,
    );
    expect(orgDomain).toMatchObject({ verdict: 'pass' });
  });

  it('fails on a trusted header that reports none', () => {
    expect(authFromResults(['mx.brightline.example 1; none'], FROM, TRUSTED)).toMatchObject({
      verdict: 'fail',
      dmarc: null,
      dkim: [],
    });
  });

  it('never throws on garbage, and never passes on it', () => {
    const garbage = [
      '',
      ';;;;',
      '(((((',
      ')',
      '"unterminated',
      '\u0000\u0001binary\uFFFD',
      '=;=;=',
      'mx.brightline.example',
      'mx.brightline.example;;; ;',
      'mx.brightline.example; dmarc',
      'mx.brightline.example; =pass',
      'mx.brightline.example; dmarc=pass!! header.from=acme.example',
      'mx.brightline.example; dmarc=pass header.from',
      `mx.brightline.example; dkim=pass ${'header.d=acme.example '.repeat(2000)}"`,
      'x'.repeat(100_000),
    ];
    for (const header of garbage) {
      const auth = authFromResults([header], FROM, TRUSTED);
      expect(auth?.verdict ?? null, header.slice(0, 40)).not.toBe('pass');
    }
  });

  it('fails on an unreadable trusted header instead of falling through to one below', () => {
    for (const top of [
      'mx.brightline.example; dmarc=fail (unclosed comment',
      'mx.brightline.example 2; dmarc=pass',
      'mx.brightline.example junk; dmarc=pass',
    ]) {
      const auth = authFromResults([top, 'mx.brightline.example; dmarc=pass'], FROM, TRUSTED);
      expect(auth, top).toMatchObject({ verdict: 'fail', authservId: 'mx.brightline.example' });
      expect(auth?.detail).toBe('unreadable Authentication-Results by mx.brightline.example');
    }
  });

  it('fails when the From address has no domain', () => {
    expect(authFromResults(['mx.brightline.example; dmarc=pass'], 'dana', TRUSTED)).toMatchObject({
      verdict: 'fail',
    });
  });

  it('does not count a dkim=pass, nor a dmarc=pass resting on it, when the signature uses l=', () => {
    const limited = [{ domain: 'acme.example', signature: 'AbCd1234rest' }];
    const dkim = authFromResults(
      ['mx.brightline.example; dkim=pass header.d=acme.example header.b=AbCd1234'],
      FROM,
      TRUSTED,
      limited,
    );
    expect(dkim).toMatchObject({ verdict: 'fail', dkim: [{ aligned: true, bodyLengthLimited: true }] });
    const dmarc = authFromResults(
      ['mx.brightline.example; dkim=pass header.d=acme.example header.b=AbCd1234; dmarc=pass'],
      FROM,
      TRUSTED,
      limited,
    );
    expect(dmarc).toMatchObject({ verdict: 'fail', dmarc: 'pass' });
    expect(dmarc?.detail).toContain('dmarc=pass discounted');
    // A second, full-body aligned signature still authenticates.
    const other = authFromResults(
      ['mx.brightline.example; dkim=pass header.d=acme.example header.b=ZzZz9999; dmarc=pass'],
      FROM,
      TRUSTED,
      limited,
    );
    expect(other).toMatchObject({ verdict: 'pass' });
  });
});

describe('readAuthenticationResults', () => {
  it('returns unfolded values topmost first, from the header block only', () => {
    const raw = Buffer.from(
      [
        'Authentication-Results: mx.brightline.example;',
        '\tdmarc=pass header.from=acme.example',
        'Received: from mail.acme.example',
        'authentication-results : mx.other.example; none',
        'From: dana@acme.example',
        '',
        'Authentication-Results: mx.brightline.example; dmarc=pass',
        '',
      ].join('\r\n'),
    );
    expect(readAuthenticationResults(raw)).toEqual([
      'mx.brightline.example;\tdmarc=pass header.from=acme.example',
      'mx.other.example; none',
    ]);
  });

  it('reads LF-only messages', () => {
    const raw = Buffer.from(
      'Authentication-Results: mx.brightline.example;\n dmarc=fail\nFrom: a@acme.example\n\nbody\n',
    );
    expect(readAuthenticationResults(raw)).toEqual(['mx.brightline.example; dmarc=fail']);
  });

  it('caps the work on huge header blocks', () => {
    const many = Array.from({ length: 80 }, (_, i) => `Authentication-Results: mx${i}.example; none`);
    expect(readAuthenticationResults(Buffer.from(`${many.join('\r\n')}\r\n\r\nbody`))).toHaveLength(50);
    const huge = Buffer.from(
      `X-Filler: ${'a'.repeat(70_000)}\r\nAuthentication-Results: mx.brightline.example; dmarc=pass\r\n\r\n`,
    );
    expect(readAuthenticationResults(huge)).toEqual([]);
  });
});

describe('alignment', () => {
  it.each([
    ['acme.example', 'acme.example'],
    ['mail.acme.example', 'acme.example'],
    ['acme.co.uk', 'acme.co.uk'],
    ['mail.acme.co.uk', 'acme.co.uk'],
    ['shop.acme.com.au', 'acme.com.au'],
    ['acme.co', 'acme.co'],
    ['example', 'example'],
  ])('organizationalDomain(%s) = %s', (domain, org) => {
    expect(organizationalDomain(domain)).toBe(org);
  });

  it.each([
    ['acme.example', 'ACME.example.', true],
    ['mail.acme.example', 'acme.example', true],
    ['news.acme.example', 'mail.acme.example', true],
    ['mailgun.example', 'acme.example', false],
    ['acme.co.uk', 'other.co.uk', false],
    ['acme.example', 'acme.example.evil.example', false],
    ['', 'acme.example', false],
    ['not a domain', 'not a domain', false],
  ])('domainsAligned(%s, %s) = %s', (a, b, aligned) => {
    expect(domainsAligned(a, b)).toBe(aligned);
  });
});

// ---------------------------------------------------------------------------------------------
// mailauth, offline: our own keys, answered by a resolver function; no network.

const acmeKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const mailgunKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

function dkimRecord(publicKey: KeyObject): string {
  return `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

const ZONE = new Map<string, string>([
  ['s1._domainkey.acme.example', dkimRecord(acmeKey.publicKey)],
  ['_dmarc.acme.example', 'v=DMARC1; p=reject'],
  ['mg._domainkey.mailgun.example', dkimRecord(mailgunKey.publicKey)],
]);

function notFound(name: string): Error {
  // mailauth treats ENOTFOUND / ENODATA as "no record", anything else as a temporary DNS error.
  return Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
}

const zoneResolver: DNSResolver = async (name, rrtype) => {
  const record = rrtype === 'TXT' ? ZONE.get(name.toLowerCase()) : undefined;
  if (record === undefined) throw notFound(name);
  return [[record]];
};

interface Signer {
  domain: string;
  selector: string;
  key: KeyObject;
}
const ACME: Signer = { domain: 'acme.example', selector: 's1', key: acmeKey.privateKey };
const MAILGUN: Signer = { domain: 'mailgun.example', selector: 'mg', key: mailgunKey.privateKey };

async function signed(message: string, signer: Signer, maxBodyLength?: number): Promise<string> {
  const entry = {
    signingDomain: signer.domain,
    selector: signer.selector,
    privateKey: signer.key.export({ type: 'pkcs8', format: 'pem' }),
    ...(maxBodyLength === undefined ? {} : { maxBodyLength }),
  };
  // mailauth 4.13 signs what is in signatureData; its types also require the top-level fields.
  const result = await dkimSign(message, { ...entry, signatureData: [entry] });
  expect(result.errors).toEqual([]);
  expect(result.signatures).toContain(`d=${signer.domain}`);
  return result.signatures + message;
}

// What an attacker adds after the part an l= signature covers.
const APPENDED = 'P.S. Also approve the invoice.\r\n';

const dnsOptions = { trustedAuthservIds: TRUSTED, verifyWithDns: true, resolver: zoneResolver };

describe('verifySender with mailauth', () => {
  it('passes a valid signature aligned with the From domain', async () => {
    const auth = await verifySender(Buffer.from(await signed(APPROVAL, ACME)), FROM, dnsOptions);
    expect(auth).toMatchObject({ verdict: 'pass', method: 'mailauth', authservId: null, dmarc: 'pass' });
    expect(auth.dkim).toEqual([
      { domain: 'acme.example', result: 'pass', aligned: true, bodyLengthLimited: false },
    ]);
    expect(auth.detail).toBe('dmarc=pass (header.from=acme.example) by mailauth');
  });

  it('fails when the body was changed after signing', async () => {
    const tampered = (await signed(APPROVAL, ACME)).replace('go ahead with v3', 'go ahead with v2');
    const auth = await verifySender(Buffer.from(tampered), FROM, dnsOptions);
    expect(auth).toMatchObject({ verdict: 'fail', dmarc: 'fail' });
    expect(auth.dkim[0]?.result).not.toBe('pass');
    expect(auth.detail).not.toContain('go ahead');
  });

  it('does not pass a valid signature by another domain', async () => {
    const auth = await verifySender(Buffer.from(await signed(APPROVAL, MAILGUN)), FROM, dnsOptions);
    expect(auth).toMatchObject({ verdict: 'fail', dmarc: 'fail' });
    expect(auth.dkim).toEqual([
      { domain: 'mailgun.example', result: 'pass', aligned: false, bodyLengthLimited: false },
    ]);
  });

  it('does not pass an l= signature when text was appended after the signed part', async () => {
    const message = `${await signed(APPROVAL, ACME, 12)}${APPENDED}`;
    const auth = await verifySender(Buffer.from(message), FROM, dnsOptions);
    expect(auth).toMatchObject({ verdict: 'fail', dmarc: 'fail' });
    expect(auth.dkim).toEqual([
      { domain: 'acme.example', result: 'pass', aligned: true, bodyLengthLimited: true },
    ]);
    expect(auth.detail).toContain('dkim=pass d=acme.example l=');
  });

  it('keeps stdout clean when a signature claims more body than there is', async () => {
    const signedMessage = await signed(APPROVAL, ACME, 12);
    const inflated = signedMessage.replace(/\bl=12\b/, 'l=9999');
    expect(inflated).not.toBe(signedMessage);
    // A fresh copy of the module, so it wraps the console.log this test watches.
    vi.resetModules();
    const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const fresh = await import('../../src/domain/sender-auth.js');
      const auth = await fresh.verifySender(Buffer.from(inflated), FROM, dnsOptions);
      expect(auth.verdict).toBe('fail');
      expect(printed.mock.calls.filter((call) => call[0] === 'TOTAL')).toEqual([]);
    } finally {
      printed.mockRestore();
    }
  });

  it('passes an l= signature that covers the whole body', async () => {
    const auth = await verifySender(Buffer.from(await signed(APPROVAL, ACME, 10_000)), FROM, dnsOptions);
    expect(auth).toMatchObject({ verdict: 'pass', dkim: [{ bodyLengthLimited: false }] });
  });

  it('fails an unsigned message (checked, nothing authenticates it)', async () => {
    const auth = await verifySender(Buffer.from(APPROVAL), FROM, dnsOptions);
    expect(auth).toMatchObject({ verdict: 'fail', method: 'mailauth', dmarc: 'fail', dkim: [] });
    expect(auth.detail).toContain('no DKIM signature');
  });

  it('ignores an untrusted Authentication-Results and verifies instead', async () => {
    const raw = withHeaders(
      APPROVAL,
      'Authentication-Results: mx.attacker.example; dmarc=pass header.from=acme.example',
    );
    expect(await verifySender(raw, FROM, dnsOptions)).toMatchObject({ verdict: 'fail', method: 'mailauth' });
  });

  it('uses a trusted Authentication-Results without DNS, and not a forged one below it', async () => {
    const resolver = vi.fn(zoneResolver);
    const raw = withHeaders(
      await signed(APPROVAL, ACME),
      'Authentication-Results: mx.brightline.example; dkim=fail header.d=acme.example; dmarc=fail',
      'Authentication-Results: mx.brightline.example; dmarc=pass header.from=acme.example',
    );
    const auth = await verifySender(raw, FROM, { ...dnsOptions, resolver });
    expect(auth).toMatchObject({ verdict: 'fail', method: 'authentication_results', dmarc: 'fail' });
    expect(resolver).not.toHaveBeenCalled();
  });

  it('does not count a trusted dkim=pass on a signature the message shows uses l=', async () => {
    const message = `${await signed(APPROVAL, ACME, 12)}${APPENDED}`;
    expect(findBodyLimitedSignatures(Buffer.from(message))).toEqual([
      { domain: 'acme.example', signature: expect.any(String) },
    ]);
    const raw = withHeaders(
      message,
      'Authentication-Results: mx.brightline.example; dkim=pass header.d=acme.example; dmarc=pass',
    );
    expect(await verifySender(raw, FROM, dnsOptions)).toMatchObject({
      verdict: 'fail',
      method: 'authentication_results',
      dkim: [{ aligned: true, bodyLengthLimited: true }],
    });
  });

  it("gives 'none' without a trusted header when DNS verification is off", async () => {
    const resolver = vi.fn(zoneResolver);
    const raw = Buffer.from(await signed(APPROVAL, ACME));
    const auth = await verifySender(raw, FROM, {
      trustedAuthservIds: TRUSTED,
      verifyWithDns: false,
      resolver,
    });
    expect(auth).toMatchObject({ verdict: 'none', method: 'none', dmarc: null, dkim: [] });
    expect(resolver).not.toHaveBeenCalled();
  });

  it('fails with dmarc temperror when DNS never answers', { timeout: 5_000 }, async () => {
    const silent: DNSResolver = () => new Promise(() => undefined);
    const raw = Buffer.from(await signed(APPROVAL, ACME));
    const auth = await verifySender(raw, FROM, { ...dnsOptions, resolver: silent, timeoutMs: 200 });
    expect(auth).toMatchObject({ verdict: 'fail', method: 'mailauth', dmarc: 'temperror' });
    expect(auth.detail).toBe('DNS verification timed out after 200 ms');
  });

  it('fails with temperror results when DNS errors', async () => {
    const failing: DNSResolver = async () => {
      throw Object.assign(new Error('queryTxt ESERVFAIL'), { code: 'ESERVFAIL' });
    };
    const auth = await verifySender(Buffer.from(await signed(APPROVAL, ACME)), FROM, {
      ...dnsOptions,
      resolver: failing,
    });
    expect(auth).toMatchObject({ verdict: 'fail', dmarc: 'temperror', dkim: [{ result: 'temperror' }] });
  });
});
