/**
 * What the guest does, rendered as busybox shell: `/init` (mounts, loopback routes, the result channel) and
 * the plan (start the agent, add each policy with `tetra`, run the triggers between markers, collect).
 *
 * Everything the host learns comes back over the second serial port as lines
 * `<token> <uptime> <record> <fields...>`, and files as length-prefixed sections; see `./channel.ts`.
 * The plan keeps its own activity out of the trigger windows: uptime and meminfo are read with shell
 * builtins, so only the trigger and the two marker execs run between the markers.
 */
import { shellQuote } from './private/exec';
import { ContainerStart, GUEST_TRIGGER_DIR, TriggerPlace } from './scenario';

/** Guest paths. */
export const GUEST = {
  verifyDir: '/verify',
  /** The trigger programs and `vt-run`, on the PATH of the guest and of its containers. */
  bin: GUEST_TRIGGER_DIR,
  policies: '/verify/policies',
  containers: '/verify/ctr',
  rootfs: '/verify/ctr/rootfs',
  runtimes: '/opt/runc',
  runc: '/usr/sbin/runc',
  // The official image's layout: the agent's own detections trust /usr/bin/tetragon.
  agentBin: '/usr/bin',
  modules: '/lib/modules',
  bpfLib: '/var/lib/tetragon',
  work: '/run/vt',
  export: '/run/vt/export/events.json',
  agentLog: '/run/vt/agent.log',
  server: '127.0.0.1:54321',
  metrics: '127.0.0.1:2112',
} as const;

/** One policy the guest adds. */
export interface GuestPolicy {
  /** 1-based position. */
  readonly index: number;
  readonly name: string;
  /** Path of its YAML in the guest. */
  readonly file: string;
}

/** One trigger run (a group of scenarios that share it). */
export interface GuestTrigger {
  /** 1-based position. */
  readonly index: number;
  readonly argv: readonly string[];
  readonly place: TriggerPlace;
  /** For container places: a new container (`run`) or an exec into the runtime's running one (`exec`). */
  readonly start?: ContainerStart;
  readonly uid: number;
  readonly gid: number;
  readonly binaryPath?: string;
  readonly setup: readonly string[];
  /** Debian suite of the runc that runs it (container places). */
  readonly runtime?: string;
  readonly timeoutSeconds: number;
}

/** Everything the guest needs to know. */
export interface GuestPlan {
  /** Random token that starts every channel line, so no payload can fake a record. */
  readonly token: string;
  /** Agent command-line arguments after `tetragon`. */
  readonly agentArgs: readonly string[];
  /** Seconds to wait for the agent to be ready. */
  readonly readySeconds: number;
  /** Seconds one `tetra tracingpolicy add` may take (BPF verification is slow without KVM). */
  readonly addSeconds: number;
  /** Agent restarts allowed after a crash before the rest of the plan is skipped. */
  readonly maxRestarts: number;
  readonly policies: readonly GuestPolicy[];
  /** Debian suites of the runc binaries in `/opt/runc/<suite>/runc`, in the order their triggers run. */
  readonly runtimes: readonly string[];
  readonly triggers: readonly GuestTrigger[];
  /** Seconds to wait after the last trigger, so the agent exports its last events. */
  readonly settleSeconds: number;
}

/** The agent's arguments: the layout of the guest plus what the library's install turns on. */
export function agentArguments(extra: readonly string[] = []): string[] {
  return [
    '--bpf-lib',
    GUEST.bpfLib,
    '--server-address',
    GUEST.server,
    '--metrics-server',
    GUEST.metrics,
    '--export-filename',
    GUEST.export,
    '--export-file-max-size-mb',
    '4096',
    '--enable-k8s-api=false',
    // The library's install sets tetragon.enableProcessCred and enableProcessNs; detections rely on both.
    '--enable-process-cred',
    '--enable-process-ns',
    // Policies come only through `tetra tracingpolicy add`, one by one: a refused policy in the directory stops the agent.
    '--tracing-policy-dir',
    `${GUEST.work}/no-policies`,
    // 65 KiB per CPU by default; an emulated guest reads events slower than the kernel writes them in bursts.
    '--rb-size',
    '8M',
    ...extra,
  ];
}

