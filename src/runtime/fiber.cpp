// fcontext switches with sanitizer announcements and exception-state swapping.

#include "fiber.hpp"

#include <cxxabi.h>

#include <boost/context/detail/fcontext.hpp>
#include <cstdlib>
#include <utility>

#include "lane.hpp"

#if defined(OTPP_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(OTPP_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace ctx = boost::context::detail;

namespace otp::detail {
namespace {

// Layout of the Itanium C++ ABI's per-thread exception globals.
struct eh_globals {
  void* caught;
  unsigned int uncaught;
};

// Called only from resume(), which runs on a thread's own stack (never migrates), so the
// per-thread pointer can be cached.
eh_globals* thread_eh() noexcept {
  thread_local eh_globals* g = reinterpret_cast<eh_globals*>(abi::__cxa_get_globals());
  return g;
}

// Swaps this thread's exception state with the process's saved one (symmetric: called
// before switching in and after switching out).
void swap_eh(process* p) noexcept {
  eh_globals* g = thread_eh();
  std::swap(g->caught, p->eh_caught);
  std::swap(g->uncaught, p->eh_uncaught);
}

void entry(ctx::transfer_t t) noexcept {
  auto* p = static_cast<process*>(t.data);
  p->resumer = t.fctx;
#if defined(OTPP_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, &p->resumer_stack_bottom, &p->resumer_stack_size);
#endif
  process_main(p);  // ends with final_switch
  std::abort();
}

}  // namespace

void prepare_fresh(process* p, lane& l) {
  p->home = &l;
  p->fctx = ctx::make_fcontext(l.top(), l.size, &entry);
#if defined(OTPP_TSAN)
  p->tsan_fiber = __tsan_create_fiber(0);
#endif
}

switch_action resume(process* p) {
  swap_eh(p);
#if defined(OTPP_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, p->home->base, p->home->size);
#endif
#if defined(OTPP_TSAN)
  p->resumer_tsan_fiber = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(p->tsan_fiber, 0);
#endif
  ctx::transfer_t t = ctx::jump_fcontext(p->fctx, p);
#if defined(OTPP_ASAN)
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  auto* back = static_cast<process*>(t.data);
  back->fctx = t.fctx;
  swap_eh(back);
  return back->action;
}

void suspend(process* p, switch_action a) {
  p->action = a;
#if defined(OTPP_ASAN)
  __sanitizer_start_switch_fiber(&p->asan_fake_stack, p->resumer_stack_bottom,
                                 p->resumer_stack_size);
#endif
#if defined(OTPP_TSAN)
  __tsan_switch_to_fiber(p->resumer_tsan_fiber, 0);
#endif
  ctx::transfer_t t = ctx::jump_fcontext(p->resumer, p);
  p->resumer = t.fctx;
#if defined(OTPP_ASAN)
  __sanitizer_finish_switch_fiber(p->asan_fake_stack, &p->resumer_stack_bottom,
                                  &p->resumer_stack_size);
#endif
}

void final_switch(process* p, switch_action a) {
  p->action = a;
#if defined(OTPP_ASAN)
  // nullptr: this fiber's fake stack (if any) can be freed.
  __sanitizer_start_switch_fiber(nullptr, p->resumer_stack_bottom, p->resumer_stack_size);
#endif
#if defined(OTPP_TSAN)
  __tsan_switch_to_fiber(p->resumer_tsan_fiber, 0);
#endif
  ctx::jump_fcontext(p->resumer, p);
  std::abort();  // this stack is never resumed
}

void release_fiber([[maybe_unused]] process* p) {
#if defined(OTPP_TSAN)
  if (p->tsan_fiber) __tsan_destroy_fiber(p->tsan_fiber);
  p->tsan_fiber = nullptr;
#endif
}

}  // namespace otp::detail
