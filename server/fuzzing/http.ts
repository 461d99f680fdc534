// The reports over HTTP, where the fuzzing server's users look for them:
// /reports/clients/index.json, index.html and each case's JSON file, always
// current (no need to call /updateReports first). `?agent=NAME` narrows
// index.json and index.html to one agent; on any of them it is what a proxy
// in front of several instances routes by (deploy/README.md), so a harness's
// report fetches reach the instance that played its cases.
import type { Request, Response, Router } from 'express';
import { CONFORMANCE_PATHS } from '../protocol.ts';
import { agentProblem } from './handshake.ts';
import { REPORT_CSS } from './report-html.ts';
import type { CaseResults } from './results.ts';

/** Where the client reports are served. */
export const REPORTS_PATH = CONFORMANCE_PATHS.reports;
/** Case report file names as reports.ts makes them; nothing else is looked up. */
const REPORT_FILE = /^[a-z0-9_]{1,100}_case_[0-9_]{1,20}\.json$/;

/** GET routes for the reports; mount after the page's security headers. Express loads with the page (app.ts). */
export async function reportsRouter(results: CaseResults): Promise<Router> {
  const { Router } = await import('express');
  const router = Router();
  router.get(REPORTS_PATH, (req, res) => res.redirect(`${REPORTS_PATH}/index.html${searchOf(req)}`));
  router.get(`${REPORTS_PATH}/index.json`, (req, res) =>
    answer(
      req,
      res,
      (agent) => results.index(agent),
      (index) => res.json(index),
    ),
  );
  router.get(`${REPORTS_PATH}/index.html`, (req, res) =>
    answer(
      req,
      res,
      (agent) => results.html(agent),
      (html) => res.type('html').send(html),
    ),
  );
  router.get(`${REPORTS_PATH}/report.css`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('css').send(REPORT_CSS);
  });
  router.get(`${REPORTS_PATH}/:file`, (req, res) => {
    const name = String(req.params.file);
    const lookUp = (agent: string | undefined) =>
      REPORT_FILE.test(name) ? results.file(name, agent) : Promise.resolve(undefined);
    answer(req, res, lookUp, (json) => {
      if (json === undefined) {
        res
          .status(404)
          .type('text')
          .send('No such report: it was never made, or its agent was dropped to make room.\n');
        return;
      }
      res.type('json').send(json);
    });
  });
  return router;
}

/**
 * Reads `?agent=` (a 400 for a bad one), looks up with it and sends what it
 * found; 503 when the results could not be asked (--workers: the primary
 * keeps them, and did not answer).
 */
function answer<T>(
  req: Request,
  res: Response,
  lookUp: (agent: string | undefined) => Promise<T>,
  send: (found: T) => void,
): void {
  const agent = new URLSearchParams(searchOf(req)).get('agent') ?? undefined;
  const problem = agent === undefined ? undefined : agentProblem(agent);
  if (problem) {
    res.status(400).type('text').send(`${problem}\n`);
    return;
  }
  lookUp(agent).then(
    (found) => {
      res.setHeader('Cache-Control', 'no-cache');
      send(found);
    },
    (error: Error) => res.status(503).type('text').send(`The reports could not be read: ${error.message}.\n`),
  );
}

/** The request's query string as it came, with its "?" (or empty). */
function searchOf(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at === -1 ? '' : req.originalUrl.slice(at);
}
