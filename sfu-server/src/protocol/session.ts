// Session tokens: the claims are part of the contract sfu-server publishes to other
// services, so they live in the kit; re-exported here for sfu-server and web.
export { PUBLIC_KEY_PATH, Role, SessionClaims, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@lienthong/kit/contracts';
