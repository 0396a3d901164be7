/**
 * The one way the library reports bad input: every problem names the field, what was received, what is expected and
 * the fix, and the error names the construct path. Value objects (arguments, filters, selectors, hooks, chart values)
 * add their problems to a collector that the owning construct throws once, so one synth reports all of them.
 */
import { IConstruct } from 'constructs';
import { ValidationError } from '../validation-error';

/** A value as messages show it: JSON (so strings are quoted and escaped), cut to `max` characters when longer. */
export function show(value: unknown, max = Infinity): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // a bigint, or a cycle
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** `got <value>; <reason>. <fix>`: the words of a refused value. */
export function refusal(received: unknown, reason: string, fix?: string): string {
  return `got ${show(received)}; ${reason}${fix ? `. ${fix}` : ''}`;
}

/** `got <value>; expected <expected>. <fix>`: the words of a value that is not one of those accepted. */
export function gotExpected(received: unknown, expected: string, fix?: string): string {
  return refusal(received, `expected ${expected}`, fix);
}

function pathOf(where: IConstruct | string): string {
  return typeof where === 'string' ? where : where.node.path;
}

/** Collects the problems of one construct's input and throws them together. */
export class Problems {
  private readonly lines: string[] = [];

  /**
   * @param heading what the thrown error says the problems are about, after the construct path (without one, a
   *   single problem is the message)
   * @param errorOf builds the error (the policy constructs throw `PolicyValidationError`)
   */
  constructor(
    heading?: string,
    private readonly errorOf: (constructPath: string, problems: readonly string[]) => Error = (path, problems) =>
      new ValidationError(path, problems, heading),
  ) {}

  /** Records a problem in free words: `field` is a dotted path such as `kprobes[0].selectors[1].matchArgs[0].values[2]`. */
  public add(field: string, message: string): void {
    this.lines.push(`${field}: ${message}`);
  }

  /** Records a value that is not one of those accepted: `field: got <value>; expected <expected>. <fix>`. */
  public invalid(field: string, received: unknown, expected: string, fix?: string): void {
    this.add(field, gotExpected(received, expected, fix));
  }

  /** Records `received` as not one of those accepted, unless `ok`. */
  public check(ok: boolean, field: string, received: unknown, expected: string, fix?: string): void {
    if (!ok) this.invalid(field, received, expected, fix);
  }

  /** Records a refused value and why: `field: got <value>; <reason>. <fix>`. */
  public refuse(field: string, received: unknown, reason: string, fix?: string): void {
    this.add(field, refusal(received, reason, fix));
  }

  /** Whether nothing was recorded. */
  public get isEmpty(): boolean {
    return this.lines.length === 0;
  }

  /** The problems recorded, in order. */
  public get all(): readonly string[] {
    return this.lines;
  }

  /** Throws one error listing every problem under the construct path; returns when there is none. */
  public throwIfAny(where: IConstruct | string): void {
    if (!this.isEmpty) throw this.errorOf(pathOf(where), this.lines);
  }
}

/** Throws at once for one refused value: `<path>: <field>: got <value>; expected <expected>. <fix>`. */
export function invalid(where: IConstruct | string, field: string, received: unknown, expected: string, fix?: string): never {
  throw new ValidationError(pathOf(where), [`${field}: ${gotExpected(received, expected, fix)}`]);
}

/** Throws at once for one refused value and why: `<path>: <field>: got <value>; <reason>. <fix>`. */
export function refuse(where: IConstruct | string, field: string, received: unknown, reason: string, fix?: string): never {
  throw new ValidationError(pathOf(where), [`${field}: ${refusal(received, reason, fix)}`]);
}

/** Throws at once for one problem said in free words: `<path>: <field>: <message>`. */
export function fail(where: IConstruct | string, field: string, message: string): never {
  throw new ValidationError(pathOf(where), [`${field}: ${message}`]);
}
