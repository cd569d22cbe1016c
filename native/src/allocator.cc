// tuneAllocator(mmapThresholdBytes, trimThresholdBytes): glibc malloc settings under which freed
// memory is kept and reused rather than handed back to the kernel (src/engine/allocator.ts says why).
// Returns false where there is nothing to tune (not glibc).
#include <napi.h>
#include "registry.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

Napi::Value TuneAllocator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "tuneAllocator(mmapThresholdBytes, trimThresholdBytes)");
  }
#if defined(__GLIBC__)
  const int mmapThreshold = info[0].As<Napi::Number>().Int32Value();
  const int trimThreshold = info[1].As<Napi::Number>().Int32Value();
  // mallopt returns 1 on success; glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit.
  const bool ok = mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1;
  return Napi::Boolean::New(env, ok);
#else
  return Napi::Boolean::New(env, false);
#endif
}

affexion::Registrar reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("tuneAllocator", Napi::Function::New(env, TuneAllocator));
});

}  // namespace
