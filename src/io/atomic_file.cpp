#include "io/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::io {

namespace {

std::string errno_text(int code = errno) {
  return std::generic_category().message(code);
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  temporary_ = target_;
  temporary_ += fmt::format(".tmp.{}", ::getpid());
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (file_ == nullptr) {
    throw Error(fmt::format("cannot create {}: {}", temporary_.string(), errno_text()));
  }
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) {
    static_cast<void>(std::fclose(file_));  // the temporary file is discarded either way
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  KBETA_CHECK(file_ != nullptr);
  if (bytes.empty()) {
    return;
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw Error(fmt::format("failed to write {} bytes at offset {} of {}: {}", bytes.size(), written_,
                            temporary_.string(), errno_text()));
  }
  written_ += bytes.size();
}

void AtomicFile::write(const std::string& text) {
  write(std::as_bytes(std::span(text.data(), text.size())));
}

void AtomicFile::commit() {
  KBETA_CHECK(file_ != nullptr);
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int flush_errno = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) {
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
    throw Error(fmt::format("failed to flush {} ({} bytes): {}", temporary_.string(), written_,
                            errno_text(flushed ? errno : flush_errno)));
  }
  std::error_code ec;
  std::filesystem::rename(temporary_, target_, ec);
  if (ec) {
    std::filesystem::remove(temporary_, ec);
    throw Error(
        fmt::format("failed to rename {} to {}: {}", temporary_.string(), target_.string(), ec.message()));
  }
}

std::string read_file(const std::filesystem::path& path) {
  // Opening a FIFO would block until a writer appears, and reading a folder returns nothing.
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!error && status.type() != std::filesystem::file_type::regular) {
    throw Error(fmt::format("cannot read {}: not a regular file", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot open {}: {}", path.string(), errno_text()));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    throw Error(fmt::format("failed to read {}", path.string()));
  }
  return std::move(buffer).str();
}

}  // namespace kbeta::io
