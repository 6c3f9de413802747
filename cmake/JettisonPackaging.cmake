# `cpack -G DEB` in build/ (or `cmake --build build --target package`): jettison_VERSION_amd64.deb of
# everything cmake/JettisonInstall.cmake installs, under /usr. Its Depends come from dpkg-shlibdeps
# (the shared libraries the executables link: yaml-cpp, fmt, zstd, Open MPI, OpenSSL...) plus what the
# scripts and the installed package config need that no binary links: Debian's python3 with matplotlib,
# pandas and yaml for jettison-report (Recommends, as the simulator runs without them).
# Tested by tests/packaging/deb_in_fresh_root.sh (a fresh Debian 12 root, apt installs the .deb).
set(CPACK_GENERATOR DEB)
# cpack (and the install target) package what is built and do not build `all` first (one -j1 build of
# every test binary before packaging, otherwise): build, then package.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_PACKAGE_NAME jettison)
set(CPACK_PACKAGE_VENDOR "Jettison")
set(CPACK_PACKAGE_CONTACT "Jettison developers <jettison@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Testbed for energy-oriented partial VM migration of idle desktops (simulator, emulator, report)")
set(CPACK_PACKAGE_DESCRIPTION
    "jettison-sim simulates idle desktops that sleep, fully or partially migrate to consolidation servers,
and reports energy and latency; jettison-trace makes and inspects traces; the emulator (jettison-server,
jettison-desktop, ...) migrates real QEMU VMs. Also: the static libraries and headers of the simulator
and the policies with a CMake package config (find_package(Jettison)), scenarios, sample traces, man
pages and bash completion.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# openssl: the lab install's make-psk.sh draws the pre-shared key with `openssl rand`.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, python3-matplotlib, python3-pandas, python3-yaml, openssl")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qemu-system-x86, libyaml-cpp-dev, libfmt-dev, nlohmann-json3-dev, libboost-dev, libzstd-dev, zlib1g-dev, cmake")
set(CPACK_STRIP_FILES ON)  # executables and the hand-off library; static libraries are never stripped
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
include(CPack)
