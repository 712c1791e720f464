/** What a message's body splits into. Every string is tidied: no trailing blanks, no blank edges. */
export interface ReplyParts {
  /** What the sender newly wrote: the only text intent classification may look at. */
  visible: string;
  /** Quoted history, including the `>` context lines of inline answers. */
  quoted: string;
  /** Sign-off, name/contact block, `-- ` block or device footer. */
  signature: string;
  /** A forwarded message kept as content (never history); '' when there is none. */
  forwarded?: string;
}

/**
 * One line of body text as the splitter sees it. Plain text gives only `text` lines (a `>` prefix
 * marks quoting); the HTML reader also knows which lines sat in a quote container, after an
 * Outlook-style history marker, in a signature container or in a forward container.
 */
export type LineKind = 'text' | 'quote' | 'history' | 'signature' | 'forward';

export interface SourceLine {
  text: string;
  kind: LineKind;
}
