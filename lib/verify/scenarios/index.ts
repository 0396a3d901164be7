/**
 * The scenario catalog: for every policy the library emits, the actions it must catch and the routine it must
 * ignore, each with a real trigger for the verifier's guest and the events the simulator runs for the same action.
 */
import { Scenario } from '../scenario';
import { BPF_ACTIVITY_SCENARIOS } from './bpf-activity';
import { CLOUD_METADATA_CONTACT_SCENARIOS } from './cloud-metadata-contact';
import { CONTAINER_KERNEL_LOAD_SCENARIOS } from './container-kernel-load';
import { CONTAINER_MOUNT_SCENARIOS } from './container-mount';
import { CRYPTO_MINER_EXEC_SCENARIOS } from './crypto-miner-exec';
import { HOST_PATH_ACCESS_SCENARIOS } from './host-path-access';
import { HUGE_PAGES_SCENARIOS } from './huge-pages';
import { KERNEL_CONTROL_WRITE_SCENARIOS } from './kernel-control-write';
import { KERNEL_MODULE_LOAD_SCENARIOS } from './kernel-module-load';
import { KUBERNETES_API_CONTACT_SCENARIOS } from './kubernetes-api-contact';
import { LOG_CLEARING_SCENARIOS } from './log-clearing';
import { MINING_POOL_CONNECTION_SCENARIOS } from './mining-pool-connection';
import { MSR_ACCESS_SCENARIOS } from './msr-access';
import { NAMESPACE_CHANGE_SCENARIOS } from './namespace-change';
import { NETWORK_CONNECTION_MONITOR_SCENARIOS } from './network-connection-monitor';
import { PACKET_SOCKET_SCENARIOS } from './packet-socket';
import { PRIVILEGE_ESCALATION_MONITOR_SCENARIOS } from './privilege-escalation-monitor';
import { PROC_ENVIRON_READ_SCENARIOS } from './proc-environ-read';
import { PROCESS_EXEC_MONITOR_SCENARIOS } from './process-exec-monitor';
import { PTRACE_SCENARIOS } from './ptrace';
import { RELEASE_AGENT_SCENARIOS } from './release-agent';
import { RUNTIME_SOCKET_SCENARIOS } from './runtime-socket';
import { SENSITIVE_FILE_ACCESS_MONITOR_SCENARIOS } from './sensitive-file-access-monitor';
import { SENSITIVE_LINK_SCENARIOS } from './sensitive-link';
import { SHELL_ACCESS_MONITOR_SCENARIOS } from './shell-access-monitor';
import { SHELL_HISTORY_TAMPERING_SCENARIOS } from './shell-history-tampering';
import { SSH_NONSTANDARD_PORT_SCENARIOS } from './ssh-nonstandard-port';
import { SSHD_NETWORK_SCENARIOS } from './sshd-network';
import { TMP_EXEC_SCENARIOS } from './tmp-exec';

export { BUSYBOX_APPLETS } from './private/support';
export { MONITOR_NAMES, scenarioPolicy, synthesizeConstruct } from './policies';

/** Every scenario, by policy family: the module's monitors, then the detections in their bundle order. */
export const SCENARIO_FAMILIES: readonly (readonly Scenario[])[] = [
  PROCESS_EXEC_MONITOR_SCENARIOS,
  SENSITIVE_FILE_ACCESS_MONITOR_SCENARIOS,
  PRIVILEGE_ESCALATION_MONITOR_SCENARIOS,
  SHELL_ACCESS_MONITOR_SCENARIOS,
  NETWORK_CONNECTION_MONITOR_SCENARIOS,
  NAMESPACE_CHANGE_SCENARIOS,
  CONTAINER_MOUNT_SCENARIOS,
  RUNTIME_SOCKET_SCENARIOS,
  HOST_PATH_ACCESS_SCENARIOS,
  CONTAINER_KERNEL_LOAD_SCENARIOS,
  RELEASE_AGENT_SCENARIOS,
  KERNEL_CONTROL_WRITE_SCENARIOS,
  CRYPTO_MINER_EXEC_SCENARIOS,
  MINING_POOL_CONNECTION_SCENARIOS,
  MSR_ACCESS_SCENARIOS,
  HUGE_PAGES_SCENARIOS,
  BPF_ACTIVITY_SCENARIOS,
  CLOUD_METADATA_CONTACT_SCENARIOS,
  KERNEL_MODULE_LOAD_SCENARIOS,
  KUBERNETES_API_CONTACT_SCENARIOS,
  LOG_CLEARING_SCENARIOS,
  PACKET_SOCKET_SCENARIOS,
  PROC_ENVIRON_READ_SCENARIOS,
  PTRACE_SCENARIOS,
  SENSITIVE_LINK_SCENARIOS,
  SHELL_HISTORY_TAMPERING_SCENARIOS,
  SSHD_NETWORK_SCENARIOS,
  TMP_EXEC_SCENARIOS,
  SSH_NONSTANDARD_PORT_SCENARIOS,
];

/** Every scenario of the catalog. */
export const SCENARIOS: readonly Scenario[] = SCENARIO_FAMILIES.flat();

/**
 * Policies the library can emit that have no scenarios, with why. The detections that create no policy
 * (stratum-protocol, sudo, privilege-escalation, suspicious-command, fileless-exec, suid-exec, and tmp-exec
 * without `inKernel`) alert in Loki on the default events; their LogQL is tested on sample events.
 */
export const POLICIES_WITHOUT_SCENARIOS: Readonly<Record<string, string>> = {
  'shared-library-load':
    'a hookless loader policy (spec.loader) whose process_loader events the simulator does not model; its Loki alert is tested on sample events',
};
