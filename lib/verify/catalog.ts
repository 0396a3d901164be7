/**
 * The scenarios the verifier runs without a `--scenario-file`: the library's own, and the container-runtime
 * scenarios for every runc the run carries.
 */
import { runtimeScenarios } from './runtime-scenarios';
import { Scenario } from './scenario';

/** Every built-in scenario for the given runc suites. */
export function builtInScenarios(runtimes: readonly string[]): Scenario[] {
  return [...runtimeScenarios(runtimes)];
}
