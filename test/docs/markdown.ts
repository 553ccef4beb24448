/**
 * Just enough Markdown for the docs tests: the links a reader can follow and the anchors GitHub
 * gives headings. Fenced code and inline code are not Markdown, so links inside them are ignored.
 */

export interface Link {
  readonly line: number;
  readonly target: string;
}

/** The text with fenced code blocks blanked out (line numbers kept). */
export function withoutCode(md: string): string[] {
  let fence: string | undefined;
  return md.split('\n').map((line) => {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      const mark = (m[1] ?? '').charAt(0);
      if (fence === undefined) fence = mark;
      else if (mark === fence) fence = undefined;
      return '';
    }
    return fence === undefined ? line : '';
  });
}

/** Inline links and images `[text](target "title")` and reference definitions `[x]: target`. */
export function linksOf(md: string): Link[] {
  const links: Link[] = [];
  withoutCode(md).forEach((raw, i) => {
    const line = raw.replace(/(`+)[^`]*?\1/g, (m) => ' '.repeat(m.length)); // inline code spans
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line: i + 1, target: m[1] ?? '' });
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
    if (def) links.push({ line: i + 1, target: def[1] ?? '' });
  });
  return links;
}

/** Links that leave the repository (a scheme such as https: or mailto:) are not checked. */
export const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

/**
 * GitHub's heading anchors (github-slugger): the heading's text (inline code and emphasis marks
 * dropped, link text kept), lower-cased, every character that is not a letter, digit, mark,
 * underscore, space or hyphen removed, spaces turned into hyphens; a repeated slug gets -1, -2, …
 */
export function anchorsOf(md: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutCode(md)) {
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = (h[1] ?? '').replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}
