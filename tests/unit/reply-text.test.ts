import { describe, expect, it } from 'vitest';
import { extractReply, extractReplyFromHtml, extractVisibleReply } from '../../src/parse/reply-text.js';

const lines = (...l: string[]) => l.join('\n');
const QUOTE = '> Draft 2 of the autumn label is attached.\n> Does the kraft paper work for you?';

describe('quote headers', () => {
  it.each([
    ['English', 'On Tue, 10 Nov 2026 at 14:02, Maya Lopez <maya@studio.example> wrote:'],
    ['German', 'Am 16.11.2026 um 10:12 schrieb Jonas Weber <jonas@studio.example>:'],
    ['German, name first', 'Jonas Weber <jonas@studio.example> schrieb am Mo., 16. Nov. 2026, 10:12:'],
    ['French', 'Le lun. 16 nov. 2026 à 10:12, Jonas Weber <jonas@studio.example> a écrit :'],
    ['Spanish', 'El lun, 16 nov 2026 a las 10:12, Jonas Weber (<jonas@studio.example>) escribió:'],
    ['Italian', 'Il giorno lun 16 nov 2026 alle ore 10:12 Jonas Weber <jonas@studio.example> ha scritto:'],
    ['Portuguese', 'Em seg., 16 de nov. de 2026 às 10:12, Jonas Weber <jonas@studio.example> escreveu:'],
    ['Dutch', 'Op ma 16 nov. 2026 om 10:12 schreef Jonas Weber <jonas@studio.example>:'],
    ['Swedish', 'Den mån 16 nov. 2026 kl 10:12 skrev Jonas Weber <jonas@studio.example>:'],
    ['Danish', 'Den 16. nov. 2026 kl. 10.12 skrev Jonas Weber <jonas@studio.example>:'],
    ['Norwegian', 'man. 16. nov. 2026 kl. 10:12 skrev Jonas Weber <jonas@studio.example>:'],
    ['Finnish', 'Jonas Weber <jonas@studio.example> kirjoitti ma 16.11.2026 klo 10.12:'],
    ['Polish', 'pon., 16 lis 2026 o 10:12 Jonas Weber <jonas@studio.example> napisał(a):'],
    ['Russian', 'пн, 16 нояб. 2026 г. в 10:12, Jonas Weber <jonas@studio.example>:'],
    ['Ukrainian', 'пн, 16 лист. 2026 р. о 10:12 Jonas Weber <jonas@studio.example> пише:'],
    ['Catalan', 'El dl., 16 de nov. 2026 a les 10:12, Jonas Weber (<jonas@studio.example>) va escriure:'],
    ['Chinese', '在 2026年11月16日，上午10:12，Jonas Weber <jonas@studio.example> 写道：'],
    ['Japanese', '2026/11/16 10:12、Jonas Weber <jonas@studio.example>のメッセージ:'],
    ['Korean', '2026. 11. 16. 오전 10:12, Jonas Weber <jonas@studio.example> 작성:'],
    ['ISO date first (localized Gmail)', '2026-11-16 10:12 GMT+01:00 Jonas Weber <jonas@studio.example>:'],
  ])('%s', (_language, header) => {
    const parts = extractReply(lines('Approved, print it.', '', header, QUOTE));
    expect(parts.visible).toBe('Approved, print it.');
    expect(parts.quoted).toBe(lines(header, QUOTE));
  });

  it('joins a header that the client wrapped over two lines', () => {
    const parts = extractReply(
      lines(
        'Looks good.',
        '',
        'On Tue, 10 Nov 2026 at 14:02, Maya Lopez <',
        'maya@studio.example> wrote:',
        QUOTE,
      ),
    );
    expect(parts.visible).toBe('Looks good.');
    expect(parts.quoted).toContain('maya@studio.example> wrote:');
  });

  it('joins a wrapped header whose ">:" landed on the next line', () => {
    const parts = extractReply(
      lines(
        'Fine by me.',
        '',
        'Am 16.11.2026 um 10:12 schrieb Jonas Weber <jonas@studio.example',
        '>:',
        QUOTE,
      ),
    );
    expect(parts.visible).toBe('Fine by me.');
  });

  it('cuts at a header whose quoted text has no > markers', () => {
    const parts = extractReply(
      lines(
        'Yes, go ahead.',
        '',
        'On Tue, 10 Nov 2026 at 14:02, Maya Lopez <maya@studio.example> wrote:',
        '',
        'Shall we print?',
      ),
    );
    expect(parts.visible).toBe('Yes, go ahead.');
    expect(parts.quoted).toContain('Shall we print?');
  });
});

