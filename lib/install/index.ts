export * from './chart-source';
export * from './defaults';
export * from './export-filter';
export * from './field-filter';
export * from './install-method';
export * from './redaction-filter';
export * from './tetragon-install';
export * from './values';
