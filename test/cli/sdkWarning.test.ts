import { dropNodeVersionSupportWarning, isNodeVersionSupportWarning } from '../../src/sdkWarning';

/** A stand-in for `process`: records what reaches the real emitWarning. */
function fakeProcess() {
  const emitted: unknown[][] = [];
  const target = { emitWarning: ((...args: unknown[]) => void emitted.push(args)) as typeof process.emitWarning };
  return { target, emitted };
}

// As @aws-sdk/core sends it: the name is the start of the message, the type is the default.
const SDK_NOTICE = 'NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after the first week of January 2027\nwill require node >=22. You are running node v20.0.0.';

describe('dropping the AWS SDK\'s Node-version notice', () => {
  it('drops the notice however it is passed, and forwards every other warning unchanged', () => {
    // Prepare
    const { target, emitted } = fakeProcess();
    dropNodeVersionSupportWarning(target);
    const other = new Error('something else');
    other.name = 'DeprecationWarning';

    // Act
    target.emitWarning(SDK_NOTICE);
    target.emitWarning('a notice', 'NodeVersionSupportWarning');
    target.emitWarning('a notice', { type: 'NodeVersionSupportWarning' });
    target.emitWarning(Object.assign(new Error('node too old'), { name: 'NodeVersionSupportWarning' }));
    target.emitWarning('Buffer() is deprecated', 'DeprecationWarning', 'DEP0005');
    target.emitWarning('mentions NodeVersionSupportWarning but is not it');
    target.emitWarning(other);

    // Assess
    expect(emitted).toStrictEqual([
      ['Buffer() is deprecated', 'DeprecationWarning', 'DEP0005'],
      ['mentions NodeVersionSupportWarning but is not it'],
      [other],
    ]);
  });

  it('wraps only once, however often it is installed', () => {
    const { target } = fakeProcess();
    dropNodeVersionSupportWarning(target);
    const once = target.emitWarning;
    dropNodeVersionSupportWarning(target);
    expect(target.emitWarning).toBe(once);
  });

  it('recognises exactly the notice', () => {
    expect(isNodeVersionSupportWarning(SDK_NOTICE)).toBe(true);
    expect(isNodeVersionSupportWarning('ExperimentalWarning: fetch')).toBe(false);
    expect(isNodeVersionSupportWarning(undefined)).toBe(false);
  });
});