describe('Outlook header blocks', () => {
  const block = (from: string, sent: string, to: string, subject: string) =>
    lines(
      `${from}: Jonas Weber <jonas@studio.example>`,
      `${sent}: 16.11.2026 10:12`,
      `${to}: Katrin Vogel`,
      `${subject}: Label v2`,
    );

  it.each([
    ['English', block('From', 'Sent', 'To', 'Subject')],
    ['German', block('Von', 'Gesendet', 'An', 'Betreff')],
    ['French', block('De', 'Envoyé', 'À', 'Objet')],
    ['Spanish', block('De', 'Enviado', 'Para', 'Asunto')],
    ['Italian', block('Da', 'Inviato', 'A', 'Oggetto')],
    ['Portuguese', block('De', 'Enviado', 'Para', 'Assunto')],
    ['Dutch', block('Van', 'Verzonden', 'Aan', 'Onderwerp')],
    ['Swedish', block('Från', 'Skickat', 'Till', 'Ämne')],
    ['Danish', block('Fra', 'Sendt', 'Til', 'Emne')],
    ['Polish', block('Od', 'Wysłano', 'Do', 'Temat')],
  ])('%s, without a rule', (_language, header) => {
    const parts = extractReply(lines('Bitte das Logo größer.', '', header, '', 'Hallo Katrin,'));
    expect(parts.visible).toBe('Bitte das Logo größer.');
    expect(parts.quoted).toContain('Hallo Katrin,');
  });

  it('takes the ____ rule above the block with it, and bold field names', () => {
    const parts = extractReply(
      lines(
        'Approved.',
        '',
        '________________________________',
        '*From:* Maya Lopez [mailto:maya@studio.example]',
        '*Sent:* Monday, November 16, 2026 10:12 AM',
        '*To:* Sarah Chen',
        '*Subject:* Label v2',
      ),
    );
    expect(parts.visible).toBe('Approved.');
    expect(parts.quoted.startsWith('____')).toBe(true);
  });

  it('accepts From and To alone when a rule sits above them', () => {
    const parts = extractReply(
      lines('Fine.', '____________________', 'From: Maya Lopez', 'To: Sarah Chen', '', 'Hi'),
    );
    expect(parts.visible).toBe('Fine.');
  });

  it.each([
    '-----Original Message-----',
    '----- Original Message -----',
    '-----Ursprüngliche Nachricht-----',
    "-----Message d'origine-----",
    '-----Mensaje original-----',
    '-----Messaggio originale-----',
    '-----Oorspronkelijk bericht-----',
    '-----Ursprungligt meddelande-----',
  ])('cuts at %s', (separator) => {
    const parts = extractReply(lines('OK from our side.', '', separator, 'From: Maya Lopez', 'Old text'));
    expect(parts.visible).toBe('OK from our side.');
    expect(parts.quoted.startsWith(separator)).toBe(true);
  });

  it('does not take a single "From:" line in prose for a header', () => {
    const text = lines('From: our side, all good.', 'To: be confirmed next week.');
    expect(extractReply(text).visible).toBe(text);
  });
});

