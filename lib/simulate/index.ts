export * from './event';
export * from './policy-input';
export * from './simulator';
