import { show } from '../private/problems';

/**
 * Linux capabilities, spelled as Tetragon v1.7.0 looks them up in `matchCapabilities`, `matchCapabilityChanges` and
 * capability masks: the names of its protobuf enum `CapabilitiesType`, where every capability has the `CAP_` prefix
 * except capability 1, `DAC_OVERRIDE`. `CAP_DAC_OVERRIDE` is refused at load ("value CAP_DAC_OVERRIDE unknown").
 * @see https://github.com/cilium/tetragon/blob/v1.7.0/api/v1/tetragon/capabilities.proto
 */
export enum Capability {
  CHOWN = 'CAP_CHOWN',
  DAC_OVERRIDE = 'DAC_OVERRIDE',
  DAC_READ_SEARCH = 'CAP_DAC_READ_SEARCH',
  FOWNER = 'CAP_FOWNER',
  FSETID = 'CAP_FSETID',
  KILL = 'CAP_KILL',
  SETGID = 'CAP_SETGID',
  SETUID = 'CAP_SETUID',
  SETPCAP = 'CAP_SETPCAP',
  LINUX_IMMUTABLE = 'CAP_LINUX_IMMUTABLE',
  NET_BIND_SERVICE = 'CAP_NET_BIND_SERVICE',
  NET_BROADCAST = 'CAP_NET_BROADCAST',
  NET_ADMIN = 'CAP_NET_ADMIN',
  NET_RAW = 'CAP_NET_RAW',
  IPC_LOCK = 'CAP_IPC_LOCK',
  IPC_OWNER = 'CAP_IPC_OWNER',
  SYS_MODULE = 'CAP_SYS_MODULE',
  SYS_RAWIO = 'CAP_SYS_RAWIO',
  SYS_CHROOT = 'CAP_SYS_CHROOT',
  SYS_PTRACE = 'CAP_SYS_PTRACE',
  SYS_PACCT = 'CAP_SYS_PACCT',
  SYS_ADMIN = 'CAP_SYS_ADMIN',
  SYS_BOOT = 'CAP_SYS_BOOT',
  SYS_NICE = 'CAP_SYS_NICE',
  SYS_RESOURCE = 'CAP_SYS_RESOURCE',
  SYS_TIME = 'CAP_SYS_TIME',
  SYS_TTY_CONFIG = 'CAP_SYS_TTY_CONFIG',
  MKNOD = 'CAP_MKNOD',
  LEASE = 'CAP_LEASE',
  AUDIT_WRITE = 'CAP_AUDIT_WRITE',
  AUDIT_CONTROL = 'CAP_AUDIT_CONTROL',
  SETFCAP = 'CAP_SETFCAP',
  MAC_OVERRIDE = 'CAP_MAC_OVERRIDE',
  MAC_ADMIN = 'CAP_MAC_ADMIN',
  SYSLOG = 'CAP_SYSLOG',
  WAKE_ALARM = 'CAP_WAKE_ALARM',
  BLOCK_SUSPEND = 'CAP_BLOCK_SUSPEND',
  AUDIT_READ = 'CAP_AUDIT_READ',
  PERFMON = 'CAP_PERFMON',
  BPF = 'CAP_BPF',
  CHECKPOINT_RESTORE = 'CAP_CHECKPOINT_RESTORE',
}

/** Tetragon's capability names by bit number (`include/uapi/linux/capability.h` order): the one table every part uses. */
export const TETRAGON_CAPABILITY_NAMES: readonly string[] = Object.values(Capability);

/**
 * The bit of a capability name as Tetragon v1.7.0 reads it (`capsStrToUint64`: trimmed, upper-cased, looked up in its
 * enum), or a sentence saying why it is refused.
 */
export function capabilityBit(name: string): number | string {
  const key = name.trim().toUpperCase();
  const bit = TETRAGON_CAPABILITY_NAMES.indexOf(key);
  if (bit >= 0) return bit;
  if (key === 'CAP_DAC_OVERRIDE') {
    return `Tetragon spells capability 1 DAC_OVERRIDE, without the CAP_ prefix (its protobuf enum), and refuses ${show(name)}`;
  }
  if (TETRAGON_CAPABILITY_NAMES.includes(`CAP_${key}`)) return `${show(name)} lacks the CAP_ prefix: write CAP_${key}`;
  return `${show(name)} is not a capability name Tetragon knows (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE, and DAC_OVERRIDE)`;
}
