/** Settings shared by the Alloy and Promtail log-shipping constructs. */
export interface LogShippingProps {
  /**
   * Namespace of the log shipper (the ConfigMap lands there, beside Alloy or Promtail).
   * @default 'logging'
   */
  readonly namespace?: string;

  /**
   * Value of the `job` stream label. Every query, dashboard panel and Loki rule of this library
   * selects `{job="<job>"}`, so set the same value on them.
   * @default 'tetragon'
   */
  readonly job?: string;

  /**
   * Tetragon's JSON export file on each node (chart values `exportDirectory` and `tetragon.exportFilename`).
   * Only this exact file is tailed: rotated backups get timestamped names and would be read twice by a glob.
   * @default '/var/run/cilium/tetragon/tetragon.log'
   */
  readonly exportFile?: string;

  /**
   * Adds a constant `cluster` stream label, so one Loki can hold several clusters and the dashboard's
   * cluster variable can filter them.
   * @default - no cluster label
   */
  readonly cluster?: string;

  /**
   * Extra labels on the emitted ConfigMap.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}
