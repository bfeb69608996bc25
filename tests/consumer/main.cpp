// Uses the installed package: a scalar expression, its derivative, a module tree (the core), a
// mail parsed by minitorch::data and an HTTP server of minitorch::serve bound to a free port.
#include <minitorch/minitorch.h>
#include <minitorch/serve/server.h>

#include <cmath>
#include <cstdio>

namespace mt = minitorch;

int main() {
  mt::Scalar x(2.0);
  const mt::Scalar y = x * x + 3.0 * x;  // dy/dx = 2x + 3 = 7
  y.backward();
  mt::Generator generator(0);
  mt::models::ScalarMLP net(4, generator);
  const auto mail = mt::data::parse_mail("Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nbody\r\n");
  mt::serve::ServerOptions options;
  options.port = 0;
  mt::serve::Server server(options);
  const int port = server.bind();
  const bool ok = std::abs(x.grad() - 7.0) < 1e-12 && net.named_parameters().size() == 37 &&
                  mail.subject == "caf\xc3\xa9" && port > 0;
  std::printf("grad %.1f, %zu parameters: %s\n", x.grad(), net.named_parameters().size(),
              ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
