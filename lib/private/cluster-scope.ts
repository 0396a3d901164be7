import { IConstruct } from 'constructs';
import { Marker } from './marker';

/** Marks a TetragonCluster, also across copies of this package. */
export const CLUSTER = new Marker('TetragonCluster');

/**
 * Where names must be unique: the TetragonCluster a construct belongs to (several clusters in one app deploy the
 * same policy names to different clusters), or the whole app outside a cluster.
 */
export function uniquenessScope(c: IConstruct): IConstruct {
  return [...c.node.scopes].reverse().find((s) => CLUSTER.has(s)) ?? c.node.root;
}
