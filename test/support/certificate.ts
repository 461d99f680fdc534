// Throwaway TLS identities for the https/wss tests: a self-signed certificate
// for 127.0.0.1 and localhost, made with openssl into a fresh temp directory
// while the test runs, so no key ever lives in the repository.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** openssl on PATH, or OPENSSL if set. */
export const OPENSSL = process.env.OPENSSL ?? 'openssl';

export interface TestCertificate {
  /** The temp directory holding every file below; `remove()` deletes it. */
  dir: string;
  /** PEM certificate file (CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1). */
  certPath: string;
  /** PEM private key file for `certPath`. */
  keyPath: string;
  /** The certificate's PEM, to pass as `ca` to a client that should trust it. */
  cert: Buffer;
  key: Buffer;
  /** Writes `contents` to a new file in `dir` and returns its path (for bad-input cases). */
  writeFile(name: string, contents: string | Buffer): Promise<string>;
  /** A second, unrelated key (PEM file), which does not match `certPath`. */
  otherKey(): Promise<string>;
  /** Deletes the temp directory. */
  remove(): Promise<void>;
}

/** Makes a self-signed EC (P-256) certificate valid for a day for localhost and 127.0.0.1. */
export async function makeCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-echo-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    await run(OPENSSL, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const { stderr, message } = error as { stderr?: string; message?: string };
    throw new Error(`openssl could not make a test certificate: ${stderr || message}`);
  }
  const [cert, key] = await Promise.all([readFile(certPath), readFile(keyPath)]);
  let others = 0;
  return {
    dir,
    certPath,
    keyPath,
    cert,
    key,
    async writeFile(name, contents) {
      const path = join(dir, name);
      await writeFile(path, contents);
      return path;
    },
    async otherKey() {
      const path = join(dir, `other-key-${++others}.pem`);
      await run(OPENSSL, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
