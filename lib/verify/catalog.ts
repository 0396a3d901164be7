/**
 * The scenarios the verifier runs without a `--scenario-file`: the library's catalog, and the container-runtime
 * scenarios for every runc the run carries.
 */
import { runtimeScenarios } from './runtime-scenarios';
import { Scenario } from './scenario';
import { SCENARIOS } from './scenarios';

/**
 * Every built-in scenario: the library's catalog (`./scenarios`), then the runtime scenarios for the given runc
 * suites and every policy named (a container start or exec must not make a policy report that does not promise it).
 */
export function builtInScenarios(runtimes: readonly string[], policies?: readonly string[]): Scenario[] {
  return [...SCENARIOS, ...runtimeScenarios(runtimes, policies)];
}
