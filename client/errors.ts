// The one shape "that did not work" takes across the page's modules: an
// Error whose message is a sentence the page can show as it is. Functions
// return it (`T | Error`, or `Error | undefined` when there is nothing else to
// return) instead of throwing, so no caller can miss the sad path; promises
// reject with it. No DOM.

/** Whatever was thrown (the browser's DOMException, a string, …) as an Error, its message kept. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
