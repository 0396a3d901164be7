/**
 * Entry points of `@grafana/grafana-foundation-sdk`. The package publishes its modules only through
 * `exports` subpaths, which the project's `moduleResolution: node` cannot see; types come from the
 * `dist/` declarations and values from the subpath at run time (Node, jest and esbuild honour `exports`).
 */
import type * as CommonNs from '@grafana/grafana-foundation-sdk/dist/common';
import type * as DashboardNs from '@grafana/grafana-foundation-sdk/dist/dashboard';
import type * as LogsNs from '@grafana/grafana-foundation-sdk/dist/logs';
import type * as LokiNs from '@grafana/grafana-foundation-sdk/dist/loki';
import type * as PrometheusNs from '@grafana/grafana-foundation-sdk/dist/prometheus';
import type * as StatNs from '@grafana/grafana-foundation-sdk/dist/stat';
import type * as TableNs from '@grafana/grafana-foundation-sdk/dist/table';
import type * as TimeseriesNs from '@grafana/grafana-foundation-sdk/dist/timeseries';

/* eslint-disable @typescript-eslint/no-require-imports */
export const common: typeof CommonNs = require('@grafana/grafana-foundation-sdk/common');
export const dashboard: typeof DashboardNs = require('@grafana/grafana-foundation-sdk/dashboard');
export const logs: typeof LogsNs = require('@grafana/grafana-foundation-sdk/logs');
export const loki: typeof LokiNs = require('@grafana/grafana-foundation-sdk/loki');
export const prometheus: typeof PrometheusNs = require('@grafana/grafana-foundation-sdk/prometheus');
export const stat: typeof StatNs = require('@grafana/grafana-foundation-sdk/stat');
export const table: typeof TableNs = require('@grafana/grafana-foundation-sdk/table');
export const timeseries: typeof TimeseriesNs = require('@grafana/grafana-foundation-sdk/timeseries');
/* eslint-enable @typescript-eslint/no-require-imports */

export type { CommonNs, DashboardNs };
