/**
 * Problems found while rendering policy building blocks. Value objects (arguments, filters,
 * selectors, hooks) report what is wrong with their own fields; the owning construct prefixes
 * its path and throws, so every message names the construct, the field, the value and the fix.
 */
export class Problems {
  private readonly lines: string[] = [];

  /** Records a problem: `field` is a dotted path such as `kprobes[0].selectors[1].matchArgs[0].values[2]`. */
  public add(field: string, message: string): void {
    this.lines.push(`${field}: ${message}`);
  }

  public get isEmpty(): boolean {
    return this.lines.length === 0;
  }

  public get all(): readonly string[] {
    return this.lines;
  }

  /** Throws one error listing every problem, prefixed with the construct path. */
  public throwIfAny(constructPath: string): void {
    if (this.isEmpty) return;
    throw new PolicyValidationError(constructPath, this.lines);
  }
}

/** Thrown at synth time for a policy that Tetragon would refuse or that cannot do what it says. */
export class PolicyValidationError extends Error {
  constructor(public readonly constructPath: string, public readonly problems: readonly string[]) {
    super(`${constructPath}: invalid TracingPolicy\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyValidationError';
  }
}

/** JSON rendering of a value for messages. */
export function show(value: unknown): string {
  return JSON.stringify(value);
}
