# Install rules, the Debian package (CPack) and the tests of both.
#
# Layout under the prefix:
#   bin/kbeta-heat2d
#   share/kbeta-heat2d/configs/*.yml     the packaged presets
#   share/doc/kbeta-heat2d/              README.md, LICENSE, CITATION.cff, docs/*.md
# The folders are spelled out rather than taken from GNUInstallDirs: the program looks for its
# presets in ${CMAKE_INSTALL_PREFIX}/share/kbeta-heat2d/configs (compiled in by the top-level
# CMakeLists.txt) and in <exe>/../share/kbeta-heat2d/configs, so both must hold whatever the cache
# says about bindir or datadir.

install(TARGETS kbeta-heat2d RUNTIME DESTINATION bin)

if(IS_DIRECTORY "${PROJECT_SOURCE_DIR}/configs")
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/configs/"
    DESTINATION share/kbeta-heat2d/configs
    FILES_MATCHING PATTERN "*.yml")
endif()

set(KBETA_DOC_DIR share/doc/kbeta-heat2d)
foreach(doc README.md LICENSE CITATION.cff)
  if(EXISTS "${PROJECT_SOURCE_DIR}/${doc}")
    install(FILES "${PROJECT_SOURCE_DIR}/${doc}" DESTINATION ${KBETA_DOC_DIR})
  endif()
endforeach()
if(IS_DIRECTORY "${PROJECT_SOURCE_DIR}/docs")
  # Installed as docs/ beside README.md so that the README's relative links keep working.
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION ${KBETA_DOC_DIR}/docs)
endif()

# The executable's INSTALL_RPATH (set next to the target) points at the OpenMP build of OpenBLAS,
# /usr/lib/<multiarch>/openblas-openmp; `cmake --install` writes it into the installed binary.

# ---------------------------------------------------------------------------------------------
# Debian package: scripts/package.sh configures a build with CMAKE_INSTALL_PREFIX=/usr and runs
# `cpack -G DEB` in it.

set(KBETA_PACKAGE_MAINTAINER "kbeta-transformer2d C++ authors"
  CACHE STRING "Maintainer field of the Debian package (\"Name <email>\")")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "kbeta-heat2d")
set(CPACK_PACKAGE_VENDOR "kbeta-transformer2d C++ authors")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${KBETA_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Transformer surrogate of 2-D heat diffusion trained with Adam or Kourkoutas-beta")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_STRIP_FILES ON)
# The package installs where the program was told at compile time that its presets live.
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${KBETA_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "Transformer surrogate of 2-D heat diffusion trained with Adam or Kourkoutas-beta
 kbeta-heat2d generates 2-D heat-diffusion trajectories with an explicit finite-difference
 solver, trains a Transformer to reproduce them with Adam (beta2 = 0.95 or 0.999) or the
 Kourkoutas-beta optimiser (arXiv:2508.12996), evaluates it and writes checkpoints,
 metrics and plots. It is a C++ implementation of the workload of the Python/MLX
 kbeta-transformer2d project, running on CPUs with OpenBLAS and OpenMP.")
# dpkg-shlibdeps maps the linked libraries to their packages (libyaml-cpp0.7, libfmt9, libgomp1,
# libstdc++6, libc6, libgcc-s1). For OpenBLAS it names the libopenblas0 metapackage, which any of
# the three OpenBLAS builds satisfies, but the binary's RPATH needs the OpenMP build itself.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp")
find_program(KBETA_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(KBETA_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # Without dpkg-dev the list is written by hand for Debian 12 (bookworm).
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libopenblas0-openmp, libyaml-cpp0.7, libfmt9, libgomp1, libstdc++6 (>= 12), libgcc-s1, libc6")
endif()
# Plots are drawn by gnuplot; without it the program still trains and warns.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox")

set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git" "/build/" "/runs/")

include(CPack)

# ---------------------------------------------------------------------------------------------
# Tests of the install tree and the package (ctest label "package"). The .deb test rebuilds the
# program from a copy of the sources, so it also carries the label "slow", which the default
# test presets skip; run it with `ctest --test-dir build/release -L package`.

if(KBETA_BUILD_TESTS)
  add_test(NAME package.install_tree
    COMMAND bash "${PROJECT_SOURCE_DIR}/tests/packaging/install_tree_test.sh"
            "${PROJECT_BINARY_DIR}" "${PROJECT_VERSION}")
  set_tests_properties(package.install_tree PROPERTIES
    LABELS "package" TIMEOUT 120)

  add_test(NAME package.deb_slow
    COMMAND bash "${PROJECT_SOURCE_DIR}/tests/packaging/deb_package_test.sh"
            "${PROJECT_SOURCE_DIR}" "${PROJECT_BINARY_DIR}" "${PROJECT_VERSION}")
  set_tests_properties(package.deb_slow PROPERTIES
    LABELS "package;slow" TIMEOUT 1800 RUN_SERIAL TRUE)
endif()
