// The code of the AppError a call throws; anything else (or no throw) fails the test.
import { AppError } from '@lienthong/kit';

export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  throw new Error('expected a coded error');
}
