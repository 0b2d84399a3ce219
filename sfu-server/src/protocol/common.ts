import Type from 'typebox';

/** Server-generated ids (uuid or short tokens): bounded, printable. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
/** Opaque object validated deeply by mediasoup itself (rtpParameters, dtlsParameters...). */
export const MediaObject = Type.Object({}, { additionalProperties: true, maxProperties: 64 });

export const WireErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
