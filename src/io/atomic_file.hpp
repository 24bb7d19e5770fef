// Files written all at once: to a temporary name beside the target, flushed, synced and renamed,
// so that a crash or a full disk never leaves a half-written file under the final name.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>

namespace kbeta::io {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::span<const std::byte> bytes);
  void write(const std::string& text);
  // Flushes, syncs and renames onto the target. Throws kbeta::Error on failure.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  std::FILE* file_ = nullptr;
  std::size_t written_ = 0;
};

// Reads a whole file; throws kbeta::Error naming the path on failure.
std::string read_file(const std::filesystem::path& path);

}  // namespace kbeta::io
