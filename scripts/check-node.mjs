// Plain JavaScript on purpose: it must run, and fail clearly, on any Node, including the system one.
// npm falls back to the system Node (20) when the `node` package's install step was skipped
// (e.g. `npm ci --ignore-scripts`); fail loudly rather than run on the wrong runtime.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `InvPro360 needs Node 24 (running ${process.versions.node}). Run \`npm install\` (with install scripts) and use npm scripts.`,
  );
  process.exit(1);
}
