#include "minitorch/io/safetensors.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "error_helpers.h"
#include "minitorch/core/error.h"
#include "minitorch/io/atomic_file.h"
#include "minitorch/io/state_dict.h"
#include "minitorch/nn/linear.h"
#include "minitorch/tensor/creation.h"
#include "temp_dir.h"

namespace io = minitorch::io;
namespace fs = std::filesystem;
using minitorch::testing::TempDir;
namespace mt = minitorch;
using minitorch::testing::error_of;

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

std::string le64(std::uint64_t value) {
  std::string out(8, '\0');
  for (int k = 0; k < 8; ++k) out[k] = static_cast<char>((value >> (8 * k)) & 0xff);
  return out;
}

std::string f32_bytes(const std::vector<float>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)};
}

// A file from a header (its length written as given, or its real length) and data bytes.
std::string file_bytes(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

void expect_values(const mt::Tensor& t, const std::vector<double>& values) {
  EXPECT_EQ(t.to_vector(), values);
}

struct Net : mt::nn::Module {
  std::shared_ptr<mt::nn::Linear> l1, l2;
  explicit Net(std::int64_t hidden = 3, mt::Dtype dtype = mt::kFloat32)
      : l1(register_module(
            "l1", std::make_shared<mt::nn::Linear>(mt::nn::LinearOptions(2, hidden).dtype(dtype)))),
        l2(register_module("l2", std::make_shared<mt::nn::Linear>(
                                     mt::nn::LinearOptions(hidden, 1).dtype(dtype)))) {}
};

std::vector<std::vector<double>> values_of(const mt::nn::Module& module) {
  std::vector<std::vector<double>> out;
  for (const auto& p : module.named_parameters()) out.push_back(p.value.to_vector());
  return out;
}

}  // namespace

// ---- round trips -------------------------------------------------------------------------------

TEST(Safetensors, RoundTripsFloat32AndFloat64) {
  TempDir dir;
  const auto a = mt::tensor({{1.5, -2, 3}, {4, 5, 6.25}});
  const auto b = mt::tensor({0.1, 0.2, 1e-300, -7}, {.dtype = mt::kFloat64});
  const auto c = mt::tensor({3.0f, 1e30, -0.0});
  io::save_safetensors(dir / "m.safetensors", {{"a", a}, {"b", b}, {"c", c}});
  const auto file = io::load_safetensors(dir / "m.safetensors");
  ASSERT_EQ(file.tensors.size(), 3u);
  // float64 first (alignment), then the float32 tensors in the given order.
  EXPECT_EQ(file.tensors[0].first, "b");
  EXPECT_EQ(file.tensors[1].first, "a");
  EXPECT_EQ(file.tensors[2].first, "c");
  EXPECT_EQ(file.at("a").dtype(), mt::kFloat32);
  EXPECT_EQ(file.at("a").shape(), (mt::Shape{2, 3}));
  expect_values(file.at("a"), a.to_vector());
  EXPECT_EQ(file.at("b").dtype(), mt::kFloat64);
  expect_values(file.at("b"), {0.1, 0.2, 1e-300, -7});
  expect_values(file.at("c"), c.to_vector());
  EXPECT_TRUE(file.contains("c"));
  EXPECT_FALSE(file.contains("d"));
  EXPECT_CONTAINS(error_of([&] { (void)file.at("d"); }), "no tensor 'd'");
}

TEST(Safetensors, RoundTripsScalarAndEmptyTensors) {
  TempDir dir;
  const auto scalar = mt::full({}, 2.5, {.dtype = mt::kFloat64});
  const auto empty = mt::zeros({0});
  const auto empty_matrix = mt::zeros({2, 0, 3});
  io::save_safetensors(dir / "m.safetensors",
                       {{"empty", empty}, {"scalar", scalar}, {"empty_matrix", empty_matrix}});
  const auto file = io::load_safetensors(dir / "m.safetensors");
  EXPECT_EQ(file.at("scalar").shape(), mt::Shape{});
  EXPECT_EQ(file.at("scalar").item(), 2.5);
  EXPECT_EQ(file.at("empty").shape(), mt::Shape{0});
  EXPECT_EQ(file.at("empty_matrix").shape(), (mt::Shape{2, 0, 3}));
  EXPECT_EQ(file.at("empty_matrix").numel(), 0);
}

