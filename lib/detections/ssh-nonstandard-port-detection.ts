import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter, PortSpec, portProblem } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { BinaryFilter } from '../policy/process-filter';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { refuse } from '../private/problems';
import { ScopedDetectionProps } from './detection-props';
import { checkPaths, detectionPolicy, enforcementActions, inContainer } from './private/kit';

/** Props of an {@link SshNonStandardPortDetection}. */
export interface SshNonStandardPortDetectionProps extends ScopedDetectionProps {
  /**
   * Ports an SSH client may connect to.
   * @default [22]
   */
  readonly allowedPorts?: readonly PortSpec[];
  /**
   * The SSH client executables (resolved paths).
   * @default SshNonStandardPortDetection.DEFAULT_SSH_CLIENTS
   */
  readonly sshClients?: readonly string[];
  /**
   * Report only clients inside containers.
   * @default true
   */
  readonly containersOnly?: boolean;
}

/**
 * `ssh-nonstandard-port`: an SSH client connecting to a port other than 22, typical of tunnels to attacker
 * infrastructure and of SSH over 443 or 80 to pass egress filters (Falco "Disallowed SSH Connection Non Standard
 * Port", MITRE T1571).
 *
 * Probes `tcp_connect` for the SSH client executables (resolved paths: OpenSSH `ssh`, Dropbear `dbclient`), with
 * `NotDPort` on the allowed ports. The selector's only binary filter selects the SSH client, so
 * `trustedBinaries` does not apply (scope with `podSelector` instead).
 * Enforcement: Sigkill or Signal (`tcp_connect` cannot take Override).
 * Noise: low; Git over SSH on port 22 is not reported, Git hosts on 443 (`ssh.github.com:443`) are: allow that port.
 * Misses: SSH clients under other names (a copied binary, Paramiko or Go clients in an application).
 */
export class SshNonStandardPortDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'ssh-nonstandard-port';
  /** OpenSSH and Dropbear clients where distributions and images install them. */
  public static readonly DEFAULT_SSH_CLIENTS: readonly string[] = ['/usr/bin/ssh', '/bin/ssh', '/usr/local/bin/ssh', '/usr/bin/dbclient'];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1571'];

  constructor(scope: Construct, id: string, props: SshNonStandardPortDetectionProps = {}) {
    super(scope, id);
    if (props.trustedBinaries)
      refuse(
        this,
        'trustedBinaries',
        props.trustedBinaries,
        'this detection selects the ssh client itself with its only binary filter',
        'Scope with podSelector or containerSelector instead',
      );
    const ports = props.allowedPorts ?? [22];
    if (ports.length === 0) refuse(this, 'allowedPorts', ports, 'at least one port', 'Leave the prop out for [22]');
    for (const p of ports) {
      const why = portProblem(String(p));
      if (why) refuse(this, 'allowedPorts', p, why, 'Use e.g. 22 or "2222"');
    }
    const clients = props.sshClients ?? SshNonStandardPortDetection.DEFAULT_SSH_CLIENTS;
    checkPaths(this, 'sshClients', clients);
    const actions = enforcementActions(this, props, false, 'tcp_connect is neither a syscall nor an LSM function');
    const sock = Arg.sock(0);
    this.policies = [
      detectionPolicy(this, props, {
        name: SshNonStandardPortDetection.NAME,
        description: 'SSH clients connecting to non-standard ports',
        hooks: [
          KprobeHook.function('tcp_connect', {
            message: 'SSH client connected to a non-standard port',
            tags: ['observability.network', 'mitre.T1571'],
            args: [sock],
            selectors: [
              new Selector({
                matchArgs: [ArgFilter.notDport(sock, ports)],
                matchBinaries: BinaryFilter.in(clients),
                matchNamespaces: inContainer(props.containersOnly ?? true),
                actions,
              }),
            ],
          }),
        ],
      }),
    ];
  }
}