describe('signatures', () => {
  it('cuts at the "-- " delimiter', () => {
    const parts = extractReply(lines('Looks good.', '', '-- ', 'Sarah Chen', 'Brand Lead, Acme'));
    expect(parts.visible).toBe('Looks good.');
    expect(parts.signature).toBe(lines('--', 'Sarah Chen', 'Brand Lead, Acme'));
  });

  it.each([
    'Best,',
    'Thanks,',
    'Cheers',
    'Kind regards',
    'Mit freundlichen Grüßen',
    'Viele Grüße',
    'Cordialement',
    'Saludos',
    'Cordiali saluti',
    'Atenciosamente',
    'Met vriendelijke groet',
    'Med vänliga hälsningar',
    'Med venlig hilsen',
    'Pozdrawiam,',
    'С уважением,',
  ])('takes "%s" and the name block below it as the signature', (signOff) => {
    const parts = extractReply(
      lines('The second version works for us.', '', signOff, 'Sarah Chen', '+49 30 1234567'),
    );
    expect(parts.visible).toBe('The second version works for us.');
    expect(parts.signature).toBe(lines(signOff, 'Sarah Chen', '+49 30 1234567'));
  });

  it('takes a sign-off with the name on its line', () => {
    expect(extractReply('Print it.\n\nThanks, Sarah').visible).toBe('Print it.');
  });

  it('keeps a lone "Thanks!" that is the whole message', () => {
    expect(extractReply('Thanks!').visible).toBe('Thanks!');
    expect(extractReply('Got it, will review tomorrow.\n\nThanks!').visible).toBe(
      'Got it, will review tomorrow.\n\nThanks!',
    );
  });

  it('takes a "-Name" line and an em-dash rule block as the signature', () => {
    expect(extractReply('Ship it.\n\n-Sarah').visible).toBe('Ship it.');
    expect(extractReply('Ship it.\n\n—————\nSarah Chen\nBrand Lead').visible).toBe('Ship it.');
  });

  it('takes a name with contact lines below it as the signature', () => {
    const parts = extractReply('Ship it.\n\nSarah Chen\nsarah@client.example\n+1 555 014 2231');
    expect(parts.visible).toBe('Ship it.');
  });

  it.each([
    'Sent from my iPhone',
    'Sent from my Galaxy',
    'Get Outlook for Android',
    'Sent from Outlook for iOS',
    'Sent from Yahoo Mail for iPhone',
    'Von meinem iPhone gesendet',
    'Gesendet von Outlook für Android',
    'Envoyé de mon iPhone',
    'Enviado desde mi iPhone',
    'Inviato da iPhone',
    'Enviado do meu iPhone',
    'Verzonden vanaf mijn iPhone',
    'Skickat från min iPhone',
    'Sendt fra min iPhone',
    'Lähetetty iPhonesta',
    "Wysłane z iPhone'a",
    'Отправлено с iPhone',
  ])('takes the mobile footer "%s" as the signature', (footer) => {
    const parts = extractReply(lines('Approved!', '', footer));
    expect(parts.visible).toBe('Approved!');
    expect(parts.signature).toBe(footer);
  });

  it('drops a device footer on the first line and cuts unmarked history after a footer', () => {
    expect(extractReply('Sent from my iPhone\n\nApproved!').visible).toBe('Approved!');
    const parts = extractReply('Approved!\nSent from my iPhone\n\nThe old message, pasted without markers.');
    expect(parts.visible).toBe('Approved!');
    expect(parts.quoted).toBe('The old message, pasted without markers.');
  });
});

describe('false positives', () => {
  it('keeps prose lines that start with "On"', () => {
    const text = lines('On the whole, it works.', '', 'On Monday we print, so please confirm by then.');
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps a URL that contains "wrote"', () => {
    const text = 'See https://news.example/on-monday-someone-wrote:\nand tell me what you think.';
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps "regards" inside a sentence', () => {
    const text =
      'With regards to the logo, make it bigger.\nBest regards to the team as well, they did great work on this.';
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps "sent from my iPhone app" in prose and "Sent from my desk, …"', () => {
    const text = lines(
      'The proof was sent from my iPhone app, so it may look odd.',
      'Sent from my desk, which is better.',
    );
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps "what I wrote:" followed by my own text', () => {
    const text = lines('Here is what I wrote:', '', 'The headline must be shorter.');
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps dates and times in the body', () => {
    const text = lines('Deadlines:', '2026-11-16 14:30', '17.11.2026 09:00', 'Nov 18, 2026 at 2:30 PM');
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps signature-like lines inside a code block', () => {
    const text = lines('The tracking snippet:', '```', '--', 'Sent from my iPhone', '```', 'Please add it.');
    expect(extractReply(text).visible).toBe(text);
  });

  it('does not decode entities in plain text', () => {
    expect(extractReply('Budget &gt; 100 &amp; less than 200.').visible).toBe(
      'Budget &gt; 100 &amp; less than 200.',
    );
  });
});