TEST(Safetensors, StoresViewsAsTheirRowMajorValues) {
  TempDir dir;
  const auto base = mt::arange(24).view({2, 3, 4});
  const auto permuted = base.permute({2, 0, 1});
  const auto narrowed = base.narrow(2, 1, 2).select(0, 1);
  const auto expanded = mt::tensor({1, 2, 3}).expand({2, 3});
  ASSERT_FALSE(permuted.is_contiguous());
  io::save_safetensors(dir / "m.safetensors",
                       {{"permuted", permuted}, {"narrowed", narrowed}, {"expanded", expanded}});
  const auto file = io::load_safetensors(dir / "m.safetensors");
  EXPECT_EQ(file.at("permuted").shape(), (mt::Shape{4, 2, 3}));
  expect_values(file.at("permuted"), permuted.to_vector());
  expect_values(file.at("narrowed"), narrowed.to_vector());
  expect_values(file.at("expanded"), {1, 2, 3, 1, 2, 3});
  EXPECT_EQ(fs::file_size(dir / "m.safetensors") % 4, 0u);
}

TEST(Safetensors, SavesTensorsThatRequireGrad) {
  TempDir dir;
  const auto w = mt::tensor({1, 2}, {.requires_grad = true});
  io::save_safetensors(dir / "m.safetensors", {{"w", w * 2.0}});
  expect_values(io::load_safetensors(dir / "m.safetensors").at("w"), {2, 4});
}

TEST(Safetensors, RoundTripsMetadataAndAddsTheFormat) {
  TempDir dir;
  const io::Metadata metadata = {
      {"epoch", "3"}, {"config", "{\"lr\": 0.1}"}, {"note", "caf\xc3\xa9 \"q\" \\ \n\t\x01"}};
  io::save_safetensors(dir / "m.safetensors", {{"w", mt::ones({1})}}, metadata);
  const auto file = io::load_safetensors(dir / "m.safetensors");
  io::Metadata expected = metadata;
  expected["format"] = "pt";
  expected["minitorch_format_version"] = "1";
  EXPECT_EQ(file.metadata, expected);
  // Saving a loaded file's metadata again works: the reserved keys carry the same values.
  io::save_safetensors(dir / "again.safetensors", file.tensors, file.metadata);
  EXPECT_EQ(read_bytes(dir / "again.safetensors"), read_bytes(dir / "m.safetensors"));
  EXPECT_CONTAINS(error_of([&] {
                    io::save_safetensors(dir / "x.safetensors", {}, {{"format", "tf"}});
                  }),
                  "metadata 'format' = 'tf' is reserved");
}

TEST(Safetensors, NamesWithEscapesRoundTrip) {
  TempDir dir;
  const std::string name = "a \"quoted\" \\ name\nwith \xe2\x82\xac and \xf0\x9f\x98\x80";
  io::save_safetensors(dir / "m.safetensors", {{name, mt::ones({2})}});
  EXPECT_EQ(io::load_safetensors(dir / "m.safetensors").tensors.at(0).first, name);
}

TEST(Safetensors, WritesTheExactLayoutOfTheSpecification) {
  TempDir dir;
  io::save_safetensors(dir / "w.safetensors", {{"w", mt::tensor({1.0, -2.0})}});
  // 116 bytes of JSON, padded with 4 spaces to 120 = 0x78; the data start 8-aligned at 128.
  const std::string expected =
      std::string("\x78\0\0\0\0\0\0\0", 8) +
      R"({"__metadata__":{"format":"pt","minitorch_format_version":"1"},)"
      R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})"
      "    " +
      std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);  // 1.0f, -2.0f little-endian
  EXPECT_EQ(read_bytes(dir / "w.safetensors"), expected);
}

