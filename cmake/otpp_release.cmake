# Building otpp applications and releases (docs/releases.md).
#
#   otpp_application(NAME kv_store APP_FILE kv_store.app SOURCES kv_store.cpp ...)
#     An application: its descriptor (Erlang .app syntax) and, with SOURCES, its code as a
#     shared object the release's runtime loads at boot. Without SOURCES it is a library
#     application (a descriptor only). LIBRARIES: more libraries the code links to.
#
#   otpp_release(NAME kvdemo VERSION 1.0.0 APPLICATIONS kv_store kv_tcp
#                SYS_CONFIG config/sys.config VM_ARGS config/vm.args)
#     Target NAME_release assembles build/<preset>/releases/NAME/ (bin/NAME, releases/VSN/,
#     lib/, otpp-VSN/ with the runtime and the shared libraries it needs) and the tarball
#     build/<preset>/releases/NAME-VSN.tar.gz. kernel is always in a release.

# What application code compiles against: otpp's headers and the libraries they use. The
# code is not linked with otpp itself: it binds to the runtime program's copy when loaded.
if(NOT TARGET otpp_application_api)
  add_library(otpp_application_api INTERFACE)
  target_include_directories(otpp_application_api INTERFACE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(otpp_application_api INTERFACE fmt::fmt Threads::Threads)
endif()

function(otpp_application)
  cmake_parse_arguments(A "" "NAME;APP_FILE" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT A_NAME OR NOT A_APP_FILE)
    message(FATAL_ERROR "otpp_application needs NAME and APP_FILE")
  endif()
  get_filename_component(app_file ${A_APP_FILE} ABSOLUTE)
  if(A_SOURCES)
    add_library(${A_NAME} MODULE ${A_SOURCES})
    target_link_libraries(${A_NAME} PRIVATE otpp_application_api otpp_warnings ${A_LIBRARIES})
    set_target_properties(${A_NAME} PROPERTIES PREFIX "" OUTPUT_NAME ${A_NAME}
      OTPP_APP_FILE ${app_file} OTPP_APP_HAS_CODE ON)
  else()
    add_custom_target(${A_NAME})
    set_target_properties(${A_NAME} PROPERTIES OTPP_APP_FILE ${app_file} OTPP_APP_HAS_CODE OFF)
  endif()
endfunction()

function(otpp_release)
  cmake_parse_arguments(R "" "NAME;VERSION;SYS_CONFIG;VM_ARGS" "APPLICATIONS" ${ARGN})
  foreach(required NAME VERSION SYS_CONFIG VM_ARGS)
    if(NOT R_${required})
      message(FATAL_ERROR "otpp_release needs ${required}")
    endif()
  endforeach()
  get_filename_component(sys_config ${R_SYS_CONFIG} ABSOLUTE)
  get_filename_component(vm_args ${R_VM_ARGS} ABSOLUTE)
  get_filename_component(config_dir ${sys_config} DIRECTORY)
  file(GLOB config_files CONFIGURE_DEPENDS ${config_dir}/*.config)
  set(out ${CMAKE_BINARY_DIR}/releases/${R_NAME})
  set(tarball ${CMAKE_BINARY_DIR}/releases/${R_NAME}-${R_VERSION}.tar.gz)
  set(app_args)
  set(app_deps)
  foreach(app IN LISTS R_APPLICATIONS)
    get_target_property(app_file ${app} OTPP_APP_FILE)
    get_target_property(has_code ${app} OTPP_APP_HAS_CODE)
    if(has_code)
      list(APPEND app_args --app "${app}=${app_file}=$<TARGET_FILE:${app}>")
    else()
      list(APPEND app_args --app "${app}=${app_file}")
    endif()
    list(APPEND app_deps ${app} ${app_file})
  endforeach()
  set(script ${PROJECT_SOURCE_DIR}/tools/release/bin_script.sh.in)
  add_custom_command(
    OUTPUT ${tarball}
    COMMAND otpp_relgen --out ${out} --name ${R_NAME} --version ${R_VERSION}
            --runtime $<TARGET_FILE:otpp_node> --runtime-version ${PROJECT_VERSION}
            --script ${script} --sys-config ${sys_config} --vm-args ${vm_args}
            --tarball ${tarball} ${app_args}
    DEPENDS otpp_relgen otpp_node ${app_deps} ${config_files} ${vm_args} ${script}
    COMMENT "Assembling release ${R_NAME} ${R_VERSION}"
    VERBATIM)
  add_custom_target(${R_NAME}_release ALL DEPENDS ${tarball})
  set_target_properties(${R_NAME}_release PROPERTIES OTPP_RELEASE_DIR ${out}
    OTPP_RELEASE_TARBALL ${tarball})
endfunction()
