import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Action,
  Arg,
  ArgFilter,
  BinaryFilter,
  Capability,
  CapabilityFilter,
  FileType,
  KprobeHook,
  Namespace,
  NamespaceFilter,
  PolicyValidationError,
  Selector,
  TracingPolicy,
  checkPolicy,
} from '../../lib';
import { validateAgainstCrd } from '../../lib/private/crd-schema';

/**
 * Property: random but well-typed construct props either synthesize a policy that passes the check engine and the
 * strict CRD schema, or fail with the library's own PolicyValidationError. Never an invalid object, never another exception.
 */
const RUNS = 10_000;

// Mostly valid values, with a share of invalid ones (relative or empty paths, bad numbers, CIDRs and ports).
const rare = 1;
const often = 12;
const path = fc.oneof(
  { arbitrary: fc.stringMatching(/^\/[a-z0-9._/-]{1,40}$/), weight: often },
  { arbitrary: fc.constantFrom('etc/shadow', '', '/' + 'a'.repeat(300)), weight: rare },
);
const integer = fc.oneof(
  { arbitrary: fc.integer({ min: -5, max: 70000 }).map(String), weight: often },
  { arbitrary: fc.constantFrom('0x200', 'abc'), weight: rare },
);
const cidr = fc.oneof(
  { arbitrary: fc.ipV4().map((ip) => `${ip}/24`), weight: often },
  { arbitrary: fc.constantFrom('::1/128', '10.0.0.0/33', '300.1.1.1'), weight: rare },
);
const port = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 65535 }), weight: often },
  { arbitrary: fc.constantFrom('1024:65535', '90:80', 70000), weight: rare },
);

// Hooks whose argument types fit every bundled kernel: file hooks, an int-taking internal function, a socket hook.
const fileArg = Arg.file(0);
const maskArg = Arg.int(1);
const sockArg = Arg.sock(0);
const idArg = Arg.int(0);

const fileFilter = fc.oneof(
  fc.array(path, { minLength: 1, maxLength: 3 }).map((v) => ArgFilter.equal(fileArg, v)),
  fc.array(path, { minLength: 1, maxLength: 3 }).map((v) => ArgFilter.prefix(fileArg, v)),
  fc.array(path, { minLength: 1, maxLength: 3 }).map((v) => ArgFilter.postfix(fileArg, v)),
  fc.array(fc.constantFrom(...Object.values(FileType)), { minLength: 1, maxLength: 2 }).map((v) => ArgFilter.fileType(fileArg, v)),
  fc.array(integer, { minLength: 1, maxLength: 5 }).map((v) => ArgFilter.mask(maskArg, v)),
);
const sockFilter = fc.oneof(
  fc.array(cidr, { minLength: 1, maxLength: 4 }).map((v) => ArgFilter.notDaddr(sockArg, v)),
  fc.array(port, { minLength: 1, maxLength: 4 }).map((v) => ArgFilter.dport(sockArg, v)),
);
const idFilter = fc.array(integer, { minLength: 1, maxLength: 5 }).map((v) => ArgFilter.equal(idArg, v));

const processFilters = fc.record({
  matchBinaries: fc.option(
    fc.array(path, { minLength: 1, maxLength: 3 }).map((v) => BinaryFilter.notIn(v)),
    { nil: undefined, freq: 2 },
  ),
  matchNamespaces: fc.option(
    fc.array(
      fc.constantFrom(...Object.values(Namespace)).map((n) => NamespaceFilter.notHost(n)),
      { maxLength: 3 },
    ),
    { nil: undefined, freq: 2 },
  ),
  matchCapabilities: fc.option(
    fc.constantFrom(Capability.SYS_ADMIN, Capability.NET_RAW).map((c) => [CapabilityFilter.in([c])]),
    { nil: undefined },
  ),
  actions: fc.option(fc.array(fc.constantFrom(Action.post(), Action.noPost()), { minLength: 1, maxLength: 4 }), {
    nil: undefined,
    freq: 3,
  }),
});