TEST(Safetensors, OffsetsAreContiguousAndTheHeaderIsPaddedToEight) {
  TempDir dir;
  io::save_safetensors(dir / "m.safetensors",
                       {{"x", mt::ones({3})},
                        {"y", mt::ones({2, 2}, {.dtype = mt::kFloat64})},
                        {"z", mt::ones({5})}},
                       {{"k", "value"}});
  const std::string bytes = read_bytes(dir / "m.safetensors");
  std::uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | static_cast<unsigned char>(bytes[k]);
  EXPECT_EQ(n % 8, 0u);
  const std::string header = bytes.substr(8, n);
  EXPECT_EQ(header.front(), '{');
  EXPECT_NE(header.find(R"("y":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]})"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find(R"("x":{"dtype":"F32","shape":[3],"data_offsets":[32,44]})"),
            std::string::npos);
  EXPECT_NE(header.find(R"("z":{"dtype":"F32","shape":[5],"data_offsets":[44,64]})"),
            std::string::npos);
  EXPECT_EQ(bytes.size(), 8 + n + 64);
}

TEST(Safetensors, RejectsBadNames) {
  TempDir dir;
  const auto t = mt::ones({1});
  EXPECT_CONTAINS(error_of([&] { io::save_safetensors(dir / "m", {{"", t}}); }), "empty name");
  EXPECT_CONTAINS(error_of([&] {
                    io::save_safetensors(dir / "m", {{"a", t}, {"a", t}});
                  }),
                  "duplicate tensor name 'a'");
  EXPECT_CONTAINS(error_of([&] {
                    io::save_safetensors(dir / "m", {{"__metadata__", t}});
                  }),
                  "reserved");
  EXPECT_CONTAINS(error_of([&] {
                    io::save_safetensors(dir / "m", {{"bad\xff", t}});
                  }),
                  "not valid UTF-8");
  EXPECT_CONTAINS(error_of([&] {
                    io::save_safetensors(dir / "m", {{"u", mt::Tensor()}});
                  }),
                  "'u' is undefined");
  EXPECT_FALSE(fs::exists(dir / "m"));
}

// ---- reading what others wrote -----------------------------------------------------------------

TEST(Safetensors, ReadsFilesOfOtherWriters) {
  TempDir dir;
  // Whitespace around the JSON, metadata last, unknown fields, escapes, no padding, entries not
  // in offset order: all valid.
  const std::string header =
      "  {\"b\": {\"shape\": [1], \"dtype\": \"F32\", \"data_offsets\": [8, 12], \"x\": [{}]},\n"
      "   \"\\u00e9\\ud83d\\ude00\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, "
      "8]},"
      "   \"__metadata__\": {\"k\": \"v\\/\"}} \n";
  write_bytes(dir / "m.safetensors", file_bytes(header, f32_bytes({1, 2, 3})));
  const auto file = io::load_safetensors(dir / "m.safetensors");
  ASSERT_EQ(file.tensors.size(), 2u);
  EXPECT_EQ(file.tensors[0].first, "\xc3\xa9\xf0\x9f\x98\x80");  // in offset order
  expect_values(file.tensors[0].second, {1, 2});
  expect_values(file.at("b"), {3});
  EXPECT_EQ(file.metadata.at("k"), "v/");
}

// Unknown fields may hold anything up to 64 levels of nesting in all (the header and the entry
// are two of them), and a long array there costs nothing: it is not kept.
TEST(Safetensors, IgnoresUnknownFieldsUpToTheNestingLimit) {
  TempDir dir;
  const auto with_unknown = [](const std::string& value) {
    return "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":" + value + "}}";
  };
  std::string long_array = "[0";
  for (int k = 0; k < 100000; ++k) long_array += ",{\"a\":[1,2]}";
  long_array += "]";
  for (const std::string& value : {std::string(62, '[') + std::string(62, ']'), long_array,
                                   std::string("{\"x\":1,\"x\":2}")}) {
    write_bytes(dir / "m.safetensors", file_bytes(with_unknown(value), f32_bytes({5})));
    expect_values(io::load_safetensors(dir / "m.safetensors").at("t"), {5});
  }
  write_bytes(
      dir / "m.safetensors",
      file_bytes(with_unknown(std::string(63, '[') + std::string(63, ']')), f32_bytes({5})));
  EXPECT_CONTAINS(error_of([&] { io::load_safetensors(dir / "m.safetensors"); }),
                  "header is not valid JSON: nesting deeper than 64 levels");
}

