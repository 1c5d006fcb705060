/**
 * The little of the browser's DOM that functions run in the page (puppeteer's `evaluate`,
 * `waitForFunction`) use, typed without loading TypeScript's `dom` lib into the whole project
 * (its fetch and stream types clash with Node's). A test file declares
 * `declare const document: PageDocument;`, erased when the test runs; in the page the real
 * `document` answers.
 */

/** An element, as the page functions read it. */
export interface PageElement {
  readonly id: string;
  readonly tagName: string;
  readonly textContent: string | null;
  readonly innerText: string;
  readonly dataset: Readonly<Record<string, string | undefined>>;
  readonly children: ArrayLike<PageElement> & Iterable<PageElement>;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  blur(): void;
}

/** `document`, as the page functions read it. */
export interface PageDocument {
  readonly activeElement: PageElement | null;
  readonly scrollingElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  getElementById(id: string): PageElement | null;
}