/** `/init`: PID 1 of the guest. */
export function renderInit(): string {
  return `#!/bin/sh
# PID 1 of the verifier's guest, written by cdk8s-tetragon verify.
export PATH=${GUEST.bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname verify-node
[ -f ${GUEST.verifyDir}/modules ] && while read m; do insmod "$m"; done < ${GUEST.verifyDir}/modules
# Outbound routes through a dummy interface (through loopback without the module): connect() reaches
# tcp_connect with a source address, and the SYN goes nowhere.
ip link set lo up
vt_if=lo
ip link add vt0 type dummy 2>/dev/null && ip link set vt0 up && vt_if=vt0
ip addr add 10.0.2.15/24 dev $vt_if
# No duplicate address detection on an interface without neighbours: the address is usable at once.
echo 0 > /proc/sys/net/ipv6/conf/$vt_if/accept_dad
ip -6 addr add fec0::15/64 dev $vt_if
ip route add default dev $vt_if
ip -6 route add default dev $vt_if
mkdir -p ${GUEST.work}/export ${GUEST.work}/out ${GUEST.work}/no-policies
stty -F /dev/ttyS1 raw -echo
exec 3>/dev/ttyS1
. ${GUEST.verifyDir}/lib.sh
. ${GUEST.verifyDir}/plan.sh
vt_finish
`;
}

