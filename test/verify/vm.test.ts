import { chooseAccelerator, qemuArguments } from '../../lib/verify/vm';

const probe = (device: boolean, flags: string[]) => ({ kvmDevice: () => device, cpuFlags: () => flags });

describe('accelerator', () => {
  test('KVM when the device is usable and the CPU exposes vmx or svm', () => {
    expect(chooseAccelerator(probe(true, ['fpu', 'vmx']))).toStrictEqual({
      accelerator: 'kvm',
      reason: '/dev/kvm is usable and the CPU has vmx',
    });
    expect(chooseAccelerator(probe(true, ['svm'])).accelerator).toBe('kvm');
  });

  test('TCG with the reason otherwise: no device, or a device without nested virtualization (QEMU would abort or hang)', () => {
    expect(chooseAccelerator(probe(false, ['vmx']))).toStrictEqual({
      accelerator: 'tcg',
      reason: '/dev/kvm is missing or not accessible; using TCG (software emulation, slower)',
    });
    expect(chooseAccelerator(probe(true, ['fpu', 'sse2'])).reason).toMatch(/no vmx\/svm flag/);
  });

  test('a request wins, and asking for KVM where it cannot work is an error', () => {
    expect(chooseAccelerator(probe(true, ['vmx']), 'tcg')).toStrictEqual({ accelerator: 'tcg', reason: 'requested' });
    expect(() => chooseAccelerator(probe(true, []), 'kvm')).toThrow(
      /--accel kvm: KVM is not usable here: the CPU exposes no vmx\/svm flag/,
    );
  });
});

describe('QEMU command line', () => {
  const spec = {
    kernel: '/k/vmlinuz',
    initrd: '/r/initrd.cpio',
    cpus: 2,
    memoryMb: 3072,
    consoleFile: '/r/console.log',
    channelFile: '/r/channel.log',
  };

  test('TCG uses -cpu max; no NIC, no option ROMs, two serial ports to files', () => {
    const args = qemuArguments({ ...spec, accelerator: 'tcg' });
    expect(args.slice(0, 4)).toStrictEqual(['-accel', 'tcg', '-cpu', 'max']);
    expect(args).toContain('-nodefaults');
    expect(args.filter((_a, i) => args[i - 1] === '-serial')).toStrictEqual(['file:/r/console.log', 'file:/r/channel.log']);
    expect(args[args.indexOf('-append') + 1]).toBe('console=ttyS0 rdinit=/init panic=-1 quiet');
    expect(args[args.indexOf('-m') + 1]).toBe('3072M');
  });

  test('KVM uses the host CPU model', () => {
    expect(qemuArguments({ ...spec, accelerator: 'kvm' }).slice(0, 4)).toStrictEqual(['-accel', 'kvm', '-cpu', 'host']);
  });
});
