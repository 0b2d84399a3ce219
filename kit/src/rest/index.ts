export * from './fastify';
export * from './routes';