/** The shell functions the plan calls. */
export function renderLibrary(): string {
  return `# Functions of the verifier's guest plan, written by cdk8s-tetragon verify.
VT_AGENT=
VT_RESTARTS=0
VT_CONTAINERS=
VT_GONE=
VT_LOADED=

vt_rec() {
  read VT_UP VT_IDLE < /proc/uptime
  echo "$VT_TOKEN $VT_UP $*" >&3
}

# vt_section NAME ID FILE: a snapshot of the file (the export grows while it is sent) as a length-prefixed section.
vt_section() {
  [ -f "$3" ] || return 0
  cp "$3" ${GUEST.work}/section.snapshot
  vt_n=$(wc -c < ${GUEST.work}/section.snapshot)
  vt_rec section "$1" "$2" $vt_n
  cat ${GUEST.work}/section.snapshot >&3
  echo >&3
  vt_rec endsection "$1" "$2"
}

vt_mem() {
  vt_total=0; vt_avail=0; vt_rss=0; vt_hwm=0
  while read vt_k vt_v vt_u; do
    case $vt_k in MemTotal:) vt_total=$vt_v;; MemAvailable:) vt_avail=$vt_v;; esac
  done < /proc/meminfo
  if [ -n "$VT_AGENT" ] && [ -r /proc/$VT_AGENT/status ]; then
    while read vt_k vt_v vt_u; do
      case $vt_k in VmRSS:) vt_rss=$vt_v;; VmHWM:) vt_hwm=$vt_v;; esac
    done < /proc/$VT_AGENT/status
  fi
  vt_rec mem "$1" total_kb=$vt_total available_kb=$vt_avail agent_rss_kb=$vt_rss agent_hwm_kb=$vt_hwm
}

vt_alive() {
  [ -n "$VT_AGENT" ] && kill -0 "$VT_AGENT" 2>/dev/null
}

# vt_agent_start: starts the agent and waits until it serves; returns 1 when it dies or never gets ready.
vt_agent_start() {
  echo "--- agent start $VT_RESTARTS" >> ${GUEST.agentLog}
  # As in its DaemonSet (containerd's LimitNOFILE): every BPF program and map is a file descriptor, and init's
  # 1024 runs out after some sixty policies on kernels without kprobe_multi.
  ulimit -n 1048576
  tetragon $VT_AGENT_ARGS >> ${GUEST.agentLog} 2>&1 &
  VT_AGENT=$!
  vt_rec agent-start pid=$VT_AGENT
  vt_i=0
  while [ $vt_i -lt $VT_READY_SECONDS ]; do
    vt_alive || { vt_rec agent-exit during=start; return 1; }
    if grep -q 'Listening for events' ${GUEST.agentLog} && tetra --server-address ${GUEST.server} status > /dev/null 2>&1; then
      vt_rec agent-ready
      vt_mem agent-ready
      return 0
    fi
    sleep 1
    vt_i=$((vt_i + 1))
  done
  vt_rec agent-exit during=start reason=not-ready-after-$VT_READY_SECONDS-s
  return 1
}

# vt_crashed WHERE: records a dead agent with its log, then restarts it (re-adding the policies it had) or gives up.
vt_crashed() {
  wait "$VT_AGENT" 2>/dev/null
  vt_rc=$?
  VT_RESTARTS=$((VT_RESTARTS + 1))
  vt_rec agent-crash at="$1" exit=$vt_rc n=$VT_RESTARTS
  tail -c 16384 ${GUEST.agentLog} > ${GUEST.work}/crash-$VT_RESTARTS.log
  vt_section crash-log $VT_RESTARTS ${GUEST.work}/crash-$VT_RESTARTS.log
  VT_AGENT=
  if [ $VT_RESTARTS -gt $VT_MAX_RESTARTS ]; then
    VT_GONE="agent crashed $VT_RESTARTS times"
    vt_rec give-up reason=max-restarts
    return 1
  fi
  if ! vt_agent_start; then
    VT_GONE="agent did not restart"
    vt_rec give-up reason=restart-failed
    return 1
  fi
  for vt_p in $VT_LOADED; do
    vt_pi=\${vt_p%%:*}
    timeout $VT_ADD_SECONDS tetra --timeout \${VT_ADD_SECONDS}s --server-address ${GUEST.server} tracingpolicy add "\${vt_p#*:}" > ${GUEST.work}/readd.out 2>&1
    vt_rec readd "$vt_pi" rc=$?
  done
  vt_alive || vt_crashed readd
}

# vt_add INDEX FILE
vt_add() {
  if [ -n "$VT_GONE" ]; then vt_rec add-skip "$1" reason=agent-gone; return; fi
  vt_rec add-begin "$1"
  timeout $VT_ADD_SECONDS tetra --timeout \${VT_ADD_SECONDS}s --server-address ${GUEST.server} tracingpolicy add "$2" > ${GUEST.work}/out/add-$1.txt 2>&1
  vt_rc=$?
  vt_rec add-end "$1" rc=$vt_rc
  vt_mem "add-$1"
  vt_section add-output "$1" ${GUEST.work}/out/add-$1.txt
  [ $vt_rc -eq 0 ] && VT_LOADED="$VT_LOADED $1:$2"
  vt_alive || vt_crashed "add-$1"
}

vt_list() {
  [ -n "$VT_GONE" ] && return
  tetra --server-address ${GUEST.server} tracingpolicy list -o json > ${GUEST.work}/list-$1.json 2> ${GUEST.work}/list-$1.err
  vt_rec list "$1" rc=$?
  vt_section policy-list "$1" ${GUEST.work}/list-$1.json
}

# vt_runtime SUITE KIND...: runc of that suite at Debian's path, and a long-running container of each kind
# (long: a plain container; long-priv: a privileged one) for runc exec.
vt_runtime() {
  for vt_c in $VT_CONTAINERS; do
    runc kill "$vt_c" KILL > /dev/null 2>&1
    runc delete -f "$vt_c" > /dev/null 2>&1
  done
  VT_CONTAINERS=
  VT_RUNTIME=$1
  shift
  cp ${GUEST.runtimes}/$VT_RUNTIME/runc ${GUEST.runc}
  vt_rec runtime "$VT_RUNTIME" version="$(runc --version 2>&1 | head -1 | tr ' ' '_')"
  for vt_k in "$@"; do
    vt_c=vt-$VT_RUNTIME-$vt_k
    runc run -d --no-pivot --bundle ${GUEST.containers}/$vt_k "$vt_c" > ${GUEST.work}/out/runtime-$vt_c.txt 2>&1 < /dev/null
    vt_rec runtime-ready "$vt_c" rc=$?
    VT_CONTAINERS="$VT_CONTAINERS $vt_c"
  done
}

# vt_setup INDEX COMMAND: a setup command, unwatched, output appended to the trigger's output.
vt_setup() {
  sh -c "$2" >> ${GUEST.work}/out/setup-$1.txt 2>&1
  vt_rec setup "$1" rc=$?
}

# vt_begin INDEX: returns 1 (skip the trigger) when the agent is gone.
vt_begin() {
  if [ -n "$VT_GONE" ]; then vt_rec trigger-skip "$1" reason=agent-gone; return 1; fi
  if ! vt_alive; then vt_crashed "before-trigger-$1" || { vt_rec trigger-skip "$1" reason=agent-gone; return 1; }; fi
  vt-run mark begin "$1"
  vt_rec trigger-begin "$1"
  return 0
}

# vt_end INDEX RC
vt_end() {
  vt-run mark end "$1"
  vt_rec trigger-end "$1" rc=$2
  vt_alive || vt_crashed "trigger-$1"
}

vt_finish() {
  for vt_c in $VT_CONTAINERS; do
    runc kill "$vt_c" KILL > /dev/null 2>&1
    runc delete -f "$vt_c" > /dev/null 2>&1
  done
  if vt_alive; then
    sleep $VT_SETTLE_SECONDS
    vt_list final
    wget -q -O ${GUEST.work}/metrics.txt http://${GUEST.metrics}/metrics
    vt_rec metrics rc=$?
    vt_mem final
  fi
  vt_alive && vt_rec agent-alive-at-end
  for vt_f in ${GUEST.work}/out/*.txt; do
    [ -f "$vt_f" ] || continue
    vt_b=\${vt_f##*/}
    head -c 4096 "$vt_f" > ${GUEST.work}/clip.txt
    vt_section output "\${vt_b%.txt}" ${GUEST.work}/clip.txt
  done
  vt_section metrics 0 ${GUEST.work}/metrics.txt
  vt_i=0
  for vt_f in ${GUEST.work}/export/*; do
    [ -f "$vt_f" ] || continue
    vt_i=$((vt_i + 1))
    vt_section export "\${vt_f##*/}" "$vt_f"
  done
  vt_section agent-log 0 ${GUEST.agentLog}
  vt_rec done
  sync
  poweroff -f
}
`;
}

