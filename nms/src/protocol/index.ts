// nms wire contract: every REST body and response, and the error codes. Imported by web.
export * from './alerts';
export * from './errors';
export * from './health';
export * from './inventory';
export * from './rest';
