// The app under test: the debug server on a free port with a database of its own, copied from
// the seeded template (global-setup.ts). Each test gets one, so tests share no data and can
// run in any order.
import { ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const repoRoot = path.resolve(__dirname, "../..");
export const dataDir = path.join(repoRoot, "end2end", ".data");
export const serverBinary = path.join(repoRoot, "target", "debug", "avatar-crm");
export const templateDatabase = path.join(dataDir, "template.db");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a server on a fresh copy of the demo clinic; `name` keeps the files apart, `env` adds
 * settings (a test's providers).
 */
export async function startServer(name: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const database = path.join(dataDir, `${name}.db`);
  for (const suffix of ["", "-wal", "-shm"]) {
    rmSync(database + suffix, { force: true });
    if (existsSync(templateDatabase + suffix)) copyFileSync(templateDatabase + suffix, database + suffix);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(serverBinary, ["serve"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${database}?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      RUST_LOG: "warn",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!(await answers(`${url}/health`))) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("the server did not answer /health within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      for (const suffix of ["", "-wal", "-shm"]) rmSync(database + suffix, { force: true });
    },
  };
}
