// safetensors files — named tensors and string metadata, as Hugging Face's safetensors stores them.
//
// Layout: an 8-byte little-endian header length N; N bytes of UTF-8 JSON mapping each tensor name
// to {"dtype": "F32" | "F64", "shape": [...], "data_offsets": [begin, end]} plus "__metadata__"
// (strings only); then the tensors' bytes, little-endian, row-major, back to back. PyTorch, numpy
// and the safetensors package read these files.
//
// save_safetensors(path, tensors, metadata)
//   Requires: non-empty, unique UTF-8 names other than "__metadata__"; defined tensors; UTF-8
//             metadata. "format" and "minitorch_format_version" are written as "pt" and "1"; the
//             caller may pass them only with those values.
//   Ensures:  the file is replaced atomically (io/atomic_file.h). Tensors are stored in the given
//             order, except that float64 tensors precede float32 ones (a stable partition), so
//             every tensor starts at a multiple of its element size; any view (non-contiguous,
//             expanded, offset) is stored as its row-major values. The JSON is compact, keys in
//             that order with "__metadata__" first (its keys sorted), and padded with spaces so
//             the data start at a multiple of 8, as the reference writer does.
// load_safetensors(path)
//   Ensures:  the tensors in the order of their bytes in the file (for files this library wrote,
//             the order they were saved in), each with its own contiguous storage on the default
//             backend, and the metadata (empty without "__metadata__").
//   Requires: a well-formed file: at least 8 bytes; a header length of at most 100,000,000 that
//             fits in the file; a JSON object as the header; each entry an object with a string
//             dtype F32 or F64, a shape of at most 64 non-negative integers whose product (each
//             0 counted as 1, see tensor/shape.h) fits in int64, and data_offsets of
//             two integers whose difference is the shape's size in bytes; tensors that cover the
//             data exactly (no overlap, no gap, nothing after the last one); string metadata.
//             Unknown fields in an entry are ignored. Each violation throws minitorch::Error
//             naming the file and what was found and expected; nothing is allocated from a size
//             before it is checked against the file's real size.
// Our own reader and writer: Debian packages no C or C++ safetensors library (the reference one
// is Rust), and the format is a length, a JSON header (read with nlohmann-json) and raw bytes.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/storage/dtype.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::io {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using Metadata = std::map<std::string, std::string>;

struct SafetensorsFile {
  std::filesystem::path path;  // where it was read from (for messages)
  NamedTensors tensors;        // in file order
  Metadata metadata;

  bool contains(const std::string& name) const;
  // The tensor called name; Error naming the file and the tensor when there is none.
  const Tensor& at(const std::string& name) const;
};

void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const Metadata& metadata = {});

SafetensorsFile load_safetensors(const std::filesystem::path& path);

// "F32" or "F64": the safetensors name of a dtype.
const char* safetensors_dtype_name(Dtype dtype);

}  // namespace minitorch::io
