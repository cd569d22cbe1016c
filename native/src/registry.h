// Each native source file registers its functions with a static Registrar, so files can be added
// without editing a central list:   static Registrar reg("gemm", [](Napi::Env env, Napi::Object exports) {...});
#pragma once
#include <napi.h>
#include <functional>
#include <vector>

namespace affexion {

using RegisterFn = std::function<void(Napi::Env, Napi::Object)>;

inline std::vector<RegisterFn>& registry() {
  static std::vector<RegisterFn> fns;
  return fns;
}

struct Registrar {
  explicit Registrar(RegisterFn fn) { registry().push_back(std::move(fn)); }
};

}  // namespace affexion
