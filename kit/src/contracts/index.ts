// The contracts between the services: what sfu-server publishes to those that follow it (nms):
// session token claims, the sessions ended early, the site directory; and what nms answers
// sfu-server about the network under live meetings, and what each server's cascade links look like.
// sfu-server's protocol re-exports them.
export * from './cascade-health';
export * from './revocations';
export * from './schema';
export * from './session';
export * from './site-directory';
export * from './site-network';
