// The one source of truth for sfu-server's wire messages (REST bodies, socket.io
// events and acks, error codes). Imports nothing from Node, socket.io or Fastify.
export * from './auth';
export * from './chair';
export * from './common';
export * from './errors';
export * from './loadtest';
export * from './media';
export * from './meetings';
export * from './network';
export * from './quality';
export * from './readiness';
export * from './recordings';
export * from './rest';
export * from './room-systems';
export * from './rooms';
export * from './servers';
export * from './session';
export * from './signalling';
export * from './sites';
export * from './users';
