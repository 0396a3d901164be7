/**
 * A type check that holds across copies of this package (an app and a library it uses may each bring one), as cdk8s
 * `Chart.isChart` does it: a `Symbol.for` property marks the instances, where `instanceof` would see two classes.
 */
export class Marker {
  private readonly symbol: symbol;

  /** @param name the class name; the symbol is `cdk8s-tetragon.<name>` in the global registry */
  constructor(name: string) {
    this.symbol = Symbol.for(`cdk8s-tetragon.${name}`);
  }

  /** Marks an instance; call it in the constructor. */
  public mark(instance: object): void {
    Object.defineProperty(instance, this.symbol, { value: true });
  }

  /** Whether `x` was marked by any copy of the package. */
  public has(x: unknown): boolean {
    return typeof x === 'object' && x !== null && this.symbol in x;
  }
}
