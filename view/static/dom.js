// Building DOM from data. Text always goes in as textContent, never as HTML: service, operation and
// feature names come from the services' spans, so they are untrusted.

/**
 * Creates an element: `h('a', { href: '/ui/', class: 'x' }, 'text', child)`. Attributes whose value
 * is `undefined`, `null` or `false` are left out; `true` sets an empty attribute.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/**
 * Appends children (strings become text nodes; null, undefined and false are skipped).
 * @param {Node} parent
 * @param {ReadonlyArray<Node | string | number | null | undefined | false>} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces every child of `parent`.
 * @param {Node} parent
 * @param {...(Node | string | null | undefined | false)} children
 */
export function replace(parent, ...children) {
  parent.textContent = '';
  append(parent, children);
}
