/**
 * The virtual machine: which accelerator to use (KVM when it is usable, TCG otherwise, decided behind a
 * seam tests can drive), QEMU's command line, and one boot watched to its end or its time limit, with the
 * peak memory of the QEMU process.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';

/** How the guest CPU runs. */
export type Accelerator = 'kvm' | 'tcg';

/** What decides the accelerator; each part replaceable in tests. */
export interface AcceleratorProbe {
  /** Whether /dev/kvm exists and this user may open it read-write. */
  readonly kvmDevice: () => boolean;
  /** The CPU flags of the host (`/proc/cpuinfo`), for vmx (Intel) or svm (AMD). */
  readonly cpuFlags: () => readonly string[];
}

/** The real probe. */
export const hostAcceleratorProbe: AcceleratorProbe = {
  kvmDevice: () => {
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
  cpuFlags: () => {
    try {
      const m = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
      return m ? m[1].split(/\s+/) : [];
    } catch {
      return [];
    }
  },
};

/** The decision and why. */
export interface AcceleratorChoice {
  readonly accelerator: Accelerator;
  readonly reason: string;
}

/**
 * KVM needs the device and a CPU that exposes virtualization to this machine: a /dev/kvm without vmx/svm
 * (nested virtualization turned off) makes QEMU abort or hang, so that case is TCG too.
 */
export function chooseAccelerator(probe: AcceleratorProbe = hostAcceleratorProbe, requested?: Accelerator): AcceleratorChoice {
  if (requested === 'tcg') return { accelerator: 'tcg', reason: 'requested' };
  const device = probe.kvmDevice();
  const flags = probe.cpuFlags();
  const virt = flags.includes('vmx') || flags.includes('svm');
  if (device && virt)
    return {
      accelerator: 'kvm',
      reason: requested === 'kvm' ? 'requested' : `/dev/kvm is usable and the CPU has ${flags.includes('vmx') ? 'vmx' : 'svm'}`,
    };
  const why = !device ? '/dev/kvm is missing or not accessible' : 'the CPU exposes no vmx/svm flag (no nested virtualization)';
  if (requested === 'kvm') throw new Error(`--accel kvm: KVM is not usable here: ${why}`);
  return { accelerator: 'tcg', reason: `${why}; using TCG (software emulation, slower)` };
}

/** One boot's settings. */
export interface VmSpec {
  readonly kernel: string;
  readonly initrd: string;
  readonly accelerator: Accelerator;
  readonly cpus: number;
  readonly memoryMb: number;
  /** Host file for the guest console (first serial port). */
  readonly consoleFile: string;
  /** Host file for the result channel (second serial port). */
  readonly channelFile: string;
}

/** QEMU's arguments for a boot. No network device and no firmware option ROMs: the guest needs neither. */
export function qemuArguments(spec: VmSpec): string[] {
  return [
    '-accel',
    spec.accelerator,
    '-cpu',
    spec.accelerator === 'kvm' ? 'host' : 'max',
    '-smp',
    String(spec.cpus),
    '-m',
    `${spec.memoryMb}M`,
    '-nodefaults',
    '-no-reboot',
    '-display',
    'none',
    '-monitor',
    'none',
    '-kernel',
    spec.kernel,
    '-initrd',
    spec.initrd,
    '-append',
    'console=ttyS0 rdinit=/init panic=-1 quiet',
    '-serial',
    `file:${spec.consoleFile}`,
    '-serial',
    `file:${spec.channelFile}`,
  ];
}

/** How a boot ended. */
export interface VmOutcome {
  readonly exitCode: number | null;
  /** Killed at the time limit. */
  readonly timedOut: boolean;
  /** Killed because the guest wrote nothing to the channel within the silence limit (it never booted). */
  readonly silent: boolean;
  readonly seconds: number;
  /** Peak resident memory of the QEMU process (VmHWM), in bytes, when it could be read. */
  readonly peakRssBytes?: number;
  /** QEMU's own error output (start-up failures). */
  readonly stderr: string;
}

function readHwm(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Time limits of a boot. */
export interface VmLimits {
  /** The whole boot. */
  readonly timeoutSeconds: number;
  /** Until the guest's first write to the channel (a guest that never boots is stopped early). */
  readonly silenceSeconds: number;
}

/** Boots and waits. `onProgress` is called with the channel's size whenever it grows. */
export function runVm(
  spec: VmSpec,
  limits: VmLimits,
  onProgress?: (channelBytes: number) => void,
  qemu = 'qemu-system-x86_64',
): Promise<VmOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(qemu, qemuArguments(spec), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peak: number | undefined;
    let timedOut = false;
    let silent = false;
    let lastSize = -1;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
    });
    const poll = setInterval(() => {
      if (child.pid) {
        const hwm = readHwm(child.pid);
        if (hwm !== undefined) peak = Math.max(peak ?? 0, hwm);
      }
      const size = existsSync(spec.channelFile) ? statSync(spec.channelFile).size : 0;
      if (size !== lastSize) {
        lastSize = size;
        onProgress?.(size);
      }
      if (size === 0 && Date.now() - started > limits.silenceSeconds * 1000) {
        silent = true;
        child.kill('SIGKILL');
      }
    }, 1000);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.timeoutSeconds * 1000);
    const finish = (exitCode: number | null) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ exitCode, timedOut, silent, seconds: (Date.now() - started) / 1000, peakRssBytes: peak, stderr: stderr.slice(-4000) });
    };
    child.on('error', (e) => {
      stderr += e.message;
      finish(null);
    });
    child.on('exit', (code) => finish(code));
  });
}
