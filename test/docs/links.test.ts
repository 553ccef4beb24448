import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { anchorsOf, isExternal, linksOf } from './markdown';

/**
 * The README is the way in and docs/ holds the rest (issue 12): every relative link and image in
 * them must lead somewhere, every #anchor to a heading of its target, the README must stay short,
 * and each docs page must open by saying what a reader gets from it.
 */
const ROOT = resolve(__dirname, '../..');
const DOCS = join(ROOT, 'docs');

function markdownUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? markdownUnder(p) : name.endsWith('.md') ? [p] : [];
  });
}

/** Every broken relative link of one Markdown file, as `file:line target (why)`. */
export function brokenLinks(file: string, md: string, read: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const { line, target } of linksOf(md)) {
    if (isExternal(target)) continue;
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    const where = `${relative(ROOT, file)}:${line} ${target}`;
    const text = pathPart === '' ? md : read(path);
    if (text === undefined) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor !== undefined && path.endsWith('.md') && !anchorsOf(text).has(decodeURIComponent(anchor))) {
      broken.push(`${where} (no heading with that anchor)`);
    }
  }
  return broken;
}

/** Reads a file; a directory reads as '' (a link to a folder is fine, an anchor into it is not checked). */
function readTarget(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  return statSync(path).isDirectory() ? '' : readFileSync(path, 'utf8');
}

const pages = [join(ROOT, 'README.md'), ...markdownUnder(DOCS)];

describe('README.md and docs/', () => {
  it('reads the docs (a check over no pages proves nothing)', () => {
    const names = markdownUnder(DOCS).map((p) => relative(DOCS, p));
    for (const page of ['deploy.md', 'configuration.md', 'how-it-decides.md', 'events.md', 'operating.md', 'drills.md', 'benchmarks.md', 'development.md']) {
      expect(names).toContain(page);
    }
    expect(pages.flatMap((p) => linksOf(readFileSync(p, 'utf8'))).length).toBeGreaterThan(30);
  });

  it.each(pages.map((p) => [relative(ROOT, p), p]))('every relative link in %s resolves', (_name, file) => {
    expect(brokenLinks(file, readFileSync(file, 'utf8'), readTarget)).toEqual([]);
  });

  it('keeps the README to at most 200 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(200);
  });

  it('links every docs page from the README or the docs index', () => {
    const linked = new Set(
      [join(ROOT, 'README.md'), join(DOCS, 'README.md')].flatMap((from) =>
        linksOf(readFileSync(from, 'utf8'))
          .filter((l) => !isExternal(l.target))
          .map((l) => resolve(dirname(from), l.target.split('#')[0] || from)),
      ),
    );
    const orphans = markdownUnder(DOCS).filter((p) => p !== join(DOCS, 'README.md') && !linked.has(p));
    expect(orphans.map((p) => relative(ROOT, p))).toEqual([]);
  });

  it.each(markdownUnder(DOCS).map((p) => [relative(ROOT, p), p]))('%s opens with its title, then what the reader gets from it', (_name, file) => {
    const [title, blank, first] = readFileSync(file, 'utf8').split('\n');
    expect(title).toMatch(/^# \S/);
    expect(blank).toBe('');
    // A sentence of prose, not a table, a list, code or another heading.
    expect(first).toMatch(/^[A-Z]/);
  });
});

describe('the link checker can fail', () => {
  const file = join(ROOT, 'docs', 'sample.md');
  const files: Record<string, string> = {
    [join(ROOT, 'docs', 'other.md')]: '# Other page\n\n## Set-up: `npm ci` & go\n\n## Set-up: `npm ci` & go\n',
    [join(ROOT, 'docs', 'diagram.svg')]: '<svg/>',
  };
  const read = (p: string): string | undefined => files[p];
  const sample = [
    '# Sample',
    '',
    '## Local heading',
    '',
    'Fine: [other](other.md), [a heading](other.md#set-up-npm-ci--go), [its twin](other.md#set-up-npm-ci--go-1),',
    '[here](#local-heading), ![a picture](diagram.svg "title"), [site](https://example.com/x.md).',
    'Broken: [missing](missing.md), [bad anchor](other.md#nope), ![gone](img/gone.png), [here](#nowhere).',
    '[ref]: ../nothing/here.md',
    '`[not a link](inline-code.md)`',
    '```md',
    '[not a link either](fenced.md)',
    '```',
  ].join('\n');

  it('reports each broken link, image, anchor and reference, and nothing else', () => {
    expect(brokenLinks(file, sample, read)).toEqual([
      'docs/sample.md:7 missing.md (no such file)',
      'docs/sample.md:7 other.md#nope (no heading with that anchor)',
      'docs/sample.md:7 img/gone.png (no such file)',
      'docs/sample.md:7 #nowhere (no heading with that anchor)',
      'docs/sample.md:8 ../nothing/here.md (no such file)',
    ]);
  });

  it('slugs headings as GitHub does', () => {
    expect([...anchorsOf('# Triggers: schedule, alarms, AWS Health, ARC zonal shifts\n### `--direct`: break-glass\n## Managed alarms (`ALARMS=managed`, the default)\n')]).toEqual([
      'triggers-schedule-alarms-aws-health-arc-zonal-shifts',
      '--direct-break-glass',
      'managed-alarms-alarmsmanaged-the-default',
    ]);
  });
});
