// What sfu-server publishes to the services that follow it (nms): session token claims,
// the list of sessions ended early, and the site directory. sfu-server's protocol re-exports them.
export * from './revocations';
export * from './session';
export * from './site-directory';
