import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { TetragonLokiRules, TetragonLokiRulesProps } from '../../lib/observability/tetragon-loki-rules';
import { logRuleCounts } from '../detections/_support';
import { agentEvent, inPod } from '../support/agent-events';
import { logqlErrors } from './support/grammars';

function synth(props?: TetragonLokiRulesProps) {
  const chart = new Chart(Testing.app(), 'observability');
  new TetragonLokiRules(chart, 'LokiRules', props);
  const [cm] = Testing.synth(chart);
  return { cm, file: parse(cm.data['tetragon-rules.yaml']) };
}

describe('TetragonLokiRules', () => {
  test('given defaults, when synthesized, then a ConfigMap logging/tetragon-loki-rules labelled for the ruler sidecar holds one rule group', () => {
    const { cm, file } = synth();
    expect(cm.metadata).toMatchObject({ name: 'tetragon-loki-rules', namespace: 'logging' });
    expect(cm.metadata.labels.loki_rule).toBe('1');
    expect(file.groups.map((g: any) => g.name)).toStrictEqual(['tetragon.loki.detections']);
    expect(file.groups[0].rules.map((r: any) => r.alert)).toStrictEqual([
      'TetragonInteractiveShellInContainer',
      'TetragonPrivilegedBinaryExecuted',
      'TetragonCryptoMinerExecuted',
      'TetragonStratumArguments',
      'TetragonExecFromScratchDirectory',
    ]);
  });

  test("given every rule, then its LogQL parses with Grafana's grammar and it carries severity and runbook", () => {
    for (const r of synth().file.groups[0].rules) {
      expect({ alert: r.alert, errors: logqlErrors(r.expr) }).toStrictEqual({ alert: r.alert, errors: [] });
      expect(r.expr).toMatch(
        /^sum by \(namespace, pod, container, binary\) \(count_over_time\(\{job="tetragon", event_type="process_exec"/,
      );
      expect(r.expr).toMatch(/\[5m\]\)\) > 0$/);
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.runbook).toMatch(/^1\. /);
    }
  });

  test('given the detections that need event fields, then each rule filters on the right field', () => {
    const byName = Object.fromEntries(synth().file.groups[0].rules.map((r: any) => [r.alert, r.expr]));
    expect(byName.TetragonInteractiveShellInContainer).toContain('namespace!="host"');
    expect(byName.TetragonInteractiveShellInContainer).toContain(
      '| json in_init_tree="process_exec.process.in_init_tree" | in_init_tree="false"',
    );
    expect(byName.TetragonPrivilegedBinaryExecuted).toContain(
      'json privileges="process_exec.process.binary_properties.privileges_changed[0]"',
    );
    expect(byName.TetragonCryptoMinerExecuted).toContain('xmrig|xmr-stak');
    expect(byName.TetragonStratumArguments).toContain('|~ "stratum2?[+](tcp|ssl|tls)://"');
    expect(byName.TetragonExecFromScratchDirectory).toContain('binary=~"/(tmp|dev/shm|var/tmp)/.*"');
  });

  test("given real exec lines, then the interactive-shell rule counts a shell outside the container's init tree in a pod, and not the entrypoint or a host process", () => {
    const rule = synth().file.groups[0].rules.find((r: any) => r.alert === 'TetragonInteractiveShellInContainer').expr;
    // The captured container process is runc's entrypoint child (in_init_tree true); kubectl exec's shell is not in that tree.
    const entrypoint = inPod(agentEvent('process_exec/container'), { namespace: 'shop' });
    expect(entrypoint.process_exec.process.in_init_tree).toBe(true);
    const shell = inPod(agentEvent('process_exec/container'), { namespace: 'shop' });
    Object.assign(shell.process_exec.process, { binary: '/bin/sh', in_init_tree: false });
    expect(logRuleCounts(rule, shell)).toBe(true);
    expect(
      logRuleCounts(rule, {
        ...entrypoint,
        process_exec: { ...entrypoint.process_exec, process: { ...entrypoint.process_exec.process, binary: '/bin/sh' } },
      }),
    ).toBe(false);
    const host = agentEvent('process_exec/host');
    Object.assign(host.process_exec.process, { binary: '/bin/sh', in_init_tree: false });
    expect(logRuleCounts(rule, host)).toBe(false);
  });

  test('given the anchored regexes, then they match the binaries they are meant for and nothing else', () => {
    const anchored = (re: string) => new RegExp(`^(?:${re})$`);
    const { SHELL_BINARY_REGEX, CRYPTO_MINER_BINARY_REGEX } = require('../../lib/observability/queries');
    const shell = anchored(SHELL_BINARY_REGEX);
    for (const b of ['/bin/sh', '/bin/bash', '/usr/bin/zsh', '/bin/dash', '/bin/ash', 'sh']) expect(b).toMatch(shell);
    for (const b of ['/usr/bin/ssh', '/bin/shred', '/usr/bin/bashbug', '/usr/local/bin/flash']) expect(b).not.toMatch(shell);
    const miner = anchored(CRYPTO_MINER_BINARY_REGEX);
    for (const b of ['/tmp/xmrig', '/opt/cpuminer-multi', 'xmr-stak']) expect(b).toMatch(miner);
    for (const b of ['/usr/bin/xmrig-config/ls', '/usr/bin/git']) expect(b).not.toMatch(miner);
  });

  test('given user labels and rule labels, when synthesized, then the sidecar label survives and alerts carry the extra labels', () => {
    const { cm, file } = synth({ labels: { team: 'security' }, ruleLabels: { team: 'security' }, job: 'tetragon-events' });
    expect(cm.metadata.labels).toMatchObject({ team: 'security', loki_rule: '1' });
    expect(file.groups[0].rules[0].labels).toStrictEqual({ severity: 'warning', team: 'security' });
    expect(file.groups[0].rules[0].expr).toContain('{job="tetragon-events"');
  });

  test('given a conflicting sidecar label, when constructed, then it throws with the fix', () => {
    expect(() => synth({ labels: { loki_rule: 'no' } })).toThrow(/LokiRules: labels.loki_rule: got "no"; expected '1' or no such label/);
  });
});