TEST(Safetensors, ReadsAFileWithoutTensorsOrMetadata) {
  TempDir dir;
  write_bytes(dir / "m.safetensors", file_bytes("{}", ""));
  const auto file = io::load_safetensors(dir / "m.safetensors");
  EXPECT_TRUE(file.tensors.empty());
  EXPECT_TRUE(file.metadata.empty());
}

// ---- corrupt files -----------------------------------------------------------------------------

class CorruptSafetensors : public ::testing::Test {
 protected:
  // The Error loading a file of `bytes` throws; the message must name the file.
  std::string error_loading(const std::string& bytes) {
    const fs::path path = dir_ / "bad.safetensors";
    write_bytes(path, bytes);
    const std::string message = error_of([&] { io::load_safetensors(path); });
    EXPECT_CONTAINS(message, path.string());
    return message;
  }
  // A file with one tensor entry `entry` and `data` bytes.
  std::string error_with_entry(const std::string& entry, const std::string& data) {
    return error_loading(file_bytes("{\"t\":" + entry + "}", data));
  }
  TempDir dir_;
};

TEST_F(CorruptSafetensors, MissingOrUnreadableFile) {
  const std::string missing = error_of([&] { io::load_safetensors(dir_ / "nope.safetensors"); });
  EXPECT_CONTAINS(missing, "nope.safetensors");
  EXPECT_CONTAINS(missing, "No such file or directory");
  EXPECT_CONTAINS(error_of([&] { io::load_safetensors(dir_.path()); }), "not a regular file");
}

TEST_F(CorruptSafetensors, TooShortForTheLengthPrefix) {
  EXPECT_CONTAINS(error_loading(""), "the file is 0 bytes; expected at least 8");
  EXPECT_CONTAINS(error_loading(std::string("\x10\0\0", 3)),
                  "the file is 3 bytes; expected at least 8");
}

TEST_F(CorruptSafetensors, HeaderLengthLargerThanTheFileOrAbsurd) {
  EXPECT_CONTAINS(error_loading(le64(100) + "{}"),
                  "header length 100 exceeds the 2 bytes after the length prefix");
  EXPECT_CONTAINS(error_loading(le64(200'000'000) + "{}"),
                  "header length 200000000 is absurd; expected at most 100000000");
  EXPECT_CONTAINS(error_loading(le64(~std::uint64_t(0)) + "{}"), "is absurd");
}

TEST_F(CorruptSafetensors, HeaderNotJsonOrNotAnObject) {
  EXPECT_CONTAINS(error_loading(file_bytes("not json", "")), "header is not valid JSON");
  EXPECT_CONTAINS(error_loading(file_bytes("{\"a\":", "")), "header is not valid JSON");
  EXPECT_CONTAINS(error_loading(file_bytes("{}{}", "")), "header is not valid JSON");
  EXPECT_CONTAINS(error_loading(file_bytes("{\"a\":{},}", "")), "header is not valid JSON");
  EXPECT_CONTAINS(error_loading(file_bytes("", "")), "header is not valid JSON");
  EXPECT_CONTAINS(error_loading(file_bytes("{\"a\xff\":{}}", "")), "invalid UTF-8");
  EXPECT_CONTAINS(error_loading(file_bytes("{\"\\ud800\":{}}", "")), "surrogate");
  EXPECT_CONTAINS(error_loading(file_bytes("[1, 2]", "")),
                  "the header is an array; expected a JSON object");
  EXPECT_CONTAINS(error_loading(file_bytes("\"text\"", "")), "the header is a string");
  const std::string deep = "{\"t\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"x\":" +
                           std::string(1000, '[') + std::string(1000, ']') + "}}";
  EXPECT_CONTAINS(error_loading(file_bytes(deep, f32_bytes({1}))), "nesting deeper than 64");
}

