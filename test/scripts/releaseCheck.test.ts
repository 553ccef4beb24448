import fc from 'fast-check';
import { releaseProblems } from '../../scripts/releaseCheck';

const clean = { version: '1.2.3', status: '', tagsAtHead: 'v1.2.3\n' };

describe('npm run release: what must hold first', () => {
  it('lets a committed tree whose HEAD carries v<version> through', () => {
    expect(releaseProblems(clean)).toEqual([]);
    expect(releaseProblems({ ...clean, tagsAtHead: 'latest\nv1.2.3\n' })).toEqual([]);
  });

  it('refuses uncommitted changes and a missing or different tag, each in one line', () => {
    expect(releaseProblems({ ...clean, status: ' M src/config.ts\n' })).toEqual([expect.stringMatching(/^the working tree has uncommitted changes/)]);
    expect(releaseProblems({ ...clean, tagsAtHead: '' })).toEqual(['HEAD is not tagged v1.2.3: run `git tag v1.2.3` (or bump "version" in package.json)']);
    expect(releaseProblems({ ...clean, tagsAtHead: 'v1.2.30\nv1.2\n' })).toHaveLength(1);
  });

  it('refuses any version that is not MAJOR.MINOR.PATCH, without echoing it at length', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.constant(null)), (version) => {
        fc.pre(typeof version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version));
        const problems = releaseProblems({ version, status: '', tagsAtHead: `v${String(version)}` });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/is not MAJOR\.MINOR\.PATCH$/);
        expect(problems[0]!.length).toBeLessThan(120);
        expect(problems[0]).not.toContain('\n');
      }),
    );
  });
});
