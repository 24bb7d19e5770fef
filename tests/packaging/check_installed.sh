# Shared checks of an installed kbeta-heat2d tree, sourced by the packaging tests.
# Each check prints what failed and returns non-zero.

fail() {
  echo "FAIL: $*" >&2
  return 1
}

# Checks the files that `cmake --install` or the package put under PREFIX.
check_layout() {
  local prefix=$1
  [[ -x "$prefix/bin/kbeta-heat2d" ]] || fail "$prefix/bin/kbeta-heat2d is missing or not executable" || return
  local doc
  for doc in README.md LICENSE CITATION.cff docs/development.md; do
    [[ -f "$prefix/share/doc/kbeta-heat2d/$doc" ]] || fail "$prefix/share/doc/kbeta-heat2d/$doc is missing" || return
  done
  if [[ -d "$source_dir/configs" ]]; then
    local preset
    for preset in "$source_dir"/configs/*.yml; do
      [[ -f "$prefix/share/kbeta-heat2d/configs/$(basename "$preset")" ]] ||
        fail "preset $(basename "$preset") is not installed under $prefix/share/kbeta-heat2d/configs" || return
    done
  fi
}

# Checks that the installed binary loads the OpenMP build of OpenBLAS through its RPATH/RUNPATH.
check_openblas_runpath() {
  local program=$1
  local runpath
  runpath=$(readelf -d "$program" | sed -n 's/.*(\(RPATH\|RUNPATH\)).*\[\(.*\)\]/\2/p')
  [[ "$runpath" == *openblas-openmp* ]] ||
    fail "$program has RPATH/RUNPATH '$runpath', expected the openblas-openmp folder" || return
  if ! readelf -d "$program" | grep -q 'Shared library: \[libopenblas\.so\.0\]'; then
    echo "note: $program does not link libopenblas.so.0, so only its RPATH/RUNPATH was checked"
    return 0
  fi
  local resolved
  resolved=$(env -u LD_LIBRARY_PATH ldd "$program" | awk '$1 == "libopenblas.so.0" {print $3}')
  [[ "$resolved" == */openblas-openmp/* ]] ||
    fail "$program resolves libopenblas.so.0 to '$resolved', expected the openblas-openmp build" || return
}

# Prints the Debian package that ships each shared library PROGRAM loads directly (NEEDED).
needed_packages() {
  local program=$1
  local library path package
  for library in $(readelf -d "$program" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
    path=$(env -u LD_LIBRARY_PATH ldd "$program" | awk -v lib="$library" '$1 == lib {print $3}')
    [[ -n "$path" ]] || fail "$program needs $library, which the loader does not find" || return
    # Debian 12 registers some libraries under /lib and others under /usr/lib (merged /usr).
    package=$(dpkg-query --search "$path" 2>/dev/null || dpkg-query --search "$(realpath "$path")" 2>/dev/null ||
      dpkg-query --search "${path#/usr}" 2>/dev/null || dpkg-query --search "/usr$path" 2>/dev/null) ||
      fail "no installed package ships $path (needed by $program)" || return
    echo "${package%%:*}"
  done
}

# Runs `--version` and `config heat2d` with the installed program. The working folder is a scratch
# folder, so a preset can only come from the installed tree or the compiled-in folders.
check_program_runs() {
  local program=$1 version=$2 workdir=$3
  local output
  output=$(cd "$workdir" && "$program" --version 2>&1) || fail "'$program --version' exited with $?: $output" || return
  [[ "$output" == *"$version"* ]] || fail "'$program --version' printed '$output', expected the version $version" || return
  # Programs that report OpenBLAS's threading must report the OpenMP build, which the RPATH selects.
  if [[ "$output" == *"threading:"* && "$output" != *"threading: OpenMP"* ]]; then
    fail "'$program --version' reports an OpenBLAS build other than OpenMP: $output" || return
  fi
  echo "ok: --version printed '$output'"

  output=$(cd "$workdir" && "$program" config heat2d 2>&1) || fail "'$program config heat2d' exited with $?: $output" || return
  # The resolved configuration is YAML whose sections are the reference's (model_params, ...).
  grep -q '^model_params:' <<<"$output" ||
    fail "'$program config heat2d' printed no 'model_params:' section: $(head -c 400 <<<"$output")" || return
  echo "ok: config heat2d printed $(wc -l <<<"$output") lines of YAML"
}