describe('forwarded messages', () => {
  it.each([
    '---------- Forwarded message ---------',
    'Begin forwarded message:',
    '-------- Weitergeleitete Nachricht --------',
    '-------- Message transféré --------',
    '---------- Mensaje reenviado ----------',
    '---------- Messaggio inoltrato ----------',
    '---------- Doorgestuurd bericht ---------',
  ])('keeps %s as forwarded content, with the text above it visible', (marker) => {
    const parts = extractReply(
      lines('FYI, see below.', '', marker, 'From: CEO <ceo@client.example>', '', 'Make it bold.'),
    );
    expect(parts.visible).toBe('FYI, see below.');
    expect(parts.forwarded).toContain('Make it bold.');
    expect(parts.quoted).toBe('');
  });

  it('treats an Outlook header block as a forward when the subject says FW', () => {
    const body = lines(
      'See the notes from legal.',
      '',
      '________________________________',
      'From: Legal',
      'Sent: Monday',
      'To: Sarah',
      'Subject: Claims',
      '',
      'Remove "best".',
    );
    const parts = extractVisibleReply({ text: body, html: null, subject: 'FW: Claims' });
    expect(parts.visible).toBe('See the notes from legal.');
    expect(parts.forwarded).toContain('Remove "best".');
    expect(extractVisibleReply({ text: body, html: null, subject: 'RE: Claims' }).quoted).toContain('Remove');
  });
});

describe('inline replies', () => {
  it('keeps the answers between quoted lines and moves the quotes and their header', () => {
    const parts = extractReply(
      lines(
        'On Tue, 10 Nov 2026 at 14:02, Maya Lopez <maya@studio.example> wrote:',
        '> Is the headline OK?',
        '',
        'No, shorter please.',
        '',
        '> And the colours?',
        '',
        'Those are fine.',
        '',
        'Sarah',
      ),
    );
    expect(parts.visible).toBe('No, shorter please.\n\nThose are fine.\n\nSarah');
    expect(parts.quoted).toBe(
      lines(
        'On Tue, 10 Nov 2026 at 14:02, Maya Lopez <maya@studio.example> wrote:',
        '> Is the headline OK?',
        '> And the colours?',
      ),
    );
  });

  it('keeps a bottom-posted answer', () => {
    const parts = extractReply(lines('Maya Lopez wrote:', QUOTE, '', 'Kraft paper is perfect.'));
    expect(parts.visible).toBe('Kraft paper is perfect.');
  });

  it('treats lower-case tails of re-wrapped quote lines as quoted', () => {
    const wrapped = extractReply(
      lines(
        '> We changed the claim on the back label to the version legal sent us on',
        'friday.',
        '> Approve?',
        'Yes.',
      ),
    );
    expect(wrapped.visible).toBe('Yes.');
  });
});

