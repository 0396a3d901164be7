import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { checkList, detectionPolicy, detectionSelectors } from './private/kit';

/** Props of a {@link RuntimeSocketDetection}. Spread `DEFAULT_SOCKETS` to extend it. */
export interface RuntimeSocketDetectionProps extends ScopedDetectionProps {
  /**
   * Unix socket paths, exactly as a process in the pod would write them in `connect(2)` (the path is not
   * resolved: list both `/run/...` and `/var/run/...`, and the path where a hostPath volume puts the socket).
   * @default RuntimeSocketDetection.DEFAULT_SOCKETS
   */
  readonly sockets?: readonly string[];
}

/**
 * `runtime-socket`: processes in pods connecting to a container runtime's API socket (containerd, Docker,
 * CRI-O, Podman, cri-dockerd, k3s). Whoever talks to it can start a privileged container on the node, which
 * is node root (`docker -H unix:///var/run/docker.sock run --privileged -v /:/host ...`, `ctr`, `crictl`).
 *
 * Hooks `security_socket_connect` and filters the `sockaddr_un` path in the kernel (Equal; Tetragon has no
 * Postfix for this type). It can enforce with Override (connect fails, e.g. EPERM) or Sigkill.
 *
 * Kernel: the `sockaddr_un` filter is only compiled into Tetragon's BPF programs for kernels 5.11 and later.
 * On older kernels (Debian 11's 5.10, for instance) the filter is skipped and every connect() of the selected
 * pods matches: narrow the `podSelector` there, or do not deploy this detection.
 *
 * Noise: none in application pods. Pods that mount the runtime socket by design report: node agents that read
 * container metadata (cAdvisor, Datadog, Dynatrace, Sysdig, Falco, Tetragon itself with CRI enabled) and CI
 * runners using Docker-out-of-Docker. Add their resolved binaries to `trustedBinaries` or scope them out.
 * Misses: a socket mounted at an unlisted path, reached through a relative path or a symlink of another
 * name, or proxied over TCP (`socat`, a Docker TCP port); HTTP to the runtime's TCP port is not a Unix connect.
 */
export class RuntimeSocketDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'runtime-socket';
  /** containerd (and its ttrpc socket), Docker, CRI-O, Podman, cri-dockerd and k3s, under `/run` and `/var/run`, and under `/host`. */
  public static readonly DEFAULT_SOCKETS: readonly string[] = [
    ...['/run', '/var/run', '/host/run', '/host/var/run'].flatMap((dir) => [
      `${dir}/containerd/containerd.sock`,
      `${dir}/containerd/containerd.sock.ttrpc`,
      `${dir}/docker.sock`,
      `${dir}/crio/crio.sock`,
      `${dir}/podman/podman.sock`,
      `${dir}/cri-dockerd.sock`,
      `${dir}/k3s/containerd/containerd.sock`,
    ]),
  ];

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1611', 'T1610'];

  constructor(scope: Construct, id: string, props: RuntimeSocketDetectionProps = {}) {
    super(scope, id);
    const sockets = props.sockets ?? RuntimeSocketDetection.DEFAULT_SOCKETS;
    // sun_path holds 108 bytes including the terminating NUL.
    checkList(
      this,
      'sockets',
      sockets,
      (v) => v.startsWith('/') && v.length <= 107,
      'give absolute Unix socket paths of at most 107 characters, e.g. "/run/containerd/containerd.sock"',
    );
    const address = Arg.sockaddrUn(1, { label: 'address' });
    this.policies = [
      detectionPolicy(this, props, {
        name: RuntimeSocketDetection.NAME,
        description: 'Connections from pods to container runtime API sockets',
        containersOnly: true,
        hooks: [
          KprobeHook.function('security_socket_connect', {
            message: 'Process in a pod connected to a container runtime socket',
            tags: ['observability.network', 'mitre.T1611', 'mitre.T1610'],
            args: [address, Arg.int(2, { label: 'addrlen' })],
            selectors: detectionSelectors(props, true, [[ArgFilter.equal(address, [...new Set(sockets)])]]),
          }),
        ],
      }),
    ];
  }
}
