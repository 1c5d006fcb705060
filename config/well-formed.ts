import type { ConfigIssue } from '../errors.ts';
import { locateIssue } from './issues.ts';
import type { ConfigPath, Locate } from './location.ts';
import { isMapping } from './tree.ts';

/** The first lone surrogate of `text` (a code unit no pair completes), with its index; none when well-formed. */
function loneSurrogate(text: string): { readonly index: number; readonly unit: number } | undefined {
  if (text.isWellFormed()) return undefined;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(index + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) index++;
    else return { index, unit };
  }
  return undefined;
}

function message(text: string): string | undefined {
  const lone = loneSurrogate(text);
  if (lone === undefined) return undefined;
  const spelled = `\\u${lone.unit.toString(16).toUpperCase()}`;
  return `not well-formed UTF-16: a lone surrogate ${spelled} at character ${lone.index + 1} (a "${spelled}" escape in a double-quoted string?); names travel as UTF-8, where it reads as U+FFFD, so the view, links and metrics would each name it differently; write the character itself, or leave it out`;
}

/**
 * Every string of the merged configuration (mapping keys and values) that is not well-formed
 * UTF-16, as an issue at it, found before the schema sees the value. YAML's double-quoted
 * `"\ud800"` spells a lone surrogate; the OTLP entrances mend such names to U+FFFD (review16b H1),
 * so the config refuses them rather than carry a name no other entrance can produce (review16c L4).
 */
export function illFormedStringIssues(value: unknown, locate: Locate, path: ConfigPath = []): ConfigIssue[] {
  if (typeof value === 'string') {
    const text = message(value);
    return text === undefined ? [] : [locateIssue({ path, anchor: 'value', message: text }, locate)];
  }
  if (Array.isArray(value))
    return value.flatMap((item, index) => illFormedStringIssues(item, locate, [...path, index]));
  if (!isMapping(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const at = [...path, key];
    const text = message(key);
    const own = text === undefined ? [] : [locateIssue({ path: at, anchor: 'key', message: text }, locate)];
    return [...own, ...illFormedStringIssues(item, locate, at)];
  });
}
