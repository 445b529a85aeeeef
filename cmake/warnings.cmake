# Warnings every otpp target gets; CI builds turn them into errors (OTPP_WERROR).
add_library(otpp_warnings INTERFACE)
target_compile_options(otpp_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 at -O2 reports -Wrestrict falsely for "literal" + std::string (GCC bug 105651).
  target_compile_options(otpp_warnings INTERFACE -Wno-restrict)
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Checks GUARDED_BY / REQUIRES annotations (include/otp/detail/thread_annotations.hpp).
  target_compile_options(otpp_warnings INTERFACE -Wthread-safety)
endif()
if(OTPP_WERROR)
  target_compile_options(otpp_warnings INTERFACE -Werror)
endif()
