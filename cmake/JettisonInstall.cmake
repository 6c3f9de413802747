# `cmake --install build [--prefix P]`: what a user and another project get (README "Install").
#   bin/                       jettison-sim, jettison-trace, the emulator's jettison-*, jettison-report
#   lib/<multiarch>/           the static libraries behind Jettison::sim and Jettison::policy, and the
#                              emulator's QEMU hand-off library (jettison-server finds it as ../lib
#                              beside its bin/, or through --handoff-lib)
#   lib/<multiarch>/cmake/Jettison/  the package config: find_package(Jettison) (cmake/JettisonConfig.cmake.in)
#   include/jettison/          the libraries' headers, as the sources include them ("sim/...", "policy/...",
#                              "common/...", "traces/...")
#   share/jettison/            scenarios/, traces/samples/ and traces/models/ (the scenarios' relative
#                              trace paths hold there) and analysis/ (the report, run by bin/jettison-report)
#   share/man/man1, share/bash-completion/completions   (cmake/JettisonDocs.cmake)
#   share/doc/jettison/        README.md, MODEL.md, FORMAT.md and the other docs
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(JETTISON_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Jettison)
set(JETTISON_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/jettison)
set(JETTISON_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/jettison)

# --- Executables ------------------------------------------------------------------------------------
install(TARGETS ${JETTISON_CLI_EXECUTABLES} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET jettison-uffd-handoff)
  # jettison-server looks for it in <bin>/../lib: plain lib/, not the multiarch libdir.
  install(TARGETS jettison-uffd-handoff LIBRARY DESTINATION lib)
endif()

