// The one source of truth for sfu-server's wire messages (REST bodies, socket.io
// events and acks, error codes). Imports nothing from Node, socket.io or Fastify.
export * from './session';
