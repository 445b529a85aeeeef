#pragma once
// Clang thread-safety annotations (checked with -Wthread-safety in clang builds).
// GUARDED_BY(mu) on a field means: read or write it only while holding mu.

#if defined(__clang__)
#define OTPP_TSA(x) __attribute__((x))
#else
#define OTPP_TSA(x)
#endif

#define OTPP_CAPABILITY(x) OTPP_TSA(capability(x))
#define OTPP_GUARDED_BY(x) OTPP_TSA(guarded_by(x))
#define OTPP_PT_GUARDED_BY(x) OTPP_TSA(pt_guarded_by(x))
#define OTPP_REQUIRES(...) OTPP_TSA(requires_capability(__VA_ARGS__))
#define OTPP_ACQUIRE(...) OTPP_TSA(acquire_capability(__VA_ARGS__))
#define OTPP_RELEASE(...) OTPP_TSA(release_capability(__VA_ARGS__))
#define OTPP_TRY_ACQUIRE(...) OTPP_TSA(try_acquire_capability(__VA_ARGS__))
#define OTPP_EXCLUDES(...) OTPP_TSA(locks_excluded(__VA_ARGS__))
#define OTPP_SCOPED_CAPABILITY OTPP_TSA(scoped_lockable)
#define OTPP_NO_THREAD_SAFETY_ANALYSIS OTPP_TSA(no_thread_safety_analysis)
