/**
 * The scenarios the verifier runs without a `--scenario-file`: the library's own, and the container-runtime
 * scenarios for every runc the run carries.
 */
import { runtimeScenarios } from './runtime-scenarios';
import { Scenario } from './scenario';

/**
 * Every built-in scenario for the given runc suites; the runtime scenarios for every policy named (a container
 * start or exec must not make a policy report that does not promise it).
 */
export function builtInScenarios(runtimes: readonly string[], policies?: readonly string[]): Scenario[] {
  return [...runtimeScenarios(runtimes, policies)];
}
