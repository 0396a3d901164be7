export * from './flux-kustomizations';
