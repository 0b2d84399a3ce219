// Service kit shared by sfu-server and nms: config, validation, errors, logging,
// health, metrics registry, the ops routes and REST route tables.
export * from './browser-guards';
export * from './cli';
export * from './config';
export * from './errors';
export * from './health';
export * from './http';
export * from './logger';
export * from './metrics';
export * from './rest/index';
export * from './session-token';
export * from './validation';
