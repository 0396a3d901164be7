/**
 * Checks that a regular expression is valid RE2 syntax (the engine Tetragon's Go code uses) as far as
 * the constructs JavaScript and RE2 share: RE2 has no lookaround and no backreferences, so a pattern
 * that relies on them would be rejected by the agent at start-up, after it is already deployed.
 */
const UNSUPPORTED: ReadonlyArray<[RegExp, string]> = [
  [/\(\?[=!]/, 'lookahead ((?=...) or (?!...))'],
  [/\(\?<[=!]/, 'lookbehind ((?<=...) or (?<!...))'],
  [/\\[1-9]/, 'a backreference (\\1 ... \\9)'],
  [/\\k</, 'a named backreference (\\k<name>)'],
  [/\(\?<[A-Za-z]/, 'a JavaScript-style named group ((?<name>...)); RE2 spells it (?P<name>...)'],
];

/** Returns a problem description, or undefined when the pattern is acceptable RE2. */
export function re2Problem(pattern: string): string | undefined {
  for (const [probe, what] of UNSUPPORTED) {
    if (probe.test(pattern)) return `uses ${what}, which RE2 does not support`;
  }
  try {
    toJsRegExp(pattern);
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message})`;
  }
  return undefined;
}

/**
 * Compiles an RE2 pattern with JavaScript semantics, for checks and tests: RE2's leading `(?i)` and
 * `(?P<name>` groups are translated; everything else in the shared subset means the same in both.
 */
export function toJsRegExp(pattern: string, flags = ''): RegExp {
  let source = pattern;
  let f = flags;
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const c of inline[1]) {
      if (c === 'U') throw new Error('the (?U) ungreedy flag has no JavaScript equivalent');
      if (!f.includes(c)) f += c;
    }
  }
  source = source.replace(/\(\?P</g, '(?<');
  return new RegExp(source, f);
}

/** Number of capturing groups in an RE2 pattern. */
export function captureGroupCount(pattern: string): number {
  const re = toJsRegExp(`(?:${stripInlineFlags(pattern)})|`);
  return (re.exec('') as RegExpExecArray).length - 1;
}

function stripInlineFlags(pattern: string): string {
  return pattern.replace(/^\(\?[imsU]+\)/, '');
}