function q(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** The long-running container a `runc exec` trigger joins: one per runtime and kind (plain or privileged). */
export function execContainer(t: Pick<GuestTrigger, 'place' | 'runtime'>): string {
  return `vt-${t.runtime}-${containerKind(t.place)}`;
}

/** The bundle of a place's long-running container. */
export function containerKind(place: TriggerPlace): 'long' | 'long-priv' {
  return place === 'privileged-container' ? 'long-priv' : 'long';
}

/** A busybox applet (`cat`), as opposed to a path or a trigger program. */
function isApplet(program: string): boolean {
  return !program.includes('/') && !program.startsWith('vt-');
}

/**
 * The command of one trigger, as the guest runs it between the markers. On the node an applet runs the way a
 * busybox shell runs it (`exec` of `/proc/self/exe`, which is what Tetragon reports); `vt-run` switches user first.
 */
export function triggerCommand(t: GuestTrigger): string {
  const argv = t.binaryPath ? [t.binaryPath, ...t.argv.slice(1)] : [...t.argv];
  const out = `> ${GUEST.work}/out/trigger-${t.index}.txt 2>&1 < /dev/null`;
  const timeout = `timeout -s KILL ${t.timeoutSeconds}`;
  if (t.place === 'host') {
    const ids = t.uid === 0 && t.gid === 0 ? [] : ['-u', String(t.uid), '-g', String(t.gid)];
    const run = isApplet(argv[0]) ? ['sh', '-c', 'exec "$@"', 'sh', ...argv] : argv;
    return `${timeout} vt-run ${q([...ids, '--', ...run])} ${out}`;
  }
  if ((t.start ?? 'exec') === 'exec') {
    const user = t.uid === 0 && t.gid === 0 ? [] : ['--user', `${t.uid}:${t.gid}`];
    return `${timeout} runc exec ${q([...user, execContainer(t), ...argv])} ${out}`;
  }
  return `${timeout} runc run --no-pivot --bundle ${GUEST.containers}/start-${t.index} vt-start-${t.index} ${out}`;
}

/** Setup commands of a trigger, plus the copy of its program to `binaryPath`. */
export function triggerSetup(t: GuestTrigger): string[] {
  const setup = [...t.setup];
  if (t.binaryPath) {
    const dest = t.place === 'host' ? t.binaryPath : `${GUEST.rootfs}${t.binaryPath}`;
    const dir = dest.replace(/\/[^/]*$/, '') || '/';
    setup.push(
      `mkdir -p ${shellQuote(dir)} && cp "$(command -v ${shellQuote(t.argv[0])})" ${shellQuote(dest)} && chmod 755 ${shellQuote(dest)}`,
    );
  }
  return setup;
}

/** The plan: agent, policies, triggers (grouped by runtime), in that order. */
export function renderPlan(plan: GuestPlan): string {
  const lines: string[] = [
    "# The verifier's plan for this boot, written by cdk8s-tetragon verify.",
    `VT_TOKEN=${plan.token}`,
    `VT_AGENT_ARGS=${shellQuote(plan.agentArgs.join(' '))}`,
    `VT_READY_SECONDS=${plan.readySeconds}`,
    `VT_ADD_SECONDS=${plan.addSeconds}`,
    `VT_MAX_RESTARTS=${plan.maxRestarts}`,
    `VT_SETTLE_SECONDS=${plan.settleSeconds}`,
    'VT_RUNTIME=',
    `vt_rec boot policies=${plan.policies.length} triggers=${plan.triggers.length}`,
    'vt_mem boot',
    'vt_rec modules loaded="$(while read vt_m vt_rest; do printf %s, "$vt_m"; done < /proc/modules)"',
    'vt_agent_start || { VT_GONE="agent did not start"; vt_rec give-up reason=start-failed; }',
  ];
  for (const p of plan.policies) lines.push(`vt_add ${p.index} ${shellQuote(p.file)}`);
  lines.push('vt_list loaded');
  let runtime: string | undefined;
  for (const t of plan.triggers) {
    if (t.place !== 'host' && t.runtime !== runtime) {
      runtime = t.runtime;
      const kinds = [
        ...new Set(
          plan.triggers
            .filter((x) => x.place !== 'host' && x.runtime === runtime && (x.start ?? 'exec') === 'exec')
            .map((x) => containerKind(x.place)),
        ),
      ];
      lines.push(`vt_runtime ${q([runtime ?? '', ...kinds])}`);
    }
    for (const s of triggerSetup(t)) lines.push(`vt_setup ${t.index} ${shellQuote(s)}`);
    lines.push(`if vt_begin ${t.index}; then`, `  ${triggerCommand(t)}`, `  vt_end ${t.index} $?`, 'fi');
    if (t.place !== 'host' && t.start === 'run') lines.push(`runc delete -f vt-start-${t.index} > /dev/null 2>&1`);
  }
  return lines.join('\n') + '\n';
}

/** Orders triggers so that each runtime's container triggers run together (host triggers first, order kept otherwise). */
export function orderTriggers<T extends { place: TriggerPlace; runtime?: string }>(
  triggers: readonly T[],
  runtimes: readonly string[],
): T[] {
  const rank = (t: T) => (t.place === 'host' ? -1 : runtimes.indexOf(t.runtime ?? runtimes[0]));
  return triggers
    .map((t, i) => ({ t, i }))
    .sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i)
    .map((x) => x.t);
}
