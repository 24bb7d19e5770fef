#include "core/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace kbeta {

std::string escape_control_characters(const std::string& message) {
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

void check_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "internal error: check failed: %s at %s:%d\n", expression, file, line);
  std::abort();
}

}  // namespace kbeta
