#include "minitorch/io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <string_view>

#include "core/file_descriptor.h"
#include "minitorch/core/error.h"
#include "minitorch/io/atomic_file.h"
#include "minitorch/storage/shape.h"
#include "minitorch/storage/tensor_data.h"
#include "safetensors_header.h"

namespace minitorch::io {
namespace fs = std::filesystem;
using detail::HeaderEntry;

namespace {

constexpr std::uint64_t kMaxHeaderLength = 100'000'000;
constexpr const char* kFormatKey = "format";
constexpr const char* kFormatValue = "pt";
constexpr const char* kVersionKey = "minitorch_format_version";
constexpr const char* kVersionValue = "1";

std::string quoted(const fs::path& path) {
  return "'" + path.string() + "'";
}

// Byte order: the file is little-endian; a big-endian host swaps each element.
void swap_elements_if_big_endian(char* bytes, std::size_t count, std::size_t item_size) {
  if constexpr (std::endian::native == std::endian::big) {
    for (std::size_t i = 0; i < count; ++i) {
      std::reverse(bytes + i * item_size, bytes + (i + 1) * item_size);
    }
  } else {
    (void)bytes, (void)count, (void)item_size;
  }
}

// The bytes of a tensor of `shape`, or nullopt when its sizes (a 0 counted as 1) multiply past
// INT64_MAX: such a shape has no strides, even when a 0 makes it empty.
std::optional<std::int64_t> tensor_bytes(const Shape& shape, std::int64_t item_bytes) {
  const std::optional<std::int64_t> count = checked_numel(shape);
  return count ? checked_mul(*count, item_bytes) : std::nullopt;
}

// ---- writing -----------------------------------------------------------------------------------

void check_utf8(const std::string& text, const std::string& what) {
  if (!detail::is_valid_utf8(text)) {
    throw Error("save_safetensors: " + what + " is not valid UTF-8; expected UTF-8 text");
  }
}

Metadata metadata_to_write(const Metadata& metadata) {
  Metadata out = metadata;
  for (const auto& [key, value] :
       {std::pair{kFormatKey, kFormatValue}, {kVersionKey, kVersionValue}}) {
    const auto [it, inserted] = out.emplace(key, value);
    if (!inserted && it->second != value) {
      throw Error("save_safetensors: metadata '" + std::string(key) + "' = '" + it->second +
                  "' is reserved; expected it absent or '" + value + "'");
    }
  }
  for (const auto& [key, value] : out) {
    check_utf8(key, "metadata key '" + key + "'");
    check_utf8(value, "metadata value of '" + key + "'");
  }
  return out;
}

void check_names(const NamedTensors& tensors) {
  std::set<std::string_view> seen;
  for (const auto& [name, tensor] : tensors) {
    if (name.empty()) throw Error("save_safetensors: a tensor has an empty name; expected a name");
    if (name == "__metadata__") {
      throw Error("save_safetensors: the name '__metadata__' is reserved for the metadata");
    }
    check_utf8(name, "tensor name '" + name + "'");
    if (!seen.insert(name).second) {
      throw Error("save_safetensors: duplicate tensor name '" + name + "'; expected unique names");
    }
    if (!tensor.defined()) throw Error("save_safetensors: tensor '" + name + "' is undefined");
  }
}

}  // namespace

const char* safetensors_dtype_name(Dtype dtype) {
  return dtype == Dtype::Float32 ? "F32" : "F64";
}

void save_safetensors(const fs::path& path, const NamedTensors& tensors, const Metadata& metadata) {
  check_names(tensors);
  const Metadata all_metadata = metadata_to_write(metadata);

  // float64 first, then float32, each in the given order: every tensor starts 8- or 4-aligned.
  std::vector<std::pair<std::string, Tensor>> ordered(tensors.begin(), tensors.end());
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const auto& entry) { return entry.second.dtype() == kFloat64; });

  std::vector<Tensor> dense;         // contiguous, detached copies (or the tensors themselves)
  std::vector<std::string> swapped;  // big-endian hosts only; reserved, so views stay valid
  swapped.reserve(ordered.size());
  std::vector<std::string_view> data;
  std::vector<HeaderEntry> entries;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : ordered) {
    // Bytes are written from the host: a GPU tensor comes over in one transfer.
    const Tensor values = tensor.detach().contiguous().to(kCPU);
    dense.push_back(values);
    const std::size_t item = dtype_size(values.dtype());
    const auto bytes = static_cast<std::size_t>(values.numel()) * item;
    const TensorData& td = values.tensor_data();
    const char* start = nullptr;
    dispatch_dtype(values.dtype(), [&]<class T>() {
      start = reinterpret_cast<const char*>(td.data<T>() + td.offset());
    });
    if constexpr (std::endian::native == std::endian::big) {
      swapped.emplace_back(start, bytes);
      swap_elements_if_big_endian(swapped.back().data(), bytes / item, item);
      data.emplace_back(swapped.back());
    } else {
      data.emplace_back(start, bytes);
    }
    entries.push_back({.name = name,
                       .dtype = values.dtype(),
                       .dtype_name = safetensors_dtype_name(values.dtype()),
                       .shape = values.shape(),
                       .offsets = {offset, offset + bytes}});
    offset += bytes;
  }
  std::string header = detail::safetensors_header_json(all_metadata, entries);
  header.append((8 - header.size() % 8) % 8, ' ');

  std::string prefix(8, '\0');
  for (int k = 0; k < 8; ++k) {
    prefix[k] = static_cast<char>((std::uint64_t(header.size()) >> (8 * k)) & 0xff);
  }

  std::vector<std::string_view> pieces{prefix, header};
  pieces.insert(pieces.end(), data.begin(), data.end());
  try {
    write_file_atomically(path, pieces);
  } catch (const Error& e) {
    throw Error(std::string("save_safetensors: ") + e.what());
  }
}

