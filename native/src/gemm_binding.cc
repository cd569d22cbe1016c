// JS bindings of the GEMM and of the ISA selection.
#include <napi.h>

#include <exception>

#include "gemm.h"
#include "napi_util.h"
#include "registry.h"

namespace affexion {
namespace {

// gemm(transA, transB, M, N, K, alpha, A, B, beta, C)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const bool ta = bool_arg(info, 0, "transA"), tb = bool_arg(info, 1, "transB");
  const int M = int_arg(info, 2, "M"), N = int_arg(info, 3, "N"), K = int_arg(info, 4, "K");
  const float alpha = static_cast<float>(num_arg(info, 5, "alpha"));
  const float* A = f32_arg(info, 6, "A", static_cast<size_t>(M) * K);
  const float* B = f32_arg(info, 7, "B", static_cast<size_t>(K) * N);
  const float beta = static_cast<float>(num_arg(info, 8, "beta"));
  float* C = f32_arg(info, 9, "C", static_cast<size_t>(M) * N);
  guarded(info, [&] { sgemm(ta, tb, M, N, K, alpha, A, ta ? M : K, B, tb ? K : N, beta, C, N); });
  return info.Env().Undefined();
}

Napi::Value GetIsa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), isa_name(active_isa())); }

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setIsa takes a string");
  guarded(info, [&] { set_isa(parse_isa(info[0].As<Napi::String>().Utf8Value())); });
  return info.Env().Undefined();
}

Registrar reg([](Napi::Env env, Napi::Object exports) {
  // Resolve AFFEXION_ISA now, so a bad value fails the addon's loading with a clear message.
  try {
    (void)active_isa();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("isa", Napi::Function::New(env, GetIsa));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
});

}  // namespace
}  // namespace affexion
