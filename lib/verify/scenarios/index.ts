/**
 * The scenario catalog: for every policy the library emits, the actions it must catch and the routine it must
 * ignore, each with a real trigger for the verifier's guest and the events the simulator runs for the same action.
 */
import { Scenario } from '../scenario';
import { NAMESPACE_CHANGE_SCENARIOS } from './namespace-change';
import { NETWORK_CONNECTION_MONITOR_SCENARIOS } from './network-connection-monitor';
import { PRIVILEGE_ESCALATION_MONITOR_SCENARIOS } from './privilege-escalation-monitor';
import { PROCESS_EXEC_MONITOR_SCENARIOS } from './process-exec-monitor';
import { SENSITIVE_FILE_ACCESS_MONITOR_SCENARIOS } from './sensitive-file-access-monitor';
import { SHELL_ACCESS_MONITOR_SCENARIOS } from './shell-access-monitor';

export { BUSYBOX_APPLETS } from './_support';
export { MONITOR_NAMES, scenarioPolicy, synthesizeConstruct } from './policies';

/** Every scenario, by policy family, in the order of the module's monitors and then the detections. */
export const SCENARIO_FAMILIES: readonly (readonly Scenario[])[] = [
  PROCESS_EXEC_MONITOR_SCENARIOS,
  SENSITIVE_FILE_ACCESS_MONITOR_SCENARIOS,
  PRIVILEGE_ESCALATION_MONITOR_SCENARIOS,
  SHELL_ACCESS_MONITOR_SCENARIOS,
  NETWORK_CONNECTION_MONITOR_SCENARIOS,
  NAMESPACE_CHANGE_SCENARIOS,
];

/** Every scenario of the catalog. */
export const SCENARIOS: readonly Scenario[] = SCENARIO_FAMILIES.flat();
