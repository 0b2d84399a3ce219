import Type from 'typebox';

/** Server-generated ids (uuid or short tokens): bounded, printable. */
export const RefId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
/** Opaque object validated deeply by mediasoup itself (rtpParameters, dtlsParameters...). */
export const MediaObject = Type.Record(Type.String(), Type.Unknown(), { maxProperties: 64 });
