// Service kit shared by sfu-server and nms: config, validation, errors, logging,
// health, metrics registry and the ops routes.
export * from './cli';
export * from './config';
export * from './errors';
export * from './health';
export * from './http';
export * from './logger';
export * from './metrics';
export * from './session-token';
export * from './validation';