// ---- reading -----------------------------------------------------------------------------------

namespace {

class Reader {
 public:
  explicit Reader(fs::path path) : path_(std::move(path)) {}

  SafetensorsFile read() {
    minitorch::detail::FileDescriptor fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail(std::string("cannot open: ") + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) fail(std::string("cannot stat: ") + std::strerror(errno));
    if (!S_ISREG(info.st_mode)) fail("not a regular file; expected a safetensors file");
    const auto file_size = static_cast<std::uint64_t>(info.st_size);
    if (file_size < 8) {
      fail("the file is " + std::to_string(file_size) +
           " bytes; expected at least 8 (the header length)");
    }
    unsigned char prefix[8];
    read_exactly(fd.get(), reinterpret_cast<char*>(prefix), 8, 0);
    std::uint64_t header_length = 0;
    for (int k = 7; k >= 0; --k) header_length = (header_length << 8) | prefix[k];
    if (header_length > kMaxHeaderLength) {
      fail("header length " + std::to_string(header_length) + " is absurd; expected at most " +
           std::to_string(kMaxHeaderLength) + " bytes");
    }
    if (header_length > file_size - 8) {
      fail("header length " + std::to_string(header_length) + " exceeds the " +
           std::to_string(file_size - 8) + " bytes after the length prefix (truncated or corrupt)");
    }
    std::string header(header_length, '\0');
    read_exactly(fd.get(), header.data(), header.size(), 8);

    SafetensorsFile file;
    file.path = path_;
    detail::Header parsed =
        detail::parse_safetensors_header(header, "load_safetensors: " + quoted(path_) + ": ");
    file.metadata = std::move(parsed.metadata);
    std::vector<HeaderEntry>& entries = parsed.entries;
    const std::uint64_t data_size = file_size - 8 - header_length;
    check_layout(entries, data_size);

    for (const HeaderEntry& entry : entries) {
      TensorData td = TensorData::uninitialized(entry.shape, entry.dtype);
      const std::uint64_t bytes = (entry.offsets)[1] - (entry.offsets)[0];
      if (bytes > 0) {
        char* out = nullptr;
        dispatch_dtype(entry.dtype,
                       [&]<class T>() { out = reinterpret_cast<char*>(td.data<T>()); });
        read_exactly(fd.get(), out, bytes, 8 + header_length + (entry.offsets)[0]);
        const std::size_t item = dtype_size(entry.dtype);
        swap_elements_if_big_endian(out, bytes / item, item);
      }
      file.tensors.emplace_back(entry.name, Tensor(std::move(td)));
    }
    return file;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("load_safetensors: " + quoted(path_) + ": " + what);
  }

