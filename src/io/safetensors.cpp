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
#include "json_text.h"
#include "minitorch/core/error.h"
#include "minitorch/io/atomic_file.h"
#include "minitorch/tensor/shape.h"
#include "minitorch/tensor/tensor_data.h"

namespace minitorch::io {
namespace fs = std::filesystem;
using detail::JsonReader;

namespace {

constexpr std::uint64_t kMaxHeaderLength = 100'000'000;
constexpr std::size_t kMaxRank = 64;
constexpr const char* kFormatKey = "format";
constexpr const char* kFormatValue = "pt";
constexpr const char* kVersionKey = "minitorch_format_version";
constexpr const char* kVersionValue = "1";

// Every dtype name of the safetensors specification, so that a file holding one minitorch does
// not support is told apart from a corrupt one.
constexpr std::array<std::string_view, 20> kOtherSafetensorsDtypes = {
    "BOOL",    "U8",          "I8",          "I16",  "U16",     "I32",     "U32",
    "I64",     "U64",         "F16",         "BF16", "C64",     "F8_E5M2", "F8_E4M3",
    "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F4",   "F6_E2M3", "F6_E3M2"};

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

// A tensor's strides are the products of its later sizes, a 0 counted as 1: an empty tensor too
// needs every such product to fit in int64.
bool strides_fit(const Shape& shape) {
  std::int64_t extent = 1;
  for (const std::int64_t size : shape) {
    const std::int64_t factor = std::max<std::int64_t>(size, 1);
    if (extent > INT64_MAX / factor) return false;
    extent *= factor;
  }
  return true;
}

std::string shape_text(const Shape& shape) {
  std::string out = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (k > 0) out += ",";
    out += std::to_string(shape[k]);
  }
  return out + "]";
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

  std::string header = "{\"__metadata__\":{";
  bool first = true;
  for (const auto& [key, value] : all_metadata) {
    if (!first) header += ",";
    first = false;
    header += detail::json_quote(key) + ":" + detail::json_quote(value);
  }
  header += "}";

  std::vector<Tensor> dense;         // contiguous, detached copies (or the tensors themselves)
  std::vector<std::string> swapped;  // big-endian hosts only; reserved, so views stay valid
  swapped.reserve(ordered.size());
  std::vector<std::string_view> data;
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
    header += "," + detail::json_quote(name) + ":{\"dtype\":\"" +
              safetensors_dtype_name(values.dtype()) +
              "\",\"shape\":" + shape_text(values.shape()) + ",\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
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

struct Entry {
  std::string name;
  std::optional<Dtype> dtype;
  std::string dtype_text;
  std::optional<Shape> shape;
  std::optional<std::array<std::uint64_t, 2>> offsets;
};

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
    std::vector<Entry> entries = parse_header(header, file.metadata);
    const std::uint64_t data_size = file_size - 8 - header_length;
    check_layout(entries, data_size);

