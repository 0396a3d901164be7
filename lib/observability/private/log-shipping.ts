import { posix } from 'node:path';
import { Construct } from 'constructs';
import { invalid } from '../../private/problems';
import { DEFAULT_EXPORT_FILE, DEFAULT_JOB } from '../log-schema';
import { LogShippingProps } from '../log-shipping-props';
import { checkLabels, checkNamespace, checkSelectorValue } from './validate';

/** {@link LogShippingProps} with defaults applied and checked. */
export interface ResolvedLogShipping {
  readonly namespace: string;
  readonly job: string;
  readonly exportFile: string;
  readonly exportDirectory: string;
  readonly cluster?: string;
  readonly labels: Record<string, string>;
}

/** Name of the hostPath volume that carries the export directory into the shipper's pod. */
export const EXPORT_VOLUME = 'tetragon-export';

/** Applies defaults to shared log-shipping props and rejects bad values. */
export function resolveLogShipping(scope: Construct, props: LogShippingProps): ResolvedLogShipping {
  const namespace = checkNamespace(scope, 'namespace', props.namespace ?? 'logging');
  const job = checkSelectorValue(scope, 'job', props.job ?? DEFAULT_JOB);
  const exportFile = props.exportFile ?? DEFAULT_EXPORT_FILE;
  if (!posix.isAbsolute(exportFile) || posix.normalize(exportFile) !== exportFile || exportFile.endsWith('/')) {
    invalid(
      scope,
      'exportFile',
      exportFile,
      'an absolute, normalized file path',
      `Use the node path of Tetragon's export file, e.g. '${DEFAULT_EXPORT_FILE}'.`,
    );
  }
  if (/[*?[\]{}]/.test(exportFile)) {
    invalid(
      scope,
      'exportFile',
      exportFile,
      'one exact file, not a glob',
      'Rotated backups have timestamped names; a glob would ship them again. Name the live file only.',
    );
  }
  const cluster = props.cluster === undefined ? undefined : checkSelectorValue(scope, 'cluster', props.cluster);
  return {
    namespace,
    job,
    exportFile,
    exportDirectory: posix.dirname(exportFile),
    cluster,
    labels: checkLabels(scope, 'labels', { ...(props.labels ?? {}) }),
  };
}