  void read_exactly(int fd, char* out, std::uint64_t count, std::uint64_t offset) const {
    while (count > 0) {
      const ssize_t got = ::pread(fd, out, count, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(std::string("cannot read: ") + std::strerror(errno));
      if (got == 0) fail("the file ended early (was it changed while being read?)");
      out += got;
      count -= static_cast<std::uint64_t>(got);
      offset += static_cast<std::uint64_t>(got);
    }
  }

  std::string tensor_context(const std::string& name) const { return "tensor '" + name + "'"; }

  // Sizes agree with shapes, and the tensors tile [0, data_size) exactly. Sorts entries by offset.
  void check_layout(std::vector<HeaderEntry>& entries, std::uint64_t data_size) const {
    for (const HeaderEntry& entry : entries) {
      const std::string context = tensor_context(entry.name);
      const auto [begin, end] = entry.offsets;
      const std::string offsets_text =
          "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
      if (end < begin)
        fail(context + ": " + offsets_text + " end before they begin; expected begin <= end");
      // Checked as the tensor will be built (tensor/shape.h), before it is.
      const auto item = static_cast<std::int64_t>(dtype_size(entry.dtype));
      const std::optional<std::int64_t> checked_bytes = tensor_bytes(entry.shape, item);
      const std::string shape_description =
          "shape " + shape_to_string(entry.shape) + " of " + entry.dtype_name;
      if (!checked_bytes) {
        fail(context + ": " + shape_description +
             " is larger than any file can hold (its sizes, a 0 counted as 1, multiply past " +
             std::to_string(INT64_MAX) + "); expected " + std::to_string(end - begin) +
             " bytes as its data_offsets say");
      }
      const std::int64_t bytes = checked_bytes.value();
      if (end - begin != static_cast<std::uint64_t>(bytes)) {
        fail(context + ": " + offsets_text + " hold " + std::to_string(end - begin) +
             " bytes; expected " + std::to_string(bytes) + " (" + shape_description + ": " +
             std::to_string(bytes / item) + " elements of " + std::to_string(item) + " bytes)");
      }
      if (end > data_size) {
        fail(context + ": " + offsets_text + " reach past the end of the data, which holds " +
             std::to_string(data_size) + " bytes after the header (truncated file?)");
      }
    }
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const HeaderEntry& a, const HeaderEntry& b) { return a.offsets < b.offsets; });
    std::uint64_t covered = 0;
    const HeaderEntry* previous = nullptr;
    for (const HeaderEntry& entry : entries) {
      const auto [begin, end] = entry.offsets;
      if (begin < covered) {
        fail("tensors '" + previous->name + "' (data_offsets [" +
             std::to_string((previous->offsets)[0]) + ", " +
             std::to_string((previous->offsets)[1]) + "]) and '" + entry.name + "' ([" +
             std::to_string(begin) + ", " + std::to_string(end) +
             "]) overlap; expected each tensor's bytes to start where the previous one's end");
      }
      if (begin > covered) {
        fail("bytes [" + std::to_string(covered) + ", " + std::to_string(begin) +
             ") of the data belong to no tensor (a gap before '" + entry.name +
             "'); expected the tensors to cover the data without gaps");
      }
      covered = end;
      previous = &entry;
    }
    if (covered < data_size) {
      fail(std::to_string(data_size - covered) + " trailing bytes after the last tensor (the data" +
           " is " + std::to_string(data_size) + " bytes, the tensors cover " +
           std::to_string(covered) + "); expected the file to end with the last tensor");
    }
  }

  fs::path path_;
};

}  // namespace

SafetensorsFile load_safetensors(const fs::path& path) {
  return Reader(path).read();
}

bool SafetensorsFile::contains(const std::string& name) const {
  return std::any_of(tensors.begin(), tensors.end(),
                     [&](const auto& entry) { return entry.first == name; });
}

const Tensor& SafetensorsFile::at(const std::string& name) const {
  for (const auto& [entry_name, tensor] : tensors) {
    if (entry_name == name) return tensor;
  }
  throw Error("safetensors file " + quoted(path) + " has no tensor '" + name + "'");
}

}  // namespace minitorch::io
