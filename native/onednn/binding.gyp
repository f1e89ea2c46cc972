{
  "targets": [
    {
      "target_name": "ffr_onednn",
      "sources": ["src/addon.cc", "src/common.cc", "src/convolution.cc", "src/batch_norm.cc", "src/pooling.cc", "src/matmul.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp"],
      "libraries": ["-ldnnl"],
      "conditions": [
        ["OS=='linux'", {
          "ldflags": ["-fopenmp"]
        }],
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/include", "/usr/local/include"],
          "libraries": ["-L/opt/homebrew/lib", "-L/usr/local/lib", "-Wl,-rpath,/opt/homebrew/lib", "-Wl,-rpath,/usr/local/lib"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "OTHER_CPLUSPLUSFLAGS": ["-O3"]
          }
        }],
        ["OS=='win'", {
          "include_dirs": ["<!(node -p \"(process.env.DNNL_ROOT||'C:/Program Files/oneDNN')+'/include'\")"],
          "libraries": ["<!(node -p \"(process.env.DNNL_ROOT||'C:/Program Files/oneDNN')+'/lib/dnnl.lib'\")"],
          "libraries!": ["-ldnnl"],
          "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/openmp"] } }
        }]
      ]
    }
  ]
}
