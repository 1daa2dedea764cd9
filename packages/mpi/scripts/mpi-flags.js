'use strict';
// Prints the compiler or linker flags of the system MPI for binding.gyp: `node scripts/mpi-flags.js cflags|libs|probe`.
// Order: $MPI_CFLAGS/$MPI_LIBS, pkg-config (mpi-c: Debian/Ubuntu OpenMPI and MPICH, ompi-c: Homebrew/conda OpenMPI,
// mpich), then the compiler wrapper `mpicc` (OpenMPI's --showme, MPICH's -show).
const { execFileSync } = require('node:child_process');

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function split(s) {
  return s.split(/\s+/).filter((t) => t.length > 0);
}

function fromPkgConfig() {
  for (const name of ['mpi-c', 'ompi-c', 'mpich']) {
    if (run('pkg-config', ['--exists', name]) === null) continue;
    const cflags = run('pkg-config', ['--cflags', name]);
    const libs = run('pkg-config', ['--libs', name]);
    if (cflags !== null && libs !== null) return { source: `pkg-config ${name}`, cflags: split(cflags), libs: split(libs) };
  }
  return null;
}

function fromMpicc() {
  const mpicc = process.env.MPICC ?? 'mpicc';
  const compile = run(mpicc, ['--showme:compile']);
  const link = run(mpicc, ['--showme:link']);
  if (compile !== null && link !== null) return { source: `${mpicc} --showme`, cflags: split(compile), libs: split(link) };
  const show = run(mpicc, ['-show']);
  if (show === null) return null;
  const tokens = split(show).slice(1);
  return {
    source: `${mpicc} -show`,
    cflags: tokens.filter((t) => t.startsWith('-I') || t.startsWith('-D')),
    libs: tokens.filter((t) => t.startsWith('-L') || t.startsWith('-l') || t.startsWith('-Wl')),
  };
}

function detect() {
  if (process.env.MPI_CFLAGS !== undefined && process.env.MPI_LIBS !== undefined) {
    return { source: 'MPI_CFLAGS/MPI_LIBS', cflags: split(process.env.MPI_CFLAGS), libs: split(process.env.MPI_LIBS) };
  }
  const found = fromPkgConfig() ?? fromMpicc();
  if (found === null) return null;
  // Add an rpath for every -L so an MPI outside the loader's default path is still found at run time.
  const rpaths = found.libs.filter((t) => t.startsWith('-L')).map((t) => `-Wl,-rpath,${t.slice(2)}`);
  return { ...found, libs: [...found.libs, ...rpaths] };
}

module.exports = { detect };

if (require.main === module) {
  const what = process.argv[2] ?? 'probe';
  const flags = detect();
  if (flags === null) {
    if (what === 'probe') process.exit(1);
    process.stderr.write('lightning-ts/mpi: no MPI found (pkg-config mpi-c/ompi-c/mpich, mpicc)\n');
    process.exit(1);
  }
  if (what === 'cflags') process.stdout.write(flags.cflags.join(' '));
  else if (what === 'libs') process.stdout.write(flags.libs.join(' '));
  else process.stdout.write(`${flags.source}\n`);
}
