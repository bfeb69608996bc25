// Run and sweep ids of the dashboard: a directory's path relative to the dashboard's root DIR,
// with '/' separators ("img", "sweep-1/trial-003").
//
// resolve_under_root(root, id) turns an id from a request into the directory it names, refusing
// what could reach outside DIR: an empty id, a NUL or backslash, an absolute path, or a "." / ".."
// / empty component is HttpError 400; a path that does not exist, is not a directory, or whose
// canonical form (symlinks resolved) lies outside canonical(root) is HttpError 404. Requires root
// to be an existing directory: a root that cannot be resolved (removed meanwhile) is HttpError 500.
// relative_id(root, dir) is the id of a directory found under root.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace minitorch::app::dashboard {

std::filesystem::path resolve_under_root(const std::filesystem::path& root, std::string_view id);
std::string relative_id(const std::filesystem::path& root, const std::filesystem::path& dir);

}  // namespace minitorch::app::dashboard
