// HTTPS for the services: certificates (configured, or issued by an internal CA) and the listeners.
export * from './banner';
export * from './names';
export * from './prepare';
export * from './serve';
export * from './servers';
export { caFiles, certProblem, ensureCa, ensureClientCert, ensureServerCert, RENEW_BEFORE_MS } from './store';
