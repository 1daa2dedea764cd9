{
  "targets": [
    {
      "target_name": "lightning_native",
      "sources": [
        "csrc/addon.cc",
        "csrc/gemm.cc",
        "csrc/conv.cc",
        "csrc/elementwise.cc",
        "csrc/reduce.cc",
        "csrc/pool.cc",
        "csrc/optim.cc",
        "csrc/layout.cc"
      ],
      "include_dirs": ["<!@(node scripts/detect.cjs include)"],
      "libraries": ["<!@(node scripts/detect.cjs libs)"],
      "defines": ["NAPI_VERSION=8", "<!@(node scripts/detect.cjs defines)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-ffp-contract=off", "-fno-math-errno", "<!@(node scripts/detect.cjs cflags)"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off", "-fno-math-errno"]
      }
    }
  ]
}