TEST_F(CorruptSafetensors, EntryFieldsMissingOrOfTheWrongType) {
  const std::string data = f32_bytes({1, 2});
  EXPECT_CONTAINS(error_with_entry(R"({"shape":[2],"data_offsets":[0,8]})", data),
                  "tensor 't' has no \"dtype\"");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","data_offsets":[0,8]})", data),
                  "tensor 't' has no \"shape\"");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[2]})", data),
                  "tensor 't' has no \"data_offsets\"");
  EXPECT_CONTAINS(error_with_entry(R"("F32")", data), "tensor 't' is a string; expected an object");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":32,"shape":[2],"data_offsets":[0,8]})", data),
                  "\"dtype\" is a number; expected a string");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":"2","data_offsets":[0,8]})", data),
                  "\"shape\" is a string; expected an array of non-negative integers");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[2],"data_offsets":{}})", data),
                  "\"data_offsets\" is an object; expected [begin, end]");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})", data),
                  "\"data_offsets\" has 1 items; expected 2");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,4,8]})", data),
                  "more than 2 items");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,"8"]})", data),
                  "data_offsets[1] is a string; expected a non-negative integer");
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]})", data),
      "\"dtype\" appears twice");
}

TEST_F(CorruptSafetensors, UnknownOrUnsupportedDtype) {
  const std::string data = f32_bytes({1, 2});
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"Q7","shape":[2],"data_offsets":[0,8]})", data),
                  "tensor 't' has unknown dtype 'Q7'; expected F32 or F64");
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"I64","shape":[1],"data_offsets":[0,8]})", data),
      "tensor 't' has dtype I64, which minitorch does not support; expected F32 or F64");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"BF16","shape":[4],"data_offsets":[0,8]})", data),
                  "dtype BF16");
}

TEST_F(CorruptSafetensors, BadShapes) {
  const std::string data = f32_bytes({1, 2});
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})", data),
                  "shape element 0 is -2, negative; expected a non-negative integer");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[1,2.5],"data_offsets":[0,8]})", data),
                  "shape element 1 is 2.5, not an integer");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[2e0],"data_offsets":[0,8]})", data),
                  "not an integer");
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]})",
                       data),
      "too large");
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[null],"data_offsets":[0,8]})", data),
                  "shape element 0 is null");
  std::string many = "[";
  for (int k = 0; k < 65; ++k) many += k ? ",1" : "1";
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F32","shape":)" + many + R"(],"data_offsets":[0,4]})",
                       f32_bytes({1})),
      "more than 64 dimensions");
  // Sizes whose product overflows are reported, not wrapped around.
  EXPECT_CONTAINS(
      error_with_entry(
          R"({"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]})",
          data),
      "larger than any file can hold");
}

// A 0 makes the element count 0, but the other sizes still multiply into the strides of the
// tensor to be built: such a shape is rejected from the header, wherever its 0 stands.
TEST_F(CorruptSafetensors, EmptyShapesWhoseStridesOverflow) {
  for (const std::string shape : {"[0,4294967296,4294967296]", "[4294967296,4294967296,0]"}) {
    const std::string message =
        error_with_entry(R"({"dtype":"F32","shape":)" + shape + R"(,"data_offsets":[0,0]})", "");
    EXPECT_CONTAINS(message, "larger than any file can hold");
    EXPECT_CONTAINS(message, "9223372036854775807");
  }
}

