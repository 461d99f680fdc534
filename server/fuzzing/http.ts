// The reports over HTTP, where the fuzzing server's users look for them:
// /reports/clients/index.json, index.html and each case's JSON file, always
// current (no need to call /updateReports first).
import type { Router } from 'express';
import { CONFORMANCE_PATHS } from '../protocol.ts';
import { REPORT_CSS } from './report-html.ts';
import type { ReportStore } from './reports.ts';

/** Where the client reports are served. */
export const REPORTS_PATH = CONFORMANCE_PATHS.reports;
/** Case report file names as reports.ts makes them; nothing else is looked up. */
const REPORT_FILE = /^[a-z0-9_]{1,100}_case_[0-9_]{1,20}\.json$/;

/** GET routes for the reports; mount after the page's security headers. Express loads with the page (app.ts). */
export async function reportsRouter(reports: ReportStore): Promise<Router> {
  const { Router } = await import('express');
  const router = Router();
  router.get(REPORTS_PATH, (_req, res) => res.redirect(`${REPORTS_PATH}/index.html`));
  router.get(`${REPORTS_PATH}/index.json`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.json(reports.index());
  });
  router.get(`${REPORTS_PATH}/index.html`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(reports.html());
  });
  router.get(`${REPORTS_PATH}/report.css`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('css').send(REPORT_CSS);
  });
  router.get(`${REPORTS_PATH}/:file`, (req, res) => {
    const json = REPORT_FILE.test(req.params.file) ? reports.file(req.params.file) : undefined;
    if (json === undefined) {
      res.status(404).type('text').send('No such report: it was never made, or its agent was dropped to make room.\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('json').send(json);
  });
  return router;
}
