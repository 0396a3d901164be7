/**
 * `toMatchEvent` for tests that import `expect` from `@jest/globals` (`injectGlobals: false`, or ESM tests):
 * `import 'cdk8s-tetragon/jest-globals'` registers the matcher with that `expect` and declares its type there.
 * Tests that use the global `expect` need only `expect.extend(tetragonMatchers)`: the package declares
 * `toMatchEvent` on `jest.Matchers` for them.
 *
 * @example
 * import { expect, test } from '@jest/globals';
 * import 'cdk8s-tetragon/jest-globals';
 *
 * test('cat /etc/shadow is reported', () => {
 *   expect(chart).toMatchEvent({ hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } });
 * });
 */
import { expect } from '@jest/globals';
import { SimulatedEvent } from '../simulate/event';
import { MatchEventOptions, tetragonMatchers } from './matchers';

expect.extend(tetragonMatchers);

declare module '@jest/expect' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a merged declaration repeats jest's type parameters
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /**
     * Passes when the policies select the event and post it (or take `options.actions`).
     * The failure message lists, per policy, hook and selector, the filter that did not hold.
     */
    toMatchEvent(event: SimulatedEvent, options?: MatchEventOptions): R;
  }
}