TEST_F(CorruptSafetensors, SizeDisagreesWithShape) {
  EXPECT_CONTAINS(error_with_entry(R"({"dtype":"F32","shape":[2,2],"data_offsets":[0,12]})",
                                   f32_bytes({1, 2, 3})),
                  "data_offsets [0, 12] hold 12 bytes; expected 16 (shape [2, 2] of F32: 4 "
                  "elements of 4 bytes)");
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F64","shape":[],"data_offsets":[0,4]})", f32_bytes({1})),
      "hold 4 bytes; expected 8");
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})", f32_bytes({1, 2})),
      "end before they begin");
}

TEST_F(CorruptSafetensors, OffsetsOutOfRangeOverlappingOrWithGaps) {
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})", f32_bytes({1})),
      "data_offsets [0, 8] reach past the end of the data, which holds 4 bytes");
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})", f32_bytes({1, 2})),
      "bytes [0, 4) of the data belong to no tensor (a gap before 't')");
  const std::string overlapping = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  EXPECT_CONTAINS(error_loading(file_bytes(overlapping, f32_bytes({1, 2, 3}))),
                  "tensors 'a' (data_offsets [0, 8]) and 'b' ([4, 12]) overlap");
  const std::string gap = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
  EXPECT_CONTAINS(error_loading(file_bytes(gap, f32_bytes({1, 2, 3}))),
                  "bytes [4, 8) of the data belong to no tensor (a gap before 'b')");
}

TEST_F(CorruptSafetensors, TrailingBytesAfterTheLastTensor) {
  EXPECT_CONTAINS(
      error_with_entry(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})", f32_bytes({1, 2})),
      "4 trailing bytes after the last tensor");
  EXPECT_CONTAINS(error_loading(file_bytes("{}", "xyz")), "3 trailing bytes");
}

TEST_F(CorruptSafetensors, DuplicateNamesAndBadMetadata) {
  const std::string entry = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
  EXPECT_CONTAINS(
      error_loading(file_bytes("{\"t\":" + entry + ",\"t\":" + entry + "}", f32_bytes({1}))),
      "tensor 't' appears twice");
  EXPECT_CONTAINS(error_loading(file_bytes(R"({"__metadata__":{"epoch":3}})", "")),
                  "\"__metadata__\" value of 'epoch' is a number; expected a string");
  EXPECT_CONTAINS(error_loading(file_bytes(R"({"__metadata__":{"a":null}})", "")),
                  "value of 'a' is null");
  EXPECT_CONTAINS(error_loading(file_bytes(R"({"__metadata__":["pt"]})", "")),
                  "\"__metadata__\" is an array; expected an object of strings");
  EXPECT_CONTAINS(error_loading(file_bytes(R"({"__metadata__":{"a":"1","a":"2"}})", "")),
                  "key 'a' appears twice");
  EXPECT_CONTAINS(error_loading(file_bytes(R"({"__metadata__":{},"__metadata__":{}})", "")),
                  "\"__metadata__\" appears twice");
}

// Every truncation of a valid file is reported as an Error (the data must end exactly where the
// header says), never a crash or another exception.
TEST_F(CorruptSafetensors, EveryTruncationIsAnError) {
  const fs::path good = dir_ / "good.safetensors";
  io::save_safetensors(good,
                       {{"w", mt::arange(6).view({2, 3})},
                        {"b", mt::ones({2}, {.dtype = mt::kFloat64})},
                        {"s", mt::full({}, 3)}},
                       {{"note", "x"}});
  const std::string bytes = read_bytes(good);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    const fs::path path = dir_ / "cut.safetensors";
    write_bytes(path, bytes.substr(0, cut));
    try {
      io::load_safetensors(path);
      ADD_FAILURE() << "a file cut at " << cut << " of " << bytes.size() << " bytes loaded";
    } catch (const mt::Error&) {
    }
  }
}

