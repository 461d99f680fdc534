// Records every Content-Security-Policy violation a page reports (the
// `securitypolicyviolation` DOM event), for browser tests that must show the
// page runs under its CSP without breaking it. Written as string scripts so
// this file type-checks without the DOM library.
import type { Page } from '@playwright/test';

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sample: string;
}

const RECORDER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push({ directive: event.effectiveDirective, blockedURI: event.blockedURI, sample: event.sample });
  });
`;

/** Starts recording on every document `page` loads from now on; call before page.goto. */
export async function recordCspViolations(page: Page): Promise<void> {
  await page.addInitScript(RECORDER);
}

/** The violations the current document reported so far. */
export async function cspViolations(page: Page): Promise<CspViolation[]> {
  return (await page.evaluate('window.__cspViolations ?? []')) as CspViolation[];
}
