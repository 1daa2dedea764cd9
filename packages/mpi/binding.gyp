{
  "targets": [
    {
      "target_name": "lightning_mpi",
      "sources": ["src/addon.cc", "src/comm.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "OMPI_SKIP_MPICXX=1", "MPICH_SKIP_MPICXX=1"],
      "cflags": ["<!@(node scripts/mpi-flags.js cflags)"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "<!@(node scripts/mpi-flags.js cflags)"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["<!@(node scripts/mpi-flags.js libs)"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["<!@(node scripts/mpi-flags.js cflags)"],
        "OTHER_LDFLAGS": ["<!@(node scripts/mpi-flags.js libs)"]
      }
    }
  ]
}