describe('HTML', () => {
  const reply = '<div dir="ltr">Approved, thanks.</div>';

  it.each([
    [
      'Gmail',
      `${reply}<div class="gmail_quote"><div class="gmail_attr">On Tue, Maya wrote:<br></div><blockquote class="gmail_quote">Draft 2</blockquote></div>`,
    ],
    [
      'Gmail, blockquote only',
      `${reply}<blockquote class="gmail_quote" style="margin:0">Draft 2</blockquote>`,
    ],
    [
      'Outlook desktop',
      `${reply}<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Maya</div><div>Draft 2</div>`,
    ],
    [
      'Outlook desktop, rule above the header',
      `${reply}<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Maya</div><div>Draft 2</div>`,
    ],
    [
      'Outlook desktop, border-top block',
      `${reply}<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>Von:</b> Maya</p></div><p class="MsoNormal">Draft 2</p>`,
    ],
    [
      'Outlook, OutlookMessageHeader',
      `${reply}<div class="OutlookMessageHeader">Absender: Maya</div><div>Draft 2</div>`,
    ],
    ['Outlook web, x_ prefixed', `${reply}<div id="x_divRplyFwdMsg">Maya</div><div>Draft 2</div>`],
    ['Outlook mobile', `${reply}<div id="mail-editor-reference-message-container"><div>Draft 2</div></div>`],
    [
      'Apple Mail',
      `${reply}<div><br><blockquote type="cite"><div>On 10 Nov 2026, Maya wrote:</div><div>Draft 2</div></blockquote></div>`,
    ],
    ['Yahoo', `${reply}<div class="yahoo_quoted"><div>Draft 2</div></div>`],
    ['Yahoo, ydp prefixed', `${reply}<div id="ydp1" class="ydp3f9a2c1yahoo_quoted"><div>Draft 2</div></div>`],
    [
      'Thunderbird',
      `${reply}<div class="moz-cite-prefix">On 10.11.26 14:02, Maya wrote:<br></div><blockquote type="cite">Draft 2</blockquote>`,
    ],
    [
      'Proton',
      `${reply}<div class="protonmail_quote">------- Original Message -------<br><blockquote>Draft 2</blockquote></div>`,
    ],
    [
      'Outlook for Mac',
      `${reply}<span id="OLK_SRC_BODY_SECTION"><div>From: Maya</div><div>Draft 2</div></span>`,
    ],
  ])('%s quote container', (_client, html) => {
    const parts = extractReplyFromHtml(`<html><body>${html}</body></html>`);
    expect(parts.visible).toBe('Approved, thanks.');
    expect(parts.quoted).toContain('Draft 2');
  });

  it.each([
    ['Thunderbird', '<div class="moz-signature">-- <br>Sarah Chen</div>'],
    ['Gmail', '<div class="gmail_signature" data-smartmail="gmail_signature">Sarah Chen</div>'],
    ['Outlook mobile', '<div id="ms-outlook-mobile-signature">Get Outlook for iOS</div>'],
    ['Proton', '<div class="protonmail_signature_block"><div>Sent with Proton Mail</div></div>'],
  ])('%s signature container', (_client, signature) => {
    const parts = extractReplyFromHtml(`<div>Approved.</div>${signature}`);
    expect(parts.visible).toBe('Approved.');
    expect(parts.signature).not.toBe('');
  });

  it('keeps a Gmail forward as forwarded content', () => {
    const parts = extractReplyFromHtml(
      '<div dir="ltr">FYI</div><div class="gmail_quote"><div class="gmail_attr">---------- Forwarded message ---------<br>From: CEO</div><div>Make it bold.</div></div>',
    );
    expect(parts.visible).toBe('FYI');
    expect(parts.forwarded).toContain('Make it bold.');
  });

  it('keeps inline answers written between blockquotes', () => {
    const parts = extractReplyFromHtml(
      '<blockquote type="cite">Headline OK?</blockquote><div>No, shorter.</div><blockquote type="cite">Colours?</blockquote><div>Fine.</div>',
    );
    expect(parts.visible).toBe('No, shorter.\nFine.');
  });

  it('drops scripts, styles, comments and hidden elements, and decodes entities', () => {
    const parts = extractReplyFromHtml(
      '<head><title>x</title><style>p{color:red}</style></head><body><script>alert(1)</script><!-- note --><div style="display: none">preheader</div><p>Caf&eacute; &amp; bar &#8211; OK&nbsp;&#x1F44D;</p></body>',
    );
    expect(parts.visible).toBe('Café & bar – OK 👍');
  });

  it('survives malformed markup', () => {
    expect(extractReplyFromHtml('<div>Yes <b>approved<div a="1 > 2">now</p></span>').visible).toBe(
      'Yes approved\nnow',
    );
    expect(extractReplyFromHtml('a < b and <<>> c').visible).toBe('a < b and <<>> c');
  });

  it('prefers the HTML when it has quote containers, otherwise the text part', () => {
    const html =
      '<div>Approved.</div><div class="gmail_quote">Le lun. 16 nov., Maya a écrit :<blockquote>v2</blockquote></div>';
    expect(extractVisibleReply({ text: 'Approved.\n\nsomething else', html }).visible).toBe('Approved.');
    expect(extractVisibleReply({ text: 'Plain part.', html: '<p>HTML part.</p>' }).visible).toBe(
      'Plain part.',
    );
    expect(extractVisibleReply({ text: null, html: '<p>HTML part.</p>' }).visible).toBe('HTML part.');
  });
});

