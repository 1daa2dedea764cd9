'use strict';
// The install and rebuild instructions shown when MPI or the compiled addon is missing.
const path = require('node:path');

/** Which package to install on this platform, and how to rebuild the addon afterwards. */
function installHint() {
  const install =
    process.platform === 'darwin'
      ? 'brew install open-mpi'
      : 'sudo apt-get install libopenmpi-dev openmpi-bin   (Debian/Ubuntu; Fedora: sudo dnf install openmpi-devel; conda: conda install -c conda-forge openmpi)';
  return `Install MPI: ${install}\nthen rebuild the addon: ${rebuildCommand()}`;
}

/** The command that (re)compiles the addon in place. */
function rebuildCommand() {
  return `node ${path.join(__dirname, 'scripts', 'build.js')} --force   (or: npm rebuild @lightning-ts/mpi)`;
}

module.exports = { installHint, rebuildCommand };
