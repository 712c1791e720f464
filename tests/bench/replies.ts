import fs from 'node:fs/promises';
import path from 'node:path';
import { parseEmail } from '../../src/parse/parse-email.js';
import { extractReply } from '../../src/parse/reply-text.js';
import { ROOT } from '../helpers/process.js';

/**
 * Reply-extraction quality: scores `extractReply` against the read-only peer corpus in
 * ../shared/corpus/reply-extraction (fixtures and expected values from other open-source reply parsers).
 * A measurement, not a test: failures are printed, the exit code stays 0. Only the main expected value
 * (`expected_visible_text` by `assertion_kind`) is scored; per-fragment and other-target assertions are not.
 */

const CORPUS = path.resolve(ROOT, '../shared/corpus/reply-extraction');
const SNIPPET = 100;

interface Transform {
  type: string;
  search?: string;
  replace?: string;
}

interface Case {
  id: string;
  file: string;
  input_format: string;
  input_transform?: Transform | Transform[] | null;
  expected_visible_text: string | null;
  assertion_kind: string;
}

interface Outcome {
  status: 'pass' | 'fail' | 'unscored';
  detail?: string;
}

const TEXT_KINDS = new Set(['exact', 'exactDerivedFromFragments', 'firstFragmentExact']);
const TRIMMED_KINDS = new Set(['exactTrimmed', 'firstFragmentExactTrimmed']);
const STARTS = new Set(['startsWith', 'firstFragmentStartsWith']);
const CONTAINS = new Set(['contains', 'firstFragmentContains']);
// Kinds whose verdict needs no expected string: the input itself or emptiness is the reference.
const NO_VALUE_KINDS = new Set(['wholeBodyIsReply', 'replyAbsent']);

// Peers differ on trailing blanks (crisp keeps `\n\n`, github right-trims), which says nothing about
// where the reply was cut; so exact kinds ignore trailing whitespace per line and around the whole,
// and stay strict about everything else.
function normalizeLines(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
const noSpace = (s: string) => s.replace(/\s+/g, '');
// For reporting whitespace-blind kinds: lines without whitespace, blank ones dropped.
const squeezed = (s: string) =>
  s
    .split(/\r?\n/)
    .map(noSpace)
    .filter((l) => l !== '')
    .join('\n');
// Ruby's String#strip removes ASCII whitespace and NUL only, unlike JS trim().
const rubyStrip = (s: string) => s.replace(/^[\t\n\v\f\r \0]+|[\t\n\v\f\r \0]+$/g, '');

/** mailparser turns an HTML body into text; wrapping it in a minimal message reuses our own parser. */
async function htmlToText(html: Buffer): Promise<string> {
  const head = Buffer.from('MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n');
  return (await parseEmail(Buffer.concat([head, html]))).text ?? '';
}

async function buildInput(dir: string, c: Case): Promise<string> {
  const bytes = await fs.readFile(path.join(dir, c.file));
  const transforms = c.input_transform
    ? Array.isArray(c.input_transform)
      ? c.input_transform
      : [c.input_transform]
    : [];
  let text: string;
  if (transforms.some((t) => t.type === 'emlFirstTextPlainPart' || t.type === 'emlToText')) {
    text = (await parseEmail(bytes)).text ?? '';
  } else if (c.input_format === 'message/rfc822') {
    text = (await parseEmail(bytes)).text ?? '';
  } else if (c.input_format === 'text/html') {
    text = await htmlToText(bytes);
  } else {
    text = bytes.toString('utf8');
  }
  for (const t of transforms) {
    if (t.type === 'replaceAll' && t.search !== undefined) text = text.replaceAll(t.search, t.replace ?? '');
    else if (t.type === 'strip') text = rubyStrip(text);
  }
  return text;
}

const cut = (s: string) => {
  const one = JSON.stringify(s);
  return one.length > SNIPPET ? `${one.slice(0, SNIPPET - 1)}…` : one;
};

/**
 * The first line where the two texts part, as `line N: expected "…" got "…"`. A blank or missing line
 * says little (most failures are "kept one line too many"), so each side shows its next non-blank line.
 */
function firstDifference(expected: string, got: string): string {
  const a = expected.split('\n');
  const b = got.split('\n');
  const next = (lines: string[], i: number) => {
    const line = lines.slice(i).find((l) => l.trim() !== '');
    return line === undefined ? '<end>' : cut(line);
  };
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    const [e, g] = [next(a, i), next(b, i)];
    // Same next content: the texts differ by a blank line, so show the raw lines.
    if (e === g) return `line ${i + 1}: expected ${cut(a[i] ?? '<end>')} got ${cut(b[i] ?? '<end>')}`;
    return `line ${i + 1}: expected ${e} got ${g}`;
  }
  return 'texts differ only in whitespace';
}

