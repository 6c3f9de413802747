# Man pages and bash completions of every executable a user gets (jettison-sim, jettison-trace and the
# emulator's jettison-*), generated at build time from each one's --help, --version and its
# subcommands' --help by cmake/cli_reference.py (help2man writes the man pages). Outputs:
# build/share/man/man1/NAME.1 and build/share/bash-completion/completions/NAME, installed by
# cmake/JettisonInstall.cmake. Target: jettison_cli_docs (part of `all`).

# The executables of these folders (benchmarks are not installed, so they get neither).
set(JETTISON_CLI_EXECUTABLES "")
foreach(dir sim traces emu)
  get_property(dir_targets DIRECTORY ${PROJECT_SOURCE_DIR}/${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${dir_targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      list(APPEND JETTISON_CLI_EXECUTABLES ${t})
    endif()
  endforeach()
endforeach()

# Any python3 does (the script uses the standard library only); Debian's first.
find_program(JETTISON_DOCS_PYTHON3 NAMES python3 HINTS /usr/bin NO_DEFAULT_PATH)
if(NOT JETTISON_DOCS_PYTHON3)
  find_program(JETTISON_DOCS_PYTHON3 python3 REQUIRED)
endif()
find_program(JETTISON_HELP2MAN help2man)
if(NOT JETTISON_HELP2MAN)
  message(WARNING "help2man not found (Debian: help2man, installed by scripts/lib/deps.sh): no man pages")
endif()

set(JETTISON_MAN_DIR ${CMAKE_BINARY_DIR}/share/man/man1)
set(JETTISON_COMPLETION_DIR ${CMAKE_BINARY_DIR}/share/bash-completion/completions)
file(MAKE_DIRECTORY ${JETTISON_MAN_DIR} ${JETTISON_COMPLETION_DIR})
set(JETTISON_MAN_PAGES "")
set(JETTISON_COMPLETIONS "")
foreach(exe ${JETTISON_CLI_EXECUTABLES})
  set(completion ${JETTISON_COMPLETION_DIR}/${exe})
  set(outputs ${completion})
  set(man_args "")
  if(JETTISON_HELP2MAN)
    set(man ${JETTISON_MAN_DIR}/${exe}.1)
    list(APPEND outputs ${man})
    list(APPEND JETTISON_MAN_PAGES ${man})
    set(man_args --man ${man} --help2man ${JETTISON_HELP2MAN})
  endif()
  list(APPEND JETTISON_COMPLETIONS ${completion})
  add_custom_command(OUTPUT ${outputs}
    # In a sanitized build (scripts/sanitize.sh) a leak report at exit would fail the --help run: the
    # help text is what is wanted here, not the leak check.
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
            ${JETTISON_DOCS_PYTHON3} ${PROJECT_SOURCE_DIR}/cmake/cli_reference.py $<TARGET_FILE:${exe}>
            --name ${exe} --completion ${completion} ${man_args}
    DEPENDS ${exe} ${PROJECT_SOURCE_DIR}/cmake/cli_reference.py
    COMMENT "Man page and bash completion of ${exe}" VERBATIM)
endforeach()
add_custom_target(jettison_cli_docs ALL DEPENDS ${JETTISON_MAN_PAGES} ${JETTISON_COMPLETIONS})
