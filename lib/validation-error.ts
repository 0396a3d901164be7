/**
 * Thrown at synth time for input a construct refuses: the message names the construct path, and each problem the
 * field, what was received, what is expected and the fix.
 */
export class ValidationError extends Error {
  /**
   * @param constructPath the path of the construct whose input is refused
   * @param problems one line per problem, each starting with the field
   * @param heading what the problems are about (`invalid TracingPolicy`); without one, a single problem is the message
   */
  constructor(
    public readonly constructPath: string,
    public readonly problems: readonly string[],
    heading?: string,
  ) {
    super(
      heading === undefined && problems.length === 1
        ? `${constructPath}: ${problems[0]}`
        : `${constructPath}: ${heading ?? 'invalid props'}\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'ValidationError';
  }
}

/** Thrown at synth time for a policy that Tetragon would refuse or that cannot do what it says. */
export class PolicyValidationError extends ValidationError {
  constructor(constructPath: string, problems: readonly string[]) {
    super(constructPath, problems, 'invalid TracingPolicy');
    this.name = 'PolicyValidationError';
  }
}
