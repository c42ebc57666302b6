// `npm run generate` / `npm run generate:check`: runs scripts/generate.py with the repository's
// Python (grpcio-tools' protoc and the googleapis protos live there). Set MARQUEE_PYTHON to choose
// another interpreter; by default the repository's .venv, then python3 on PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(dirname(web));
const candidates = [
  process.env.MARQUEE_PYTHON,
  join(root, ".venv", "bin", "python"),
  join(root, ".venv", "Scripts", "python.exe"),
].filter((candidate) => candidate && existsSync(candidate));
const python = candidates[0] ?? "python3";

const result = spawnSync(python, [join(web, "scripts", "generate.py"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
if (result.error) {
  console.error(`cannot run ${python}: ${result.error.message} (run ./marquee generate once, or set MARQUEE_PYTHON)`);
  process.exit(1);
}
process.exit(result.status ?? 1);