# --- Libraries and their package config -------------------------------------------------------------
# Jettison::sim and Jettison::policy are what a consumer links; every library of this project that
# they link, directly or not (common, config, traces, ...), comes along, exported under its own name
# (jettison_X -> Jettison::X) so the consumer's link closes. The set is computed from the targets'
# links, so a library a CMakeLists.txt adds to them later is exported without a change here.
# jettison_warnings is linked privately by each of them (only $<LINK_ONLY:...> reaches the export,
# which adds nothing to a consumer's link): exported only because every target they name must be.
set(jettison_exported "")
set(queue jettison_sim jettison_policy)
while(queue)
  list(POP_FRONT queue t)
  if(t IN_LIST jettison_exported)
    continue()
  endif()
  list(APPEND jettison_exported ${t})
  get_target_property(type ${t} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(links ${t} INTERFACE_LINK_LIBRARIES)
  else()
    get_target_property(links ${t} LINK_LIBRARIES)
  endif()
  foreach(l ${links})
    if(TARGET ${l})
      get_target_property(imported ${l} IMPORTED)
      get_target_property(alias ${l} ALIASED_TARGET)
      if(NOT imported AND NOT alias)
        list(APPEND queue ${l})
      endif()
    endif()
  endforeach()
endwhile()
foreach(t ${jettison_exported})
  string(REPLACE "jettison_" "" export_name ${t})
  set_target_properties(${t} PROPERTIES EXPORT_NAME ${export_name})
endforeach()
# The libraries name the source tree as their include folder (target_include_directories(... PUBLIC
# ${PROJECT_SOURCE_DIR})): that holds for the build only; installed, INCLUDES DESTINATION below names
# include/jettison instead. Any include folder in the source or build tree is wrapped here, so a
# folder added later in a CMakeLists.txt needs nothing in this file.
foreach(t ${jettison_exported})
  get_target_property(dirs ${t} INTERFACE_INCLUDE_DIRECTORIES)
  if(dirs)
    set(wrapped "")
    foreach(d ${dirs})
      string(FIND "${d}" "${PROJECT_SOURCE_DIR}" in_source)
      string(FIND "${d}" "${PROJECT_BINARY_DIR}" in_build)
      if((in_source EQUAL 0 OR in_build EQUAL 0) AND NOT d MATCHES "^\\$<BUILD_INTERFACE:")
        set(d "$<BUILD_INTERFACE:${d}>")
      endif()
      list(APPEND wrapped "${d}")
    endforeach()
    set_target_properties(${t} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${wrapped}")
  endif()
endforeach()
install(TARGETS ${jettison_exported} EXPORT JettisonTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${JETTISON_INSTALL_INCLUDEDIR})
install(EXPORT JettisonTargets NAMESPACE Jettison:: DESTINATION ${JETTISON_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/JettisonConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/JettisonConfig.cmake INSTALL_DESTINATION ${JETTISON_INSTALL_CMAKEDIR}
  PATH_VARS JETTISON_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/JettisonConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/JettisonConfig.cmake ${CMAKE_BINARY_DIR}/cmake/JettisonConfigVersion.cmake
  DESTINATION ${JETTISON_INSTALL_CMAKEDIR})

# Headers: every .hpp of the libraries' folders, keeping their paths, but jettison-sim's own (sim/cli/).
function(jettison_install_headers folder)
  cmake_parse_arguments(arg "" "" "EXCLUDE" ${ARGN})
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
       ${PROJECT_SOURCE_DIR}/${folder}/*.hpp)
  foreach(h ${headers})
    set(skip FALSE)
    foreach(x ${arg_EXCLUDE})
      if(h MATCHES "^${x}/")
        set(skip TRUE)
      endif()
    endforeach()
    if(NOT skip)
      get_filename_component(dir ${h} DIRECTORY)
      install(FILES ${PROJECT_SOURCE_DIR}/${h} DESTINATION ${JETTISON_INSTALL_INCLUDEDIR}/${dir})
    endif()
  endforeach()
endfunction()
jettison_install_headers(common)
jettison_install_headers(policy)
jettison_install_headers(traces)
jettison_install_headers(sim EXCLUDE sim/cli)

# --- Data, the report, docs ---------------------------------------------------------------------------
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios DESTINATION ${JETTISON_INSTALL_DATADIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/traces/samples ${PROJECT_SOURCE_DIR}/traces/models
        DESTINATION ${JETTISON_INSTALL_DATADIR}/traces)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/analysis/ DESTINATION ${JETTISON_INSTALL_DATADIR}/analysis
        PATTERN __pycache__ EXCLUDE PATTERN notebooks EXCLUDE PATTERN "*.pyc" EXCLUDE
        PATTERN "*.cpp" EXCLUDE PATTERN "CMakeLists.txt" EXCLUDE)
# bin/jettison-report: runs share/jettison/analysis/jettison_report.py wherever the prefix is.
install(PROGRAMS ${PROJECT_SOURCE_DIR}/cmake/jettison-report DESTINATION ${CMAKE_INSTALL_BINDIR})
# The lab install's examples (README "Two lab machines"): copied to /etc/jettison and
# /etc/systemd/system by the admin, never enabled by the package.
install(FILES ${PROJECT_SOURCE_DIR}/emu/lab/desktop.yaml ${PROJECT_SOURCE_DIR}/emu/lab/server.yaml
              ${PROJECT_SOURCE_DIR}/emu/lab/jettison-desktop.service ${PROJECT_SOURCE_DIR}/emu/lab/jettison-server.service
        DESTINATION ${JETTISON_INSTALL_DATADIR}/lab)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/emu/lab/make-psk.sh ${PROJECT_SOURCE_DIR}/emu/lab/libvirt-uffd-access.sh
        DESTINATION ${JETTISON_INSTALL_DATADIR}/lab)

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/sim/MODEL.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/traces/README.md RENAME TRACES.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/traces/FORMAT.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/analysis/README.md RENAME REPORT.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- Man pages and completions (cmake/JettisonDocs.cmake) ---------------------------------------------
if(JETTISON_MAN_PAGES)  # none without help2man
  install(FILES ${JETTISON_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${JETTISON_COMPLETIONS} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