describe('contact cards and disclaimers', () => {
  it('takes a card without a sign-off, and the first name signed above it', () => {
    const parts = extractReply(
      lines(
        'Hi Maya,',
        '',
        'Please move the logo to the top left.',
        '',
        'Nora',
        '',
        'Nora Lindgren',
        'Head of Communications',
        'Birchwood Foods Ltd',
        'T: +44 161 555 0133',
        'www.birchwood.example',
      ),
    );
    expect(parts.visible).toBe('Hi Maya,\n\nPlease move the logo to the top left.');
    expect(parts.signature.startsWith('Nora\n\nNora Lindgren')).toBe(true);
  });

  it('takes a name with only a job title below it when a blank line sets it off', () => {
    const parts = extractReply('The new banner sizes are fine.\n\nOwen Price\nSenior Procurement Officer');
    expect(parts.visible).toBe('The new banner sizes are fine.');
    expect(parts.signature).toBe('Owen Price\nSenior Procurement Officer');
  });

  it('takes "Name | Title" and "Name, Title" lines as the start of a card', () => {
    expect(extractReply('Ship it.\n\nIris Vogel | Creative Lead\niris@vogel.example').visible).toBe(
      'Ship it.',
    );
    expect(extractReply('Ship it.\n\nIris Vogel, Brand Director').visible).toBe('Ship it.');
  });

  it('takes an Outlook card and notice from HTML without blank lines', () => {
    const html = [
      '<div class="WordSection1">',
      '<p class="MsoNormal">Hi Priya,</p>',
      '<p class="MsoNormal">Please swap the hero photo for the winter one.</p>',
      '<p class="MsoNormal">Hugo</p>',
      '<p class="MsoNormal"><b>Hugo Marchetti</b></p>',
      '<p class="MsoNormal">E-commerce Manager</p>',
      '<p class="MsoNormal">Northpeak Gear Inc.</p>',
      '<p class="MsoNormal">Office: +1 617 555 0104</p>',
      '<p class="MsoNormal">NOTICE: This e-mail is intended only for the addressee and may contain privileged material. Any unauthorized distribution is prohibited. This message has not been approved for publication.</p>',
      '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> Priya &lt;priya@studio.example&gt;<br><b>Sent:</b> Monday, 2 November 2026 10:00<br><b>To:</b> Hugo<br><b>Subject:</b> RE: Winter landing page</p></div>',
      '<p class="MsoNormal">Older text</p>',
      '</div>',
    ].join('');
    const parts = extractReplyFromHtml(html);
    expect(parts.visible).toBe('Hi Priya,\nPlease swap the hero photo for the winter one.');
    expect(parts.signature).toContain('E-commerce Manager');
    expect(parts.signature).toContain('not been approved for publication');
  });

  it.each([
    [
      'German',
      'Hallo Jonas,\n\ndie Farben passen, bitte noch den Claim kürzen.',
      'Katrin Vogt\nLeiterin Unternehmenskommunikation\nHolzmann Möbel GmbH & Co. KG\nTel. +49 711 555 0190',
      'Diese E-Mail enthält vertrauliche Informationen und ist nur für den bezeichneten Empfänger bestimmt. Wenn Sie diese E-Mail irrtümlich erhalten haben, löschen Sie sie bitte.',
    ],
    [
      'French',
      'Bonjour Maya,\n\nNous validons la maquette, vous pouvez lancer la production.',
      'Élodie Marchand\nResponsable communication\nLes Vergers du Sud SARL\n+33 4 55 50 12 34',
      "Ce courriel et ses pièces jointes sont confidentiels et destinés exclusivement à leurs destinataires. Si vous l'avez reçu par erreur, merci de le supprimer.",
    ],
    [
      'Italian',
      'Ciao Priya,\n\nmanca ancora il logo del consorzio in basso a destra.',
      'Paolo Ferri\nDirettore Commerciale\nOleificio Ferri S.r.l.\nCell. +39 333 555 0147',
      'AVVISO DI RISERVATEZZA: le informazioni contenute nel presente messaggio sono riservate e destinate esclusivamente al destinatario indicato.',
    ],
    [
      'Spanish',
      'Hola Jonas,\n\n¿Podéis enviarnos la versión en alta resolución?',
      'Marta Ibáñez\nJefa de Compras\nConservas del Cantábrico S.L.\n+34 942 555 016',
      'Este mensaje es confidencial y se dirige exclusivamente a su destinatario. Si lo ha recibido por error, le rogamos que lo elimine.',
    ],
    [
      'Portuguese',
      'Olá Maya,\n\nPodem avançar com a impressão dos folhetos.',
      'Rui Tavares\nDiretor de Marketing\nQuinta do Rio Lda.',
      'Esta mensagem é confidencial e destina-se exclusivamente ao destinatário. Se a recebeu por engano, por favor apague-a.',
    ],
    [
      'Dutch',
      'Hoi Priya,\n\nDe nieuwe verpakking ziet er goed uit, ga je gang.',
      'Femke Bakker\nMarketingmanager\nPolder Zuivel B.V.\n+31 30 555 0162',
      'Dit bericht is vertrouwelijk en uitsluitend bestemd voor de geadresseerde. Indien u dit bericht ten onrechte ontvangt, verzoeken wij u het te verwijderen.',
    ],
  ])('%s: takes the card and the notice below it as the signature', (_language, body, card, notice) => {
    const parts = extractReply(lines(body, '', card, '', notice));
    expect(parts.visible).toBe(body);
    expect(parts.signature).toBe(lines(card, '', notice));
  });

  it('takes a wrapped notice and a print footer below a sign-off', () => {
    const parts = extractReply(
      lines(
        'Go ahead with the reprint.',
        '',
        'Regards,',
        'Elif',
        '',
        'CONFIDENTIALITY: The information in this email is intended for the named',
        'recipient only. If you are not the intended recipient, you must not copy,',
        'distribute or act on it; please tell us and delete it.',
        '',
        'Please consider the environment before printing this email.',
      ),
    );
    expect(parts.visible).toBe('Go ahead with the reprint.');
    expect(parts.signature).toContain('Please consider the environment');
  });

  it('takes a notice with a heading even when no signature is above it', () => {
    const parts = extractReply(
      lines(
        'Hi Jonas,',
        '',
        'The second proof has the wrong bleed.',
        '',
        'DISCLAIMER: This message may contain confidential information and is meant for its addressee only.',
      ),
    );
    expect(parts.visible).toBe('Hi Jonas,\n\nThe second proof has the wrong bleed.');
    expect(parts.signature.startsWith('DISCLAIMER:')).toBe(true);
  });

  it('never leaves "approved" from a notice in the visible text', () => {
    const parts = extractReply(
      lines(
        'Priya, the headline is too long for the mobile banner.',
        '',
        'Greta Holm',
        'Digital Coordinator | Holm Retail AB',
        'This communication has not been approved for external release. If you received it in error, notify the sender and destroy it.',
      ),
    );
    expect(parts.visible).toBe('Priya, the headline is too long for the mobile banner.');
  });
});

