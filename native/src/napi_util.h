// Argument helpers for the kernel bindings: every array is checked for type and size here too (the
// TypeScript wrapper checks first, with friendlier messages), so the addon can never read or write
// outside a caller's buffer.
#pragma once
#include <napi.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace affexion {

inline double num_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

inline int int_arg(const Napi::CallbackInfo& info, size_t i, const char* name, int min_value = 0) {
  double v = num_arg(info, i, name);
  if (!(v >= min_value) || v > 2147483647.0 || v != static_cast<double>(static_cast<long long>(v)))
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer ≥ " + std::to_string(min_value) +
                                                " (got " + std::to_string(v) + ")");
  return static_cast<int>(v);
}

inline bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsBoolean())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

/** Float32Array argument with at least `need` elements; nullptr when null is allowed and passed. */
inline float* f32_arg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t need,
                      bool nullable = false) {
  if (nullable && (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined())) return nullptr;
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
  auto arr = info[i].As<Napi::Float32Array>();
  if (arr.ElementLength() < need)
    throw Napi::RangeError::New(info.Env(), std::string(name) + " has " + std::to_string(arr.ElementLength()) +
                                                " elements, needs " + std::to_string(need));
  return arr.Data();
}

/** Float64Array argument with at least `need` elements. */
inline double* f64_arg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t need) {
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float64Array");
  auto arr = info[i].As<Napi::Float64Array>();
  if (arr.ElementLength() < need)
    throw Napi::RangeError::New(info.Env(), std::string(name) + " has " + std::to_string(arr.ElementLength()) +
                                                " elements, needs " + std::to_string(need));
  return arr.Data();
}

/** Optional Int32Array of B clip lengths, each in [1, T]; nullptr for null. */
inline const int32_t* lengths_arg(const Napi::CallbackInfo& info, size_t i, int B, int T) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), "lengths must be an Int32Array or null");
  auto arr = info[i].As<Napi::Int32Array>();
  if (arr.ElementLength() < static_cast<size_t>(B))
    throw Napi::RangeError::New(info.Env(), "lengths has " + std::to_string(arr.ElementLength()) +
                                                " entries, needs B = " + std::to_string(B));
  const int32_t* p = arr.Data();
  for (int b = 0; b < B; ++b)
    if (p[b] < 1 || p[b] > T)
      throw Napi::RangeError::New(info.Env(), "lengths[" + std::to_string(b) + "] = " + std::to_string(p[b]) +
                                                  " is outside [1, " + std::to_string(T) + "]");
  return p;
}

/** Runs a kernel body, turning C++ exceptions into JS errors. */
template <class F>
inline void guarded(const Napi::CallbackInfo& info, F&& body) {
  try {
    body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

}  // namespace affexion
