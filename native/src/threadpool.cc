#include "threadpool.h"

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "registry.h"

namespace affexion {
namespace {

thread_local bool tl_in_region = false;
thread_local int tl_thread = 0;

// AFFEXION_THREADS as a count in [1, 1024]; 0 when unset; −1 when set but not such a number.
int threads_env() {
  const char* env = std::getenv("AFFEXION_THREADS");
  if (!env || !*env) return 0;
  char* end = nullptr;
  long v = std::strtol(env, &end, 10);
  return (*end == '\0' && v >= 1 && v <= 1024) ? static_cast<int>(v) : -1;
}

int threads_from_env() {
  const int v = threads_env();
  if (v > 0) return v;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

class Pool {
 public:
  explicit Pool(int n) : n_(n) {
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i] { worker(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      ++generation_;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return n_; }

  void run(int n_tasks, const std::function<void(int, int)>& fn) {
    if (n_tasks <= 0) return;
    if (n_ == 1 || n_tasks == 1 || tl_in_region) {
      bool was = tl_in_region;
      tl_in_region = true;
      for (int t = 0; t < n_tasks; ++t) fn(t, tl_thread);
      tl_in_region = was;
      return;
    }
    std::lock_guard<std::mutex> serial(run_mu_);  // one parallel region at a time
    fn_ = &fn;
    n_tasks_ = n_tasks;
    pending_.store(n_ - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    tl_in_region = true;
    tl_thread = 0;
    chunk(0);
    tl_in_region = false;
    // Spin briefly (workers usually finish within microseconds of us), then yield the CPU.
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
      if (spin > 4000) std::this_thread::yield();
    }
    fn_ = nullptr;
  }

 private:
  void chunk(int thread) {
    long lo = static_cast<long>(n_tasks_) * thread / n_;
    long hi = static_cast<long>(n_tasks_) * (thread + 1) / n_;
    for (long t = lo; t < hi; ++t) (*fn_)(static_cast<int>(t), thread);
  }

  void worker(int index) {
    tl_thread = index;
    unsigned long seen = 0;
    for (;;) {
      // Spin a little (≈0.1 ms) before sleeping: kernels issue parallel regions back to back, but a long
      // spin would steal CPU from other programs on a busy machine.
      int spin = 0;
      while (generation_.load(std::memory_order_acquire) == seen && spin < 4000) {
        ++spin;
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
      }
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      seen = generation_.load(std::memory_order_acquire);
      if (stop_) return;
      tl_in_region = true;
      chunk(index);
      tl_in_region = false;
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::mutex mu_, run_mu_;
  std::condition_variable cv_;
  std::atomic<unsigned long> generation_{0};
  std::atomic<int> pending_{0};
  bool stop_ = false;
  const std::function<void(int, int)>* fn_ = nullptr;
  int n_tasks_ = 0;
};

Pool& pool() {
  // Leaked on purpose: joining threads from a static destructor at process exit can deadlock.
  static Pool* p = new Pool(threads_from_env());
  return *p;
}

}  // namespace

int pool_threads() { return pool().size(); }
void parallel_for(int n_tasks, const std::function<void(int, int)>& fn) { pool().run(n_tasks, fn); }
bool in_parallel_region() { return tl_in_region; }
int current_thread() { return tl_thread; }

static Registrar reg([](Napi::Env env, Napi::Object exports) {
  if (threads_env() < 0)
    throw Napi::Error::New(env, std::string("AFFEXION_THREADS=") + std::getenv("AFFEXION_THREADS") +
                                    ": expected a whole number of threads from 1 to 1024");
  exports.Set("threads", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), pool_threads());
  }));
});

}  // namespace affexion
