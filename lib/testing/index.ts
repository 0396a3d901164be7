export * from './matchers';
export { simulate } from '../simulate/simulator';
