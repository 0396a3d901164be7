import { IConstruct } from 'constructs';

/** Marks a TetragonCluster, also across copies of this package (checked with `in`, not `instanceof`). */
export const CLUSTER_SYMBOL = Symbol.for('cdk8s-tetragon.TetragonCluster');

/**
 * Where names must be unique: the TetragonCluster a construct belongs to (several clusters in one app deploy the
 * same policy names to different clusters), or the whole app outside a cluster.
 */
export function uniquenessScope(c: IConstruct): IConstruct {
  return [...c.node.scopes].reverse().find((s) => CLUSTER_SYMBOL in s) ?? c.node.root;
}
