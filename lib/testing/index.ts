export * from './matchers';