describe("TetragonLokiRules: users' alerts are checked like the built-in ones", () => {
  const good = {
    alert: 'ShopShellSpawned',
    severity: 'warning' as const,
    runbook: "Check who exec'd into the pod.",
    expr: 'sum by (namespace, pod) (count_over_time({job="tetragon", namespace="shop"} |= "bash" [5m])) > 0',
    summary: 'bash in {{ $labels.namespace }}/{{ $labels.pod }}',
  };

  test('a well-formed alert is added to the library group', () => {
    const { file } = synth({ detectionRules: [good] });
    expect(file.groups.find((g: any) => g.name === 'tetragon.loki.library').rules[0]).toMatchObject({
      alert: 'ShopShellSpawned',
      labels: { severity: 'warning' },
    });
  });

  test.each([
    [{ alert: 'shop shell' }, /detectionRules\[0\] \(shop shell\)\.alert: "shop shell" is not a PascalCase alert name/],
    // The query the original module documented, which Loki refuses; and a log query, which the ruler cannot alert on.
    [
      { expr: 'sum(count_over_time({job="tetragon"} |= "bash" or |= "/bin/sh" [5m])) > 0' },
      /\.expr: is not a LogQL metric query the Loki ruler accepts \(expected a quoted string after \|= at character 51, found '\|='\)/,
    ],
    [{ expr: '{job="tetragon"} |= "bash"' }, /\.expr: is not a LogQL metric query the Loki ruler accepts \(a log query cannot be an alert/],
    [{ expr: 'sum(count_over_time({job=~".*"} [5m])) > 0' }, /at least one matcher that cannot match an empty value/],
    [
      { expr: 'sum(count_over_time({job="tetragon"} |~ "(bash" [5m])) > 0' },
      /the line filter \|~: "\(bash" is not a valid regular expression/,
    ],
    [{ severity: 'page' }, /\.severity: "page" is not a severity\. Use one of critical, warning, info\./],
    [{ summary: '' }, /\.summary: is empty\./],
    [
      { summary: 'bash in {{ $labels.container }}' },
      /\.summary: uses \$labels\.container, which the query's by \(namespace, pod\) drops, so it renders empty/,
    ],
    [{ summary: 'bash in {{ $labels.pod }' }, /\.summary: has unbalanced \{\{ \}\} template braces/],
    [{ runbook: ' ' }, /\.runbook: is empty/],
  ])('%j is refused at synth with the field and the fix', (change, message) => {
    expect(() => synth({ detectionRules: [{ ...good, ...change } as any] })).toThrow(message);
    expect(() => synth({ detectionRules: [{ ...good, ...change } as any] })).toThrow(/^observability\/LokiRules: detectionRules\[0\] /);
  });
});
