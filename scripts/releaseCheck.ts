/** What must hold before `npm run release` builds an artefact (pure, so a unit test covers it). */

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;

export interface RepoState {
  /** package.json "version". */
  readonly version: unknown;
  /** `git status --porcelain` output. */
  readonly status: string;
  /** `git tag --points-at HEAD`, one per line. */
  readonly tagsAtHead: string;
}

/** One line per problem; empty when the release may go ahead. */
export function releaseProblems(s: RepoState): string[] {
  const problems: string[] = [];
  if (typeof s.version !== 'string' || !SEMVER.test(s.version)) {
    return [`package.json version ${JSON.stringify(s.version)?.slice(0, 40)} is not MAJOR.MINOR.PATCH`];
  }
  if (s.status.trim() !== '') problems.push('the working tree has uncommitted changes: commit or stash them, a release is built from a commit');
  const tag = `v${s.version}`;
  if (!s.tagsAtHead.split('\n').map((t) => t.trim()).includes(tag)) problems.push(`HEAD is not tagged ${tag}: run \`git tag ${tag}\` (or bump "version" in package.json)`);
  return problems;
}
