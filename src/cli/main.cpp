#include <cstdio>

int main() {
  std::puts("kbeta-heat2d " KBETA_VERSION);
  return 0;
}
