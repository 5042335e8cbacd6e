// Seeds the demo clinic once into a template SQLite database; every test then starts its own
// server on its own copy (tests/fixtures.ts), so no test sees another's changes.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dataDir, repoRoot, serverBinary, templateDatabase } from "./tests/server";

export default function globalSetup() {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  execFileSync(serverBinary, ["seed-demo"], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: `sqlite://${templateDatabase}?mode=rwc`, RUST_LOG: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}