const selectors = (filter: fc.Arbitrary<ArgFilter>) =>
  fc.array(
    fc.tuple(fc.array(filter, { maxLength: 5 }), processFilters).map(([matchArgs, p]) => new Selector({ matchArgs, ...p })),
    { maxLength: 5 },
  );

const text = fc.oneof(
  { arbitrary: fc.string({ minLength: 2, maxLength: 100 }), weight: often },
  { arbitrary: fc.constantFrom('x', 'm'.repeat(300)), weight: rare },
);
const tags = fc.oneof(
  { arbitrary: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9.]{1,20}$/), { minLength: 1, maxLength: 5 }), weight: often },
  { arbitrary: fc.array(fc.string({ maxLength: 3 }), { maxLength: 18 }), weight: rare },
);

const hook = fc.oneof(
  fc
    .tuple(selectors(fileFilter), text, tags)
    .map(([s, message, t]) =>
      KprobeHook.function('security_file_permission', { message, tags: t, args: [fileArg, maskArg], selectors: s }),
    ),
  fc
    .tuple(selectors(sockFilter), text, tags)
    .map(([s, message, t]) => KprobeHook.function('tcp_connect', { message, tags: t, args: [sockArg], selectors: s })),
  fc
    .tuple(selectors(idFilter), text, tags)
    .map(([s, message, t]) => KprobeHook.function('__sys_setuid', { message, tags: t, args: [idArg], selectors: s })),
);

const policyProps = fc.record({
  name: fc.oneof(
    { arbitrary: fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/), weight: often },
    { arbitrary: fc.constantFrom('Bad_Name', ''), weight: rare },
  ),
  namespace: fc.option(fc.oneof({ arbitrary: fc.constant('shop'), weight: often }, { arbitrary: fc.constant('Shop'), weight: rare }), {
    nil: undefined,
  }),
  hooks: fc.uniqueArray(hook, { minLength: 1, maxLength: 3, selector: (h) => h.call }),
});

describe('construct props (property-based)', () => {
  // One output folder for every case's app (Testing.app() makes a temp folder per app; nothing is written there).
  const outdir = mkdtempSync(join(tmpdir(), 'construct-property-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test(`${RUNS} random well-typed props give a clean policy or a PolicyValidationError`, () => {
    let clean = 0;
    let refused = 0;
    fc.assert(
      fc.property(policyProps, (props) => {
        const chart = new Chart(new App({ outdir }), 'prop');
        // Kernel compatibility is covered elsewhere; here every hook is one that exists on the bundled kernels.
        chart.node.setContext('cdk8s-tetragon:kernels', []);
        let policy: TracingPolicy;
        try {
          policy = new TracingPolicy(chart, 'P', props);
        } catch (e) {
          if (!(e instanceof PolicyValidationError)) throw e;
          refused++;
          return;
        }
        const errors = chart.node.findAll().flatMap((c) => c.node.validate());
        // The chart's one object, as Testing.synth(chart) renders it (which would run every validation again).
        const objects = chart.node.findAll().filter((c) => ApiObject.isApiObject(c));
        expect(objects).toHaveLength(1);
        expect(objects[0]).toBe(policy.apiObject);
        const manifest = policy.apiObject.toJson();
        const findings = checkPolicy(manifest, { skipKernelChecks: true }).filter((f) => f.severity === 'error');
        // A construct that passed its own validation must never emit an object the engine or the schema refuses.
        expect(findings).toStrictEqual([]);
        expect(validateAgainstCrd(manifest)).toStrictEqual([]);
        expect(errors).toStrictEqual([]);
        clean++;
      }),
      { numRuns: RUNS, seed: 20261126 },
    );
    process.stdout.write(`construct property: ${RUNS} runs, ${clean} clean policies, ${refused} refused with PolicyValidationError\n`);
    expect(clean + refused).toBe(RUNS);
    expect(clean).toBeGreaterThan(RUNS / 20);
    expect(refused).toBeGreaterThan(RUNS / 20);
  });
});
