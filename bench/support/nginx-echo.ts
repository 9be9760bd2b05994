import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../federation/runtime/free-port.js';

/** An nginx answering every Kubernetes API call of an apply with a fixed object. */
export interface NginxEcho {
  readonly url: string;
  close(): Promise<void>;
}

/** The nginx binary from Debian's nginx-light (or nginx) package. */
export const NGINX = process.env.FEDGATE_BENCH_NGINX ?? '/usr/sbin/nginx';

const DISCOVERY = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'apps/v1',
  resources: [
    {
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ['patch'],
    },
  ],
};

/**
 * Starts nginx (one worker, no access log) on a free 127.0.0.1 port, in `dir`: the apps/v1
 * discovery document, and for any other request (namespace create, server-side apply) `answer`.
 * It stands for a member cluster whose API server costs next to nothing, so that what a client
 * spends per apply can be measured apart from what the simulated API servers spend.
 */
export async function startNginxEcho(dir: string, answer: unknown): Promise<NginxEcho> {
  await mkdir(join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const quote = (v: unknown) => `'${JSON.stringify(v).replaceAll("'", "\\'")}'`;
  const conf = `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  keepalive_requests 1000000;
  default_type application/json;
  server {
    listen 127.0.0.1:${port};
    location = /apis/apps/v1 { return 200 ${quote(DISCOVERY)}; }
    location / { return 200 ${quote(answer)}; }
  }
}
`;
  const file = join(dir, 'nginx.conf');
  await writeFile(file, conf);
  const child = spawn(NGINX, ['-p', dir, '-c', file, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitListening(child, url, () => stderr);
  return { url, close: () => stop(child) };
}

async function waitListening(child: ChildProcess, url: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr().trim()}`);
    try {
      const res = await fetch(`${url}/apis/apps/v1`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not answer on ${url}: ${stderr().trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
