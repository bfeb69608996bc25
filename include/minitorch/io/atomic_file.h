// Atomic file replacement — a reader sees the old content or the new, never a half-written file.
//
// write_file_atomically(path, bytes) writes bytes (or the pieces, in order) to a fresh temporary
// file in path's directory ("<name>.tmp.<pid>.<n>", created exclusively, mode 0644 less the
// umask), flushes it to disk (fsync), renames it over path, then syncs the directory (best
// effort: some file systems refuse to sync directories).
//   Requires: path's directory exists and is writable; path is not a directory.
//   Ensures:  on success path holds exactly the bytes; on failure path is untouched, the temporary
//             file is removed, and minitorch::Error says "cannot write '<path>': <step> failed:
//             <strerror(errno)>".
// The pieces overload lets a writer hand over large buffers (tensor storage) without first
// concatenating them.
// Our own rather than GLib's g_file_set_contents (the same steps): GLib would be the core's only
// use of it, and its error messages would not name the step that failed.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace minitorch::io {

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);
void write_file_atomically(const std::filesystem::path& path,
                           std::span<const std::string_view> pieces);

}  // namespace minitorch::io
