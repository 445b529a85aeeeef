# OTPP_SANITIZE=address builds with ASan+UBSan, =thread with TSan. The runtime announces
# its fiber switches to both (src/runtime/fiber.cpp), so they follow processes across stacks.
if(OTPP_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(OTPP_ASAN=1)
elseif(OTPP_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  add_compile_definitions(OTPP_TSAN=1)
elseif(NOT OTPP_SANITIZE STREQUAL "")
  message(FATAL_ERROR "OTPP_SANITIZE must be '', 'address' or 'thread'")
endif()
