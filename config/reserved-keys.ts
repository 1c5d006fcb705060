import type { ConfigIssue } from '../errors.ts';
import { locateIssue } from './issues.ts';
import type { ConfigPath, Locate } from './location.ts';
import { isMapping } from './tree.ts';

/**
 * Keys JavaScript gives a meaning of their own: an object key `__proto__` is the object's
 * prototype (zod builds records by assignment, so a context, phase, feature, modifier or header
 * named so would become the record's prototype, and be lost as a name).
 */
const RESERVED = '__proto__';
const RESERVED_MESSAGE = `"${RESERVED}" cannot be a name: JavaScript reserves it for an object's prototype; choose another name`;

/**
 * Every mapping key `__proto__` in the merged configuration, as an issue at the key, found
 * before the schema sees the value. A name that is any other member of `Object.prototype`
 * (`toString`, `constructor`) is allowed: the resolved configuration's records have no prototype.
 */
export function reservedKeyIssues(value: unknown, locate: Locate, path: ConfigPath = []): ConfigIssue[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => reservedKeyIssues(item, locate, [...path, index]));
  if (!isMapping(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const at = [...path, key];
    if (key !== RESERVED) return reservedKeyIssues(item, locate, at);
    return [locateIssue({ path: at, anchor: 'key', message: RESERVED_MESSAGE }, locate)];
  });
}
