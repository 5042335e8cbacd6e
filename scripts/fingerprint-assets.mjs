// Content-hashed, precompressed copies of the browser bundle, so the server can let browsers
// keep them for a year (a new build has new names) and send brotli or gzip without
// compressing on every request.
//
//   node scripts/fingerprint-assets.mjs <pkg dir> <dir of the server binary>...
//
// For each of avatar.js, avatar.wasm and avatar.css in <pkg dir> it writes
// avatar.<hash>.<ext> with .br and .gz beside it, removes the copies of earlier builds, and
// writes hash.txt ("js: <hash>" …) next to each server binary, where Leptos's
// HydrationScripts and HashedStylesheet look for it (the cargo-leptos convention).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const [pkgDir, ...binaryDirs] = process.argv.slice(2);
if (!pkgDir || binaryDirs.length === 0) {
  console.error("usage: fingerprint-assets.mjs <pkg dir> <dir of the server binary>...");
  process.exit(2);
}

const NAME = "avatar";
const hashed = /^avatar\.[0-9a-f]{16}\.(js|wasm|css)(\.br|\.gz)?$/;
const lines = [];
const kept = new Set();
for (const ext of ["js", "wasm", "css"]) {
  const source = readFileSync(path.join(pkgDir, `${NAME}.${ext}`));
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const name = `${NAME}.${hash}.${ext}`;
  writeFileSync(path.join(pkgDir, name), source);
  // Brotli's best setting for the small files; for the bundle a level that keeps the
  // build quick (the difference is a few per cent).
  const quality = source.length > 1_000_000 ? 9 : constants.BROTLI_MAX_QUALITY;
  writeFileSync(
    path.join(pkgDir, `${name}.br`),
    brotliCompressSync(source, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
      },
    }),
  );
  writeFileSync(path.join(pkgDir, `${name}.gz`), gzipSync(source, { level: 9 }));
  for (const suffix of ["", ".br", ".gz"]) kept.add(name + suffix);
  lines.push(`${ext}: ${hash}`);
}
for (const file of readdirSync(pkgDir)) {
  if (hashed.test(file) && !kept.has(file)) rmSync(path.join(pkgDir, file));
}
for (const dir of binaryDirs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "hash.txt"), lines.join("\n") + "\n");
}
console.log(`fingerprinted ${pkgDir}: ${lines.join(", ")}`);
