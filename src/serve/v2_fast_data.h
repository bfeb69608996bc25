// The numbers of an inference request's tensor, read straight from the body's text.
//
// An image request is one flat array of hundreds of numbers, and building a JSON tree of them
// costs ten times what reading them with std::from_chars does (about 80 against 8 microseconds for
// a 28x28 image), more than the forward pass of LeNet-5. find_numeric_data finds that array and
// reads it; the rest of the body (with the array left out, so small) is parsed with nlohmann-json
// as always, and parse_infer_request falls back to parsing the whole body with nlohmann-json
// whenever this path declines. It declines (nullopt) unless it is certain to read what
// nlohmann-json would: the body's root is an object whose one "inputs" key holds an array whose
// first element is an object with one "data" key, no key anywhere has an escape sequence, and that
// "data" array is flat and holds only numbers in JSON's grammar that a double holds without
// overflow or underflow. The libFuzzer harness fuzz_infer_request checks that both paths give the
// same request.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace minitorch::serve::v2 {

struct NumericData {
  std::size_t begin = 0, end = 0;  // the array's text in the body, '[' to ']' included
  std::vector<double> values;      // as nlohmann-json's get<double>() gives them
};

std::optional<NumericData> find_numeric_data(const std::string& body);

}  // namespace minitorch::serve::v2
