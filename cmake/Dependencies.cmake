# Third-party libraries, all from Debian 12 packages (scripts/setup.sh installs them).

find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)

# OpenBLAS: the OpenMP build. Its pthread build runs its own thread pool, which competes with
# the program's OpenMP threads; the binaries carry an RPATH to the OpenMP build's folder so that
# the loader picks it whatever the system-wide alternative says.
find_path(KBETA_OPENBLAS_INCLUDE cblas.h
  PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp
  NO_DEFAULT_PATH REQUIRED)
find_library(KBETA_OPENBLAS_LIBRARY openblas
  PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp
  NO_DEFAULT_PATH REQUIRED)
get_filename_component(KBETA_OPENBLAS_LIBDIR "${KBETA_OPENBLAS_LIBRARY}" DIRECTORY)
add_library(kbeta::openblas INTERFACE IMPORTED)
target_include_directories(kbeta::openblas SYSTEM INTERFACE "${KBETA_OPENBLAS_INCLUDE}")
target_link_libraries(kbeta::openblas INTERFACE "${KBETA_OPENBLAS_LIBRARY}")
