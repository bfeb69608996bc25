// Uses the installed package: a scalar expression, its derivative, and a module tree.
#include <minitorch/minitorch.h>

#include <cmath>
#include <cstdio>

namespace mt = minitorch;

int main() {
  mt::Scalar x(2.0);
  const mt::Scalar y = x * x + 3.0 * x;  // dy/dx = 2x + 3 = 7
  y.backward();
  mt::Generator generator(0);
  mt::models::ScalarMLP net(4, generator);
  const bool ok = std::abs(x.grad() - 7.0) < 1e-12 && net.named_parameters().size() == 37;
  std::printf("grad %.1f, %zu parameters: %s\n", x.grad(), net.named_parameters().size(),
              ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
