export * from './seed-thai-nguyen';
export * from './site-code';