// Random damage to a valid file either still loads or throws Error; nothing else happens.
RC_GTEST_PROP(SafetensorsProperty, DamagedFilesLoadOrThrowError,
              (const std::vector<std::pair<std::uint16_t, std::uint8_t>>& flips)) {
  TempDir dir;
  const fs::path path = dir / "m.safetensors";
  io::save_safetensors(
      path, {{"a", mt::arange(5)}, {"b", mt::ones({2, 2}, {.dtype = mt::kFloat64})}}, {{"k", "v"}});
  std::string bytes = read_bytes(path);
  for (const auto& [position, value] : flips) {
    bytes[position % bytes.size()] = static_cast<char>(value);
  }
  write_bytes(path, bytes);
  try {
    const auto file = io::load_safetensors(path);
    RC_ASSERT(file.tensors.size() <= 2u);
  } catch (const mt::Error&) {
  }
}

// ---- atomic writes -----------------------------------------------------------------------------

TEST(AtomicFile, ReplacesWholeFilesAndLeavesNoTemporary) {
  TempDir dir;
  io::write_file_atomically(dir / "f", "a longer first version");
  io::write_file_atomically(dir / "f", "second");
  EXPECT_EQ(read_bytes(dir / "f"), "second");
  const std::vector<std::string_view> pieces = {"one ", "", "two"};
  io::write_file_atomically(dir / "g", pieces);
  EXPECT_EQ(read_bytes(dir / "g"), "one two");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"f", "g"}));
}

TEST(AtomicFile, FailedSaveOntoADirectoryLeavesNoTemporary) {
  TempDir dir;
  fs::create_directory(dir / "model.safetensors");
  const std::string message = error_of([&] {
    io::save_safetensors(dir / "model.safetensors", {{"w", mt::ones({2})}});
  });
  EXPECT_CONTAINS(message, (dir / "model.safetensors").string());
  EXPECT_CONTAINS(message, "Is a directory");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"model.safetensors"});
}

TEST(AtomicFile, FailedSaveIntoAMissingDirectoryNamesThePath) {
  TempDir dir;
  const std::string message = error_of([&] {
    io::save_safetensors(dir / "no" / "m.safetensors", {{"w", mt::ones({2})}});
  });
  EXPECT_CONTAINS(message, "no/m.safetensors");
  EXPECT_CONTAINS(message, "No such file or directory");
}

// The temporary file cannot be created: the target's name is as long as a name may be (NAME_MAX),
// so the temporary's (the target's name and a suffix) is refused with ENAMETOOLONG. That binds
// root too (a read-only directory does not stop root, and tests run as root in CI), and, unlike an
// exhausted open-file limit, leaves the sanitizers' runtime the descriptors it needs.
TEST(AtomicFile, FailedCreationOfTheTemporaryFileKeepsTheOldFile) {
  TempDir dir;
  const long name_max = ::pathconf(dir.path().c_str(), _PC_NAME_MAX);
  ASSERT_GT(name_max, 16);
  const fs::path target =
      dir / (std::string(static_cast<std::size_t>(name_max) - 12, 'm') + ".safetensors");
  const std::string old = "the previous checkpoint";
  write_bytes(target, old);
  const std::string message = error_of([&] {
    io::save_safetensors(target, {{"w", mt::zeros({9})}});
  });
  EXPECT_CONTAINS(message, "creating a temporary file failed: File name too long");
  EXPECT_CONTAINS(message, target.string());
  EXPECT_EQ(read_bytes(target), old);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{target.filename().string()});
}

// A write that fails half-way (here: the file-size limit, which binds root too) removes the
// temporary file and leaves the previous checkpoint as it was.
TEST(AtomicFile, FailedWriteKeepsTheOldFile) {
  TempDir dir;
  io::save_safetensors(dir / "m.safetensors", {{"w", mt::ones({2})}});
  const std::string old = read_bytes(dir / "m.safetensors");
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = 4096;
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string message = error_of([&] {
    io::save_safetensors(dir / "m.safetensors", {{"w", mt::zeros({10000})}});
  });
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);
  EXPECT_CONTAINS(message, "File too large");
  EXPECT_CONTAINS(message, (dir / "m.safetensors").string());
  EXPECT_EQ(read_bytes(dir / "m.safetensors"), old);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"m.safetensors"});
}

