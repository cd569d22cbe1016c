// Entry point of the native compute core (Node-API). Every source file in native/src registers its own
// functions through affexion::Registrar (registry.h); binding.gyp compiles every native/src/*.cc.
#include <napi.h>
#include "registry.h"

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), "0.1.0");
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version));
  for (auto& fn : affexion::registry()) fn(env, exports);
  return exports;
}

NODE_API_MODULE(affexion_native, Init)
