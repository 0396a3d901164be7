/**
 * ptrace: `sys_ptrace(request, pid)` with PTRACE_ATTACH, SEIZE, POKETEXT, POKEDATA (first selector) or POKEUSER,
 * SETREGS, SETREGSET (second), and `security_ptrace_traceme`, in containers. The trigger traces a child of its
 * own; its pokes write back the word they read.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, kprobe, sys } from './private/support';

const REQUEST = {
  TRACEME: 0,
  PEEKTEXT: 1,
  PEEKDATA: 2,
  PEEKUSER: 3,
  POKETEXT: 4,
  POKEDATA: 5,
  POKEUSER: 6,
  CONT: 7,
  GETREGS: 12,
  SETREGS: 13,
  ATTACH: 16,
  DETACH: 17,
  SETREGSET: 0x4205,
  SEIZE: 0x4206,
  INTERRUPT: 0x4207,
};
/** The child's pid does not matter to the policy. */
const CHILD = 1001;
const ptrace = (request: keyof typeof REQUEST, p: SimulatedProcess): SimulatedEvent =>
  kprobe(sys('ptrace'), [REQUEST[request], request === 'TRACEME' ? 0 : CHILD, 0, 0], p, { name: `ptrace(PTRACE_${request})` });
const traceme = (p: SimulatedProcess): SimulatedEvent => kprobe('security_ptrace_traceme', [], p, { name: 'traceme' });
/** `vt-ptrace attach REQUEST...`: the pokes and sets read the value first. */
const attach = (p: SimulatedProcess, ...requests: (keyof typeof REQUEST)[]): SimulatedEvent[] => [
  ptrace('ATTACH', p),
  ...requests.map((r) => ptrace(r, p)),
];
const NO_ANTI_DEBUG = { watchAntiDebug: false };

export const PTRACE_SCENARIOS: Scenario[] = family('ptrace', {
  catch: [
    {
      id: 'attach',
      summary: 'PTRACE_ATTACH to inject code into another process',
      trigger: { argv: ['vt-ptrace', 'attach'], place: 'container' },
      events: (p) => attach(p),
    },
    {
      id: 'seize',
      summary: 'gdb -p attaching with PTRACE_SEIZE to dump memory',
      trigger: { argv: ['vt-ptrace', 'seize'], place: 'container', binaryPath: '/usr/bin/gdb' },
      events: (p) => [ptrace('SEIZE', p), ptrace('INTERRUPT', p)],
    },
    {
      id: 'poketext',
      summary: 'Shellcode written with PTRACE_POKETEXT',
      trigger: { argv: ['vt-ptrace', 'attach', 'poketext'], place: 'container' },
      events: (p) => attach(p, 'PEEKDATA', 'POKETEXT'),
    },
    {
      id: 'setregs',
      summary: 'Registers rewritten with PTRACE_SETREGS (second selector)',
      trigger: { argv: ['vt-ptrace', 'attach', 'setregs'], place: 'container' },
      events: (p) => attach(p, 'GETREGS', 'SETREGS'),
    },
    {
      id: 'traceme',
      summary: 'PTRACE_TRACEME anti-debugging in a pod',
      trigger: { argv: ['vt-ptrace', 'traceme'], place: 'container' },
      events: (p) => [ptrace('TRACEME', p), traceme(p)],
    },
    {
      id: 'attach-not-trusted',
      summary: 'A binary not in trustedBinaries attaching, while gdb is trusted',
      trigger: { argv: ['vt-ptrace', 'attach'], place: 'container', binaryPath: '/usr/bin/python3' },
      props: { trustedBinaries: ['/usr/bin/gdb'], ...NO_ANTI_DEBUG },
      events: (p) => attach(p),
    },
  ],
  ignore: [
    {
      id: 'read-only-requests',
      summary: "A tracer's PEEKDATA, CONT and DETACH on a child that asked for it (PTRACE_TRACEME, not watched here)",
      trigger: { argv: ['vt-ptrace', 'traceme', 'peekdata', 'cont', 'detach'], place: 'container' },
      props: NO_ANTI_DEBUG,
      events: (p) => [ptrace('TRACEME', p), ptrace('PEEKDATA', p), ptrace('CONT', p), ptrace('DETACH', p)],
    },
    {
      id: 'debugger-on-node',
      summary: 'strace attaching on the node (host process)',
      trigger: { argv: ['vt-ptrace', 'attach', 'detach'], binaryPath: '/usr/bin/strace' },
      events: (p) => attach(p, 'DETACH'),
    },
    {
      id: 'traceme-on-node',
      summary: 'A program started under a debugger on the node calling PTRACE_TRACEME',
      trigger: { argv: ['vt-ptrace', 'traceme'] },
      events: (p) => [ptrace('TRACEME', p), traceme(p)],
    },
    {
      id: 'trusted-debugger',
      summary: 'gdb, listed in trustedBinaries, attaching in a debug pod',
      trigger: { argv: ['vt-ptrace', 'attach'], place: 'container', binaryPath: '/usr/bin/gdb' },
      props: { trustedBinaries: ['/usr/bin/gdb'], ...NO_ANTI_DEBUG },
      events: (p) => attach(p),
    },
  ],
});
