/**
 * Jest matchers for TracingPolicies, backed by the simulator. Nothing here imports jest: pass
 * {@link tetragonMatchers} to `expect.extend` in a setup file or at the top of a test.
 *
 * @example
 * import { tetragonMatchers } from 'cdk8s-tetragon';
 * expect.extend(tetragonMatchers);
 * expect(chart).toMatchEvent({ hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } });
 */
import { SimulatedEvent } from '../simulate/event';
import { PolicyInput } from '../simulate/policy-input';
import { SimulateOptions, SimulationResult, simulate } from '../simulate/simulator';

/** What `toMatchEvent` accepts besides the event: simulation options and the actions the match must take. */
export interface MatchEventOptions extends SimulateOptions {
  /**
   * Actions that must take effect (e.g. `['Sigkill']`), compared with `SimulationResult.actions`.
   * Only checked on the positive form.
   * @default - any action, including Post
   */
  readonly actions?: readonly string[];
}

/** The part of jest's matcher context the matcher reads (structural, so jest is not imported). */
interface MatcherContext {
  readonly isNot?: boolean;
}

/** Human-readable account of a simulation, used in matcher messages. */
export function explain(result: SimulationResult): string {
  const lines: string[] = [];
  for (const m of result.matches) {
    const acts = m.actions
      .map(
        (a) =>
          a.action + (a.enforced === false ? ' (not enforced: monitor mode)' : '') + (a.rateLimit ? ` (rateLimit ${a.rateLimit})` : ''),
      )
      .join(', ');
    lines.push(
      `  matched: ${m.policy} ${m.hook}${m.selector !== undefined ? ` selector ${m.selector}` : ''} -> ${acts}${m.post ? '' : ' (no event posted)'}`,
    );
    for (const b of m.because) lines.push(`      because ${b}`);
  }
  for (const miss of result.misses) {
    const where = [miss.policy, miss.hook, miss.selector !== undefined ? `selector ${miss.selector}` : undefined].filter(Boolean).join(' ');
    lines.push(`  no match: ${where}: ${miss.reason}`);
  }
  for (const e of result.loadErrors) lines.push(`  would not load: ${e}`);
  for (const p of result.problems) lines.push(`  event incomplete: ${p}`);
  return lines.join('\n');
}

function toMatchEvent(this: MatcherContext, received: PolicyInput, event: SimulatedEvent, options: MatchEventOptions = {}): MatcherResult {
  const result = simulate(received, event, options);
  const name = event.name ? ` '${event.name}'` : '';
  const isNot = this.isNot === true;
  if (!result.hooked) {
    return {
      pass: isNot,
      message: () =>
        `no policy hooks ${result.hook}, so the event${name} tests nothing (is the hook misspelt?); ` +
        `name a hook the policies attach to:\n${explain(result)}`,
    };
  }
  if (result.problems.length > 0) {
    return {
      pass: isNot,
      message: () =>
        `the event${name} (${result.hook}) lacks data that a policy filters on, so the simulation is not conclusive:\n${explain(result)}`,
    };
  }
  if (result.loadErrors.length > 0) {
    return {
      pass: isNot,
      message: () => `a policy would not load in Tetragon, so it cannot match anything:\n${explain(result)}`,
    };
  }
  const wanted = options.actions ? [...options.actions].sort() : undefined;
  const actionsOk = wanted === undefined || wanted.every((a) => result.actions.includes(a));
  // Without required actions a match must post an event; with them, the actions decide (a NoPost Sigkill counts).
  const pass = wanted === undefined ? result.posted : result.matched && actionsOk;
  return {
    pass,
    message: () =>
      pass
        ? `expected the policies not to report the event${name} (${result.hook}), but:\n${explain(result)}`
        : result.matched && !actionsOk
          ? `expected the event${name} (${result.hook}) to trigger ${wanted!.join(', ')}, but the effective actions are [${result.actions.join(', ')}]:\n${explain(result)}`
          : `expected the policies to report the event${name} (${result.hook}), but ${result.matched ? 'no event is posted (NoPost)' : 'nothing matched'}:\n${explain(result)}`,
  };
}

/** What a jest matcher returns. */
export interface MatcherResult {
  /** Whether the expectation holds. */
  readonly pass: boolean;
  /** The failure message. */
  message(): string;
}

/** The matchers of {@link tetragonMatchers}, in the shape `expect.extend` takes (a type literal, which it can index). */
export type TetragonMatchers = {
  /**
   * Passes when the policies (a construct, a chart, a manifest, YAML text or a list of these) select the event and
   * post it, or take `options.actions`.
   */
  toMatchEvent(
    this: { readonly isNot?: boolean },
    received: PolicyInput,
    event: SimulatedEvent,
    options?: MatchEventOptions,
  ): MatcherResult;
};

/**
 * Matchers to register with `expect.extend(tetragonMatchers)`.
 * - `expect(policies).toMatchEvent(event, options?)`: a policy hook selects the event and an event is posted
 *   (or, with `options.actions`, those actions take effect). The received value may be a construct, a chart,
 *   a manifest, YAML text or a list of these.
 */
export const tetragonMatchers: TetragonMatchers = {
  toMatchEvent,
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /**
       * Passes when the policies select the event and post it (or take `options.actions`).
       * The failure message lists, per policy, hook and selector, the filter that did not hold.
       */
      toMatchEvent(event: SimulatedEvent, options?: MatchEventOptions): R;
    }
  }
}
