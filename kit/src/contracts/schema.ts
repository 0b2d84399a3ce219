import Type from 'typebox';

/** `t` or null: a field that is always there but may have no value. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
