import { App, Chart, Testing } from 'cdk8s';
import { FluxKustomizations, GitOpsUnit } from '../../lib/gitops';
import { InstallMethod, TetragonInstall } from '../../lib/install';
import { validateAgainstCrd } from '../../lib/private/crd-schema';

function setup(props: Partial<ConstructorParameters<typeof FluxKustomizations>[2]> = {}, withInstall = true) {
  const app: App = Testing.app();
  const install = withInstall
    ? new TetragonInstall(new Chart(app, 'install'), 'Tetragon', { method: InstallMethod.FLUX_HELM_RELEASE })
    : undefined;
  const fluxChart = new Chart(app, 'flux');
  const ks = new FluxKustomizations(fluxChart, 'Units', { cluster: 'nlcl01k8s', install, ...props });
  return { ks, fluxChart, manifests: () => Testing.synth(fluxChart) };
}

const byName = (ms: any[]) => Object.fromEntries(ms.map((m) => [m.metadata.name, m]));

describe('FluxKustomizations', () => {
  test('default units: paths, order, source, and strict validation', () => {
    // given the default units / when synthesized
    const { manifests, ks } = setup();
    const ms = manifests();

    // then one Kustomization per unit, valid against the Flux CRD
    expect(ms.map((m) => m.metadata.name).sort()).toStrictEqual(['tetragon-install', 'tetragon-observability', 'tetragon-policies']);
    for (const m of ms) expect(validateAgainstCrd(m)).toStrictEqual([]);
    const k = byName(ms);
    expect(k['tetragon-install'].spec.path).toBe('./dist/nlcl01k8s/install');
    expect(k['tetragon-policies'].spec.path).toBe('./dist/nlcl01k8s/policies');
    expect(k['tetragon-observability'].spec.path).toBe('./dist/nlcl01k8s/observability');
    expect(k['tetragon-install'].spec.dependsOn).toBeUndefined();
    expect(k['tetragon-policies'].spec.dependsOn).toStrictEqual([{ name: 'tetragon-install' }]);
    expect(k['tetragon-observability'].spec.dependsOn).toStrictEqual([{ name: 'tetragon-install' }]);
    for (const m of ms) {
      expect(m.metadata.namespace).toBe('flux-system');
      expect(m.spec.sourceRef).toStrictEqual({ kind: 'GitRepository', name: 'flux-system' });
      expect(m.spec.prune).toBe(true);
      expect([m.spec.interval, m.spec.retryInterval, m.spec.timeout]).toStrictEqual(['10m', '1m', '5m']);
    }
    expect(ks.applyOrder()).toStrictEqual(['install', 'observability', 'policies']);
  });

  test('the install unit waits on the HelmRelease, the agent DaemonSet and the operator; the others wait on everything', () => {
    const k = byName(setup().manifests());
    expect(k['tetragon-install'].spec.wait).toBe(false);
    expect(k['tetragon-install'].spec.healthChecks).toStrictEqual([
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'tetragon', namespace: 'kube-system' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'tetragon-operator', namespace: 'kube-system' },
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'tetragon', namespace: 'flux-system' },
    ]);
    expect(k['tetragon-policies'].spec.wait).toBe(true);
    expect(k['tetragon-policies'].spec.healthChecks).toBeUndefined();
  });

  test('source, namespaces, prefix and dist folder are configurable', () => {
    const ms = setup({
      gitRepository: 'platform',
      gitRepositoryNamespace: 'flux-system',
      namespace: 'tetragon-gitops',
      namePrefix: 'tg-',
      distDir: 'deploy/dist',
      prune: false,
    }).manifests();
    const k = byName(ms);
    expect(Object.keys(k).sort()).toStrictEqual(['tg-install', 'tg-observability', 'tg-policies']);
    expect(k['tg-policies'].spec.dependsOn).toStrictEqual([{ name: 'tg-install' }]);
    expect(k['tg-install'].spec.path).toBe('./deploy/dist/nlcl01k8s/install');
    expect(k['tg-install'].spec.sourceRef).toStrictEqual({ kind: 'GitRepository', name: 'platform', namespace: 'flux-system' });
    expect(k['tg-install'].metadata.namespace).toBe('tetragon-gitops');
    expect(k['tg-install'].spec.prune).toBe(false);
    for (const m of ms) expect(validateAgainstCrd(m)).toStrictEqual([]);
  });

  test('custom units: a chain orders and validates', () => {
    const { ks, manifests } = setup({
      units: [
        { name: 'observability', dependsOn: ['policies'] },
        { name: 'policies', dependsOn: ['install', 'crds'] },
        { name: 'crds' },
        { name: 'install', dependsOn: ['crds'] },
      ],
    });
    expect(ks.applyOrder()).toStrictEqual(['crds', 'install', 'policies', 'observability']);
    expect(byName(manifests())['tetragon-policies'].spec.dependsOn).toStrictEqual([
      { name: 'tetragon-crds' },
      { name: 'tetragon-install' },
    ]);
  });

  test('a dependency on an unknown unit or a cycle fails synthesis with the unit names', () => {
    const unknown = setup({ units: [{ name: 'install' }, { name: 'policies', dependsOn: ['instal'] }] }, false);
    expect(() => unknown.manifests()).toThrow(/unit "policies" depends on "instal", which is not a unit \(units: install, policies\)/);
    const cycle = setup(
      {
        units: [
          { name: 'a', dependsOn: ['b'] },
          { name: 'b', dependsOn: ['a'] },
        ],
      },
      false,
    );
    expect(() => cycle.manifests()).toThrow(/dependency cycle: a -> b -> a/);
  });

  test('bad units and props are refused', () => {
    const { ks } = setup();
    expect(() => ks.addUnit({ name: 'policies' })).toThrow(/unit "policies" is defined twice/);
    expect(() => ks.addUnit({ name: 'Policies_2' })).toThrow(/flux\/Units: units\["Policies_2"\]: got "Policies_2"; expected a DNS label/);
    expect(() => ks.addUnit({ name: GitOpsUnit.FLUX })).toThrow(/unit 'flux' holds these Kustomizations/);
    expect(() =>
      ks.addUnit({ name: 'x', wait: true, healthChecks: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'a', namespace: 'b' }] }),
    ).toThrow(/Flux ignores health checks when wait is on/);
    expect(() => setup({ cluster: 'a/b' })).toThrow(/cluster: got "a\/b"/);
    expect(() => setup({ distDir: '../outside' })).toThrow(/distDir: got "\.\.\/outside"/);
    expect(() => setup({ interval: 'daily' })).toThrow(/interval: got "daily"/);
    expect(() => setup({ installUnit: 'base' })).toThrow(
      /installUnit: got "base"; expected one of the units \(install, policies, observability\)\. Add the unit or set installUnit/,
    );
  });

  test('a unit added later is rendered too', () => {
    const { ks, manifests } = setup();
    ks.addUnit({ name: 'extras', dependsOn: ['policies'] });
    expect(byName(manifests())['tetragon-extras'].spec).toMatchObject({
      path: './dist/nlcl01k8s/extras',
      dependsOn: [{ name: 'tetragon-policies' }],
      wait: true,
    });
  });
});
