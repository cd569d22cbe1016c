{
  "targets": [
    {
      "target_name": "affexion_native",
      "sources": [ "<!@(node -p \"require('fs').readdirSync('native/src').filter(f => f.endsWith('.cc')).sort().map(f => 'native/src/' + f).join(' ')\")" ],
      "include_dirs": [ "<!(node -p \"require('node-addon-api').include_dir\")" ],
      "defines": [ "NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS" ],
      "cflags!": [ "-fno-exceptions", "-O2" ],
      "cflags_cc!": [ "-fno-exceptions", "-fno-rtti", "-O2" ],
      "cflags_cc": [ "-std=c++17", "-O3", "-fexceptions", "-fno-math-errno", "-pthread", "-Wno-psabi" ],
      "ldflags": [ "-pthread" ]
    }
  ]
}