// ---- modules -----------------------------------------------------------------------------------

TEST(StateDict, SaveAndLoadCopiesEveryParameterInPlace) {
  TempDir dir;
  mt::manual_seed(1);
  Net trained;
  io::save_state_dict(trained, dir / "model.safetensors", {{"arch", "net"}});
  mt::manual_seed(2);
  Net fresh;
  const mt::Tensor weight_handle = fresh.l1->weight;  // as an optimizer would hold it
  ASSERT_NE(values_of(fresh), values_of(trained));
  const auto metadata = io::load_state_dict(fresh, dir / "model.safetensors");
  EXPECT_EQ(values_of(fresh), values_of(trained));
  EXPECT_EQ(weight_handle.to_vector(), trained.l1->weight.to_vector());
  EXPECT_TRUE(fresh.l1->weight.requires_grad());
  EXPECT_EQ(metadata.at("arch"), "net");
  const auto file = io::load_safetensors(dir / "model.safetensors");
  std::vector<std::string> names;
  for (const auto& [name, tensor] : file.tensors) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"l1.weight", "l1.bias", "l2.weight", "l2.bias"}));
}

TEST(StateDict, ReportsMissingAndUnexpectedKeysTogether) {
  Net net;
  const auto before = values_of(net);
  io::SafetensorsFile file;
  file.path = "ckpt.safetensors";
  file.tensors = {
      {"l1.weight", mt::zeros({3, 2})}, {"l1.bias", mt::zeros({3})}, {"head.w", mt::zeros({1})}};
  const std::string message = error_of([&] { io::load_state_dict(net, file); });
  EXPECT_CONTAINS(message, "load_state_dict: cannot load 'ckpt.safetensors' into Net:");
  EXPECT_CONTAINS(message, "Missing key(s) in state_dict: \"l2.weight\", \"l2.bias\".");
  EXPECT_CONTAINS(message, "Unexpected key(s) in state_dict: \"head.w\".");
  EXPECT_EQ(values_of(net), before);  // l1 matched, yet nothing was copied
}

TEST(StateDict, ReportsShapeAndDtypeMismatchesAndLeavesTheModelUnchanged) {
  Net net;
  const auto before = values_of(net);
  io::SafetensorsFile file;
  file.tensors = {{"l1.weight", mt::zeros({4, 2})},
                  {"l1.bias", mt::zeros({3}, {.dtype = mt::kFloat64})},
                  {"l2.weight", mt::zeros({1, 3})},
                  {"l2.bias", mt::zeros({1})}};
  const std::string message = error_of([&] { io::load_state_dict(net, file); });
  EXPECT_CONTAINS(message, "size mismatch for l1.weight: checkpoint [4, 2], model [3, 2]");
  EXPECT_CONTAINS(message, "dtype mismatch for l1.bias: checkpoint F64 (float64), model float32");
  EXPECT_EQ(message.find("Missing"), std::string::npos);
  EXPECT_EQ(values_of(net), before);
}

TEST(StateDict, LoadsFloat64Models) {
  TempDir dir;
  Net source(3, mt::kFloat64);
  io::save_state_dict(source, dir / "m.safetensors");
  Net target(3, mt::kFloat64);
  io::load_state_dict(target, dir / "m.safetensors");
  EXPECT_EQ(values_of(target), values_of(source));
  Net single(3, mt::kFloat32);
  EXPECT_CONTAINS(error_of([&] { io::load_state_dict(single, dir / "m.safetensors"); }),
                  "dtype mismatch for l1.weight: checkpoint F64 (float64), model float32");
}