    for (const Entry& entry : entries) {
      TensorData td = TensorData::uninitialized(*entry.shape, *entry.dtype);
      const std::uint64_t bytes = (*entry.offsets)[1] - (*entry.offsets)[0];
      if (bytes > 0) {
        char* out = nullptr;
        dispatch_dtype(*entry.dtype,
                       [&]<class T>() { out = reinterpret_cast<char*>(td.data<T>()); });
        read_exactly(fd.get(), out, bytes, 8 + header_length + (*entry.offsets)[0]);
        const std::size_t item = dtype_size(*entry.dtype);
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

  std::vector<Entry> parse_header(const std::string& header, Metadata& metadata) const {
    const std::string context =
        "load_safetensors: " + quoted(path_) + ": header is not valid JSON: ";
    // Syntax first, in a pass of its own, so that a malformed header is reported as such rather
    // than by whichever entry the walk below reaches first.
    JsonReader syntax(header, context);
    syntax.skip_value();
    syntax.finish();
    JsonReader json(header, context);
    if (const auto kind = json.peek(); kind != JsonReader::Kind::Object) {
      fail(std::string("the header is ") + detail::json_kind_name(kind) +
           "; expected a JSON object mapping tensor names to entries");
    }
    std::vector<Entry> entries;
    std::set<std::string> names;
    bool seen_metadata = false;
    std::string key;
    json.begin_object();
    while (json.next_member(key)) {
      if (key == "__metadata__") {
        if (seen_metadata) fail("\"__metadata__\" appears twice; expected it at most once");
        seen_metadata = true;
        parse_metadata(json, metadata);
        continue;
      }
      if (!names.insert(key).second) {
        fail("tensor '" + key + "' appears twice in the header; expected unique names");
      }
      entries.push_back(parse_entry(json, key));
    }
    json.finish();
    return entries;
  }

  void parse_metadata(JsonReader& json, Metadata& metadata) const {
    if (const auto kind = json.peek(); kind != JsonReader::Kind::Object) {
      fail(std::string("\"__metadata__\" is ") + detail::json_kind_name(kind) +
           "; expected an object of strings");
    }
    std::string key;
    json.begin_object();
    while (json.next_member(key)) {
      if (const auto kind = json.peek(); kind != JsonReader::Kind::String) {
        fail("\"__metadata__\" value of '" + key + "' is " + detail::json_kind_name(kind) +
             "; expected a string (safetensors metadata holds strings only)");
      }
      std::string value = json.read_string();
      if (!metadata.emplace(key, std::move(value)).second) {
        fail("\"__metadata__\" key '" + key + "' appears twice; expected unique keys");
      }
    }
  }

  // A non-negative integer array element or offset, with a message naming what it is.
  std::uint64_t read_unsigned(JsonReader& json, const std::string& what) const {
    if (const auto kind = json.peek(); kind != JsonReader::Kind::Number) {
      fail(what + " is " + detail::json_kind_name(kind) + "; expected a non-negative integer");
    }
    const std::string_view literal = json.read_number();
    const auto value = detail::json_unsigned(literal);
    if (!value) {
      const std::string problem = literal.starts_with('-') ? "negative"
                                  : literal.find_first_of(".eE") != std::string::npos
                                      ? "not an integer"
                                      : "too large";
      fail(what + " is " + std::string(literal) + ", " + problem +
           "; expected a non-negative integer");
    }
    return *value;
  }

  Entry parse_entry(JsonReader& json, const std::string& name) const {
    const std::string context = tensor_context(name);
    if (const auto kind = json.peek(); kind != JsonReader::Kind::Object) {
      fail(context + " is " + detail::json_kind_name(kind) +
           "; expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
    }
    Entry entry;
    entry.name = name;
    std::string field;
    json.begin_object();
    while (json.next_member(field)) {
      const bool repeated = (field == "dtype" && !entry.dtype_text.empty()) ||
                            (field == "shape" && entry.shape) ||
                            (field == "data_offsets" && entry.offsets);
      if (repeated) fail(context + ": \"" + field + "\" appears twice; expected it once");
      if (field == "dtype") {
        if (const auto kind = json.peek(); kind != JsonReader::Kind::String) {
          fail(context + ": \"dtype\" is " + detail::json_kind_name(kind) +
               "; expected a string such as \"F32\"");
        }
        entry.dtype_text = json.read_string();
        if (entry.dtype_text.empty())
          fail(context + ": \"dtype\" is empty; expected \"F32\" or \"F64\"");
      } else if (field == "shape") {
        entry.shape = parse_shape(json, context);
      } else if (field == "data_offsets") {
        entry.offsets = parse_offsets(json, context);
      } else {
        json.skip_value();  // unknown fields are ignored, as the reference reader does
      }
    }
    if (entry.dtype_text.empty()) fail(context + " has no \"dtype\"; expected \"F32\" or \"F64\"");
    if (!entry.shape) fail(context + " has no \"shape\"; expected an array of sizes");
    if (!entry.offsets) fail(context + " has no \"data_offsets\"; expected [begin, end]");
    entry.dtype = dtype_from_name(entry.dtype_text, context);
    return entry;
  }

  Dtype dtype_from_name(const std::string& text, const std::string& context) const {
    if (text == "F32") return kFloat32;
    if (text == "F64") return kFloat64;
    if (std::find(kOtherSafetensorsDtypes.begin(), kOtherSafetensorsDtypes.end(), text) !=
        kOtherSafetensorsDtypes.end()) {
      fail(context + " has dtype " + text +
           ", which minitorch does not support; expected F32 or F64");
    }
    fail(context + " has unknown dtype '" + text + "'; expected F32 or F64");
  }

  Shape parse_shape(JsonReader& json, const std::string& context) const {
    if (const auto kind = json.peek(); kind != JsonReader::Kind::Array) {
      fail(context + ": \"shape\" is " + detail::json_kind_name(kind) +
           "; expected an array of non-negative integers");
    }
    Shape shape;
    json.begin_array();
    while (json.next_item()) {
      if (shape.size() == kMaxRank) {
        fail(context + ": \"shape\" has more than " + std::to_string(kMaxRank) +
             " dimensions; expected at most " + std::to_string(kMaxRank));
      }
      const std::uint64_t size =
          read_unsigned(json, context + ": shape element " + std::to_string(shape.size()));
      if (size > static_cast<std::uint64_t>(INT64_MAX)) {
        fail(context + ": shape element " + std::to_string(shape.size()) + " is " +
             std::to_string(size) + ", too large; expected at most " + std::to_string(INT64_MAX));
      }
      shape.push_back(static_cast<std::int64_t>(size));
    }
    return shape;
  }

  std::array<std::uint64_t, 2> parse_offsets(JsonReader& json, const std::string& context) const {
    if (const auto kind = json.peek(); kind != JsonReader::Kind::Array) {
      fail(context + ": \"data_offsets\" is " + detail::json_kind_name(kind) +
           "; expected [begin, end]");
    }
    std::array<std::uint64_t, 2> offsets{};
    std::size_t count = 0;
    json.begin_array();
    while (json.next_item()) {
      if (count == 2)
        fail(context + ": \"data_offsets\" has more than 2 items; expected [begin, end]");
      offsets[count] =
          read_unsigned(json, context + ": data_offsets[" + std::to_string(count) + "]");
      ++count;
    }
    if (count != 2) {
      fail(context + ": \"data_offsets\" has " + std::to_string(count) +
           " items; expected 2 ([begin, end])");
    }
    return offsets;
  }

  // Sizes agree with shapes, and the tensors tile [0, data_size) exactly. Sorts entries by offset.
  void check_layout(std::vector<Entry>& entries, std::uint64_t data_size) const {
    for (const Entry& entry : entries) {
      const std::string context = tensor_context(entry.name);
      const auto [begin, end] = *entry.offsets;
      const std::string offsets_text =
          "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
      if (end < begin)
        fail(context + ": " + offsets_text + " end before they begin; expected begin <= end");
      // The element count, saturated: anything above data_size cannot fit anyway.
      const std::uint64_t item = dtype_size(*entry.dtype);
      std::uint64_t count = 1;
      bool too_large = false;
      for (const std::int64_t size : *entry.shape) {
        const auto s = static_cast<std::uint64_t>(size);
        if (s == 0) {
          count = 0;
          too_large = false;
          break;
        }
        if (count > UINT64_MAX / item / s) too_large = true;
        if (!too_large) count *= s;
      }
      const std::string shape_description =
          "shape " + shape_to_string(*entry.shape) + " of " + entry.dtype_text;
      if (too_large) {
        fail(context + ": " + shape_description + " is larger than any file can hold; expected " +
             std::to_string(end - begin) + " bytes as its data_offsets say");
      }
      if (!strides_fit(*entry.shape)) {
        fail(context + ": " + shape_description +
             " has sizes whose product exceeds 2^63 - 1 (a 0 counted as 1: an empty tensor has "
             "strides too); expected a shape whose strides fit in 64 bits");
      }
      if (end - begin != count * item) {
        fail(context + ": " + offsets_text + " hold " + std::to_string(end - begin) +
             " bytes; expected " + std::to_string(count * item) + " (" + shape_description + ": " +
             std::to_string(count) + " elements of " + std::to_string(item) + " bytes)");
      }
      if (end > data_size) {
        fail(context + ": " + offsets_text + " reach past the end of the data, which holds " +
             std::to_string(data_size) + " bytes after the header (truncated file?)");
      }
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return *a.offsets < *b.offsets; });
    std::uint64_t covered = 0;
    const Entry* previous = nullptr;
    for (const Entry& entry : entries) {
      const auto [begin, end] = *entry.offsets;
      if (begin < covered) {
        fail("tensors '" + previous->name + "' (data_offsets [" +
             std::to_string((*previous->offsets)[0]) + ", " +
             std::to_string((*previous->offsets)[1]) + "]) and '" + entry.name + "' ([" +
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
