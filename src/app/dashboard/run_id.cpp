#include "app/dashboard/run_id.h"

#include <algorithm>
#include <system_error>

#include "minitorch/serve/http_error.h"

namespace minitorch::app::dashboard {
namespace {

namespace fs = std::filesystem;
using serve::HttpError;

constexpr std::size_t kLongestId = 4096;

void check_id_text(std::string_view id) {
  if (id.empty())
    throw HttpError(400, "empty run id; expected a path relative to the runs directory");
  if (id.size() > kLongestId) throw HttpError(400, "run id longer than 4096 characters");
  if (id.find('\0') != std::string_view::npos) throw HttpError(400, "run id holds a NUL character");
  if (id.find('\\') != std::string_view::npos) {
    throw HttpError(400, "run id holds a backslash; expected '/' between directory names");
  }
  if (id.front() == '/') {
    throw HttpError(400, "run id '" + std::string(id) +
                             "' is absolute; expected a path relative to the runs directory");
  }
}

void check_components(std::string_view id) {
  std::size_t start = 0;
  while (start <= id.size()) {
    const std::size_t end = std::min(id.find('/', start), id.size());
    const std::string_view part = id.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      throw HttpError(400, "run id '" + std::string(id) + "' has a component '" +
                               std::string(part) +
                               "'; expected directory names below the runs directory");
    }
    start = end + 1;
  }
}

bool is_inside(const fs::path& inner, const fs::path& outer) {
  if (outer.empty() || inner.empty()) return false;  // an empty root would hold every path
  auto [outer_end, inner_at] =
      std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return outer_end == outer.end();
}

}  // namespace

fs::path resolve_under_root(const fs::path& root, std::string_view id) {
  check_id_text(id);
  check_components(id);
  std::error_code root_error;
  const fs::path canonical_root = fs::canonical(root, root_error);
  if (root_error) {
    throw HttpError(500, "the runs directory cannot be resolved: " + root_error.message());
  }
  std::error_code target_error;
  const fs::path target = fs::weakly_canonical(root / fs::path(std::string(id)), target_error);
  std::error_code directory_error;
  if (target_error || !is_inside(target, canonical_root) ||
      !fs::is_directory(target, directory_error) || directory_error) {
    throw HttpError(404, "no directory '" + std::string(id) + "' under the runs directory");
  }
  return target;
}

std::string relative_id(const fs::path& root, const fs::path& dir) {
  return dir.lexically_relative(root).generic_string();
}

}  // namespace minitorch::app::dashboard
