import { ConfigInvalidError, type ConfigIssue } from '../../errors.ts';

/**
 * The issues of the ConfigInvalidError that `action` throws. Throws whatever else it throws, and
 * an Error when it throws nothing.
 */
export function issuesOf(action: () => unknown): readonly ConfigIssue[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error.issues;
    throw error;
  }
  throw new Error('expected HEADROOM_ERR_CONFIG_INVALID');
}