async function scoreCase(dir: string, c: Case): Promise<Outcome> {
  const kind = c.assertion_kind;
  const expected = c.expected_visible_text;
  const known =
    TEXT_KINDS.has(kind) ||
    TRIMMED_KINDS.has(kind) ||
    STARTS.has(kind) ||
    CONTAINS.has(kind) ||
    kind.startsWith('htmlExact') ||
    ['exactIgnoringWhitespace', 'endsWith', 'notContains'].includes(kind);
  if (!NO_VALUE_KINDS.has(kind) && (!known || typeof expected !== 'string')) return { status: 'unscored' };
  try {
    const input = await buildInput(dir, c);
    const visible = extractReply(input).visible;
    const got = visible.trim();
    const exp = expected ?? '';
    const verdict = (ok: boolean, detail: () => string): Outcome =>
      ok ? { status: 'pass' } : { status: 'fail', detail: detail() };
    const lines = (e: string, g: string) => () => firstDifference(e, g);
    const sub = (what: string) => () => `${kind} ${cut(exp)}: ${what}`;

    if (TEXT_KINDS.has(kind)) {
      const e = normalizeLines(exp);
      const g = normalizeLines(visible);
      return verdict(e === g, lines(e, g));
    }
    if (TRIMMED_KINDS.has(kind)) return verdict(exp.trim() === got, lines(exp.trim(), got));
    if (kind === 'exactIgnoringWhitespace') {
      return verdict(noSpace(exp) === noSpace(visible), lines(squeezed(exp), squeezed(visible)));
    }
    if (kind.startsWith('htmlExact')) {
      const e = await htmlToText(Buffer.from(exp, 'utf8'));
      if (kind === 'htmlExactIgnoringWhitespace') {
        return verdict(noSpace(e) === noSpace(visible), lines(squeezed(e), squeezed(visible)));
      }
      return verdict(
        normalizeLines(e) === normalizeLines(visible),
        lines(normalizeLines(e), normalizeLines(visible)),
      );
    }
    if (STARTS.has(kind)) return verdict(got.startsWith(exp), lines(exp, got));
    if (kind === 'endsWith') {
      const last = (s: string) => s.split('\n').reverse().join('\n');
      return verdict(got.endsWith(exp), () => `from the end, ${firstDifference(last(exp), last(got))}`);
    }
    if (CONTAINS.has(kind)) return verdict(got.includes(exp), sub(`absent; got starts ${cut(got)}`));
    if (kind === 'notContains') {
      const at = got.indexOf(exp);
      return verdict(at < 0, sub(`present in ${cut(got.slice(Math.max(0, at - 40)))}`));
    }
    if (kind === 'wholeBodyIsReply') {
      const e = collapse(input);
      const g = collapse(visible);
      return verdict(e === g, lines(normalizeLines(input), normalizeLines(visible)));
    }
    // replyAbsent: nothing new above a forward.
    return verdict(got === '', () => `expected no visible text, got ${cut(got)}`);
  } catch (error) {
    return { status: 'fail', detail: `error: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const pct = (passed: number, scored: number) => (scored === 0 ? 0 : (passed / scored) * 100).toFixed(1);

export async function repliesBench(args: string[]): Promise<void> {
  const verbose = args.includes('--verbose');
  const only = option(args, '--source');
  let index: { sources: { source: string; dir: string; manifest: string }[] };
  try {
    index = JSON.parse(await fs.readFile(path.join(CORPUS, 'index.json'), 'utf8'));
  } catch {
    process.stdout.write(`replies: corpus not found at ${CORPUS} (it is optional; nothing to measure)\n`);
    process.exitCode = 2;
    return;
  }
  const sources = index.sources.filter((s) => !only || s.source === only || s.dir === only);
  if (sources.length === 0) {
    process.stdout.write(
      `replies: no source named ${only}; known: ${index.sources.map((s) => s.source).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }

  const t0 = performance.now();
  const width = Math.max(...sources.map((s) => s.source.length));
  const totals = { passed: 0, scored: 0, unscored: 0 };
  const failures: string[] = [];
  for (const s of sources) {
    const manifest = JSON.parse(await fs.readFile(path.join(CORPUS, s.manifest), 'utf8')) as {
      cases: Case[];
    };
    const dir = path.join(CORPUS, s.dir);
    let passed = 0;
    let scored = 0;
    let unscored = 0;
    for (const c of manifest.cases) {
      const outcome = await scoreCase(dir, c);
      if (outcome.status === 'unscored') {
        unscored++;
        continue;
      }
      scored++;
      if (outcome.status === 'pass') passed++;
      else failures.push(`  FAIL ${c.id} [${c.assertion_kind}] ${outcome.detail ?? ''}`);
    }
    totals.passed += passed;
    totals.scored += scored;
    totals.unscored += unscored;
    process.stdout.write(
      `${s.source.padEnd(width)}  ${`${passed}/${scored}`.padStart(7)} (${pct(passed, scored).padStart(5)}%)  not scored ${unscored}\n`,
    );
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(2);
  process.stdout.write(
    `${'total'.padEnd(width)}  ${`${totals.passed}/${totals.scored}`.padStart(7)} (${pct(totals.passed, totals.scored).padStart(5)}%)  not scored ${totals.unscored}  in ${seconds} s\n`,
  );
  if (verbose && failures.length > 0) process.stdout.write(`\nfailures:\n${failures.join('\n')}\n\n`);
  process.stdout.write(
    `replies passed=${totals.passed} scored=${totals.scored} pct=${pct(totals.passed, totals.scored)} not_scored=${totals.unscored}\n`,
  );
}
