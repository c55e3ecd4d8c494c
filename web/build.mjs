// Bundle the editor (src/app.js -> dist/app.js) and report its gzipped size; copy the renderer's
// fonts beside it, so the preview measures and draws text with the files drawtext uses.
import { cpSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const outfile = "dist/app.js";
const result = await build({
  metafile: true,
  entryPoints: ["src/app.js"],
  outdir: "dist",
  splitting: true, // Firebase Auth is a chunk of its own, loaded only in the cloud
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  target: "es2022",
  logLevel: "warning",
});
cpSync("../shared/render/text/fonts", "dist/fonts", { recursive: true, filter: (src) => !src.endsWith(".txt") || src.endsWith("LICENSE.txt") });
// The first load: app.js and the chunks it imports statically (not the on-demand ones).
const first = [outfile, ...result.metafile.outputs[outfile].imports.filter((i) => i.kind === "import-statement").map((i) => i.path)];
const kib = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KiB`;
let raw = 0;
let gzipped = 0;
for (const file of first) {
  const bytes = readFileSync(file);
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
console.log(`first load (${first.length} files): ${kib(raw)}, ${kib(gzipped)} gzipped`);