describe('contact cards and disclaimers: false positives', () => {
  it('keeps the message when its last line is only a name', () => {
    expect(extractReply('Go ahead with the print run.\n\nMaya Okafor').visible).toBe(
      'Go ahead with the print run.\n\nMaya Okafor',
    );
    const text = 'Who should join the call?\n\nTom Hardy\nLeo Grant';
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps "confidential" in the sender\'s own prose', () => {
    const short = 'Hi Jonas,\n\nPlease keep the new rates confidential until the launch.';
    expect(extractReply(short).visible).toBe(short);
    const long = lines(
      'Hi Jonas,',
      '',
      'The budget works for us.',
      '',
      'This email is confidential until launch: please delete the draft from the shared drive once the final is in.',
    );
    expect(extractReply(long).visible).toBe(long);
    const italian =
      'Ciao Priya,\n\nquesto messaggio è riservato al team: il prezzo finale non è ancora deciso.';
    expect(extractReply(italian).visible).toBe(italian);
  });

  it('keeps a "Disclaimer:" remark that is not a legal notice', () => {
    const text = 'Hi,\n\nThe copy works.\n\nDisclaimer: I have not checked the footnotes yet.';
    expect(extractReply(text).visible).toBe(text);
    const remark =
      'Hi,\n\nNew prices attached.\n\nConfidential: please delete the old price list from the shared folder.';
    expect(extractReply(remark).visible).toBe(remark);
  });

  it('keeps a phone number given in a sentence', () => {
    const a = 'Hi Priya,\n\nThe price on page 2 is wrong.\n\nCall me on +1 415 555 0188 tomorrow.';
    expect(extractReply(a).visible).toBe(a);
    const b = 'Hola Jonas,\n\nduda rápida sobre el banner.\nLlámame al +34 612 555 019';
    expect(extractReply(b).visible).toBe(b);
  });

  it('keeps a contact block that the sender introduces as content', () => {
    const text = lines(
      'Hi Maya,',
      '',
      'Please send the proofs directly to our printer:',
      '',
      'Sven Aalto',
      'Production Manager',
      'Aalto Print Oy',
      '+358 9 555 0120',
    );
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps a job title mentioned in prose above a first-name sign-off', () => {
    const text = 'Hi Maya,\n\nOur new Marketing Director starts Monday.\n\nTom';
    expect(extractReply(text).visible).toBe(text);
  });

  it('keeps a message that is nothing but notice-like text', () => {
    const text =
      'This email and any attachments are confidential and intended solely for the addressee. If you received it in error please delete it.';
    expect(extractReply(text).visible).toBe(text);
  });
});

describe('robustness', () => {
  it('handles Windows line endings', () => {
    expect(
      extractReply('Approved.\r\n\r\nOn Tue, 10 Nov 2026, Maya <m@s.example> wrote:\r\n> v2\r\n').visible,
    ).toBe('Approved.');
  });

  it('stays linear on long header-like lines', () => {
    const long = `On ${'Tue, 10 Nov 2026 '.repeat(5000)}`;
    const parts = extractReply(lines('Approved.', long, `${'>'.repeat(20000)} x`, 'wrote'.repeat(10000)));
    expect(parts.visible.startsWith('Approved.')).toBe(true);
    const rules = extractReply(
      lines('Approved.', '-'.repeat(399), `-- ${'-'.repeat(390)} --`, '', 'x'.repeat(50000)),
    );
    expect(rules.visible.startsWith('Approved.')).toBe(true);
    const html = `<div>${'<span a="'.repeat(5000)}</div>`;
    expect(typeof extractReplyFromHtml(html).visible).toBe('string');
  });

  it('stays linear on long runs of blanks, spaces and card-like lines', () => {
    const spaces = extractReply(`Approved.\n\nTom${' '.repeat(40000)}x`);
    expect(spaces.visible.startsWith('Approved.')).toBe(true);
    const blanks = extractReply(`Approved.\n\nTom Becker${'\n'.repeat(40000)}Brand Manager`);
    expect(blanks.visible.startsWith('Approved.')).toBe(true);
    const cards = extractReply(`Approved.\n\n${'Tom Becker\n'.repeat(20000)}`);
    expect(cards.visible.startsWith('Approved.')).toBe(true);
    const notices = extractReply(
      `Approved.\n\n${'This email is confidential; if received in error, delete it.\n'.repeat(10000)}`,
    );
    expect(notices.visible.startsWith('Approved.')).toBe(true);
    const link = extractReply(`Approved.\n\nSent from my iPhone${' '.repeat(40000)}<https://x.example>`);
    expect(link.visible.startsWith('Approved.')).toBe(true);
  });

  it('returns empty parts for an empty body', () => {
    expect(extractReply('')).toEqual({ visible: '', quoted: '', signature: '', forwarded: '' });
  });
});
