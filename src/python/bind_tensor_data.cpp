// TensorData (MiniTorch module 2): a strided view of flat storage, with the course's members, and
// the index arithmetic of shape.h (index_to_position, to_index, broadcast_index, shape_broadcast).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "bindings.h"
#include "minitorch/storage/storage.h"
#include "minitorch/storage/tensor_data.h"

namespace minitorch::python {

// The course's index argument: an int (one dimension) or a sequence of ints, checked against
// the shape (count, range, sign) with IndexingError naming what was wrong.
Index checked_index(const TensorData& data, py::handle key) {
  Index index;
  if (PyIndex_Check(key.ptr()) != 0 && !py::isinstance<py::array>(key)) {
    index.push_back(shape_from(key)[0]);
  } else if (py::isinstance<py::sequence>(key) || py::hasattr(key, "__array__")) {
    for (std::int64_t i : shape_from(key)) index.push_back(i);
  } else {
    throw py::type_error("an index is an int or a tuple of ints; got " +
                         std::string(py::str(key.get_type().attr("__name__"))));
  }
  const Shape& shape = data.shape();
  if (index.size() != shape.size()) {
    throw_indexing_error("index " + shape_to_string(index) + " has " +
                         std::to_string(index.size()) + " dimensions; the shape " +
                         shape_to_string(shape) + " has " + std::to_string(shape.size()));
  }
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (index[d] < 0 || index[d] >= shape[d]) {
      throw_indexing_error("index " + shape_to_string(index) + " is out of range for shape " +
                           shape_to_string(shape) + " (dimension " + std::to_string(d) +
                           " holds 0.." + std::to_string(shape[d] - 1) + ")");
    }
  }
  return index;
}

namespace {

// The storage as a 1-D NumPy array sharing its memory (CPU storage only).
}  // namespace

py::array storage_array(const std::shared_ptr<Storage>& storage) {
  if (!storage->device().is_cpu()) {
    throw Error("the storage lives on " + storage->device().str() +
                "; expected a CPU tensor (copy it with .cpu() first)");
  }
  auto* owner = new std::shared_ptr<Storage>(storage);
  py::capsule base(owner, [](void* p) { delete static_cast<std::shared_ptr<Storage>*>(p); });
  if (storage->dtype() == kFloat64) {
    return py::array_t<double>({storage->size()}, {sizeof(double)}, storage->data<double>(), base);
  }
  return py::array_t<float>({storage->size()}, {sizeof(float)}, storage->data<float>(), base);
}

namespace {

// IndexingError unless `size` storage elements hold every element of the view.
void check_span(std::int64_t size, const Shape& shape, const Strides& strides) {
  std::int64_t span = numel(shape) == 0 ? 0 : 1;
  for (std::size_t d = 0; d < shape.size() && span > 0; ++d) {
    if (strides[d] < 0) {
      throw_indexing_error("strides " + shape_to_string(strides) +
                           " hold a negative stride; expected strides >= 0");
    }
    span += (shape[d] - 1) * strides[d];
  }
  if (size < span) {
    throw_indexing_error("storage of " + std::to_string(size) + " values is too small for shape " +
                         shape_to_string(shape) + " with strides " + shape_to_string(strides) +
                         "; expected at least " + std::to_string(span));
  }
}

TensorData from_values(py::handle values, const Shape& shape, std::optional<Strides> strides,
                       Dtype dtype) {
  if (strides && strides->size() != shape.size()) {
    throw_indexing_error("strides " + shape_to_string(*strides) + " and shape " +
                         shape_to_string(shape) +
                         " have different lengths; expected one stride "
                         "per dimension");
  }
  const Strides actual = strides ? *strides : strides_from_shape(shape);
  std::shared_ptr<Storage> storage = shared_storage(values, dtype);
  std::vector<double> flat;
  if (storage) {
    check_span(storage->size(), shape, actual);
    return TensorData(std::move(storage), shape, actual, 0);
  }
  if (!py::isinstance<py::iterable>(values)) {
    throw py::type_error("TensorData: storage must be a sequence of numbers; got " +
                         std::string(py::str(values.get_type().attr("__name__"))));
  }
  for (py::handle v : values) {
    try {
      flat.push_back(v.cast<double>());
    } catch (const py::cast_error&) {
      throw py::type_error("TensorData: storage must hold numbers; got an element of type " +
                           std::string(py::str(v.get_type().attr("__name__"))));
    }
  }
  check_span(static_cast<std::int64_t>(flat.size()), shape, actual);
  storage = std::make_shared<Storage>(dtype, static_cast<std::int64_t>(flat.size()));
  for (std::size_t i = 0; i < flat.size(); ++i) storage->set(static_cast<std::int64_t>(i), flat[i]);
  return TensorData(storage, shape, actual, 0);
}

// The course's to_string: each dimension opens on its own line, indented by one tab per outer
// dimension; values as "%3.2f", separated by spaces; brackets close after a dimension's last value.
std::string course_string(const TensorData& data) {
  const Shape& shape = data.shape();
  const auto dims = static_cast<std::int64_t>(shape.size());
  Index index(shape.size(), 0);
  std::string out;
  char value[64];
  for (std::int64_t ordinal = 0; ordinal < data.numel(); ++ordinal) {
    to_index(ordinal, shape, index);
    std::string opening;
    for (std::int64_t i = dims - 1; i >= 0 && index[i] == 0; --i) {
      opening = "\n" + std::string(i, '\t') + "[" + opening;
    }
    std::snprintf(value, sizeof value, "%3.2f", data.get(index));
    std::string closing;
    for (std::int64_t i = dims - 1; i >= 0 && index[i] == shape[i] - 1; --i) closing += "]";
    out += opening + value + (closing.empty() ? " " : closing);
  }
  return out;
}

class IndexIterator {
 public:
  explicit IndexIterator(Shape shape) : shape_(std::move(shape)), count_(numel(shape_)) {}
  py::tuple next() {
    if (ordinal_ >= count_) throw py::stop_iteration();
    Index index(shape_.size());
    to_index(ordinal_++, shape_, index);
    return to_tuple(index);
  }

 private:
  Shape shape_;
  std::int64_t count_;
  std::int64_t ordinal_ = 0;
};

Shape checked_broadcast(const Shape& a, const Shape& b) {
  try {
    return broadcast_shapes(a, b);
  } catch (const Error& e) {
    throw_indexing_error(e.what());
  }
}

}  // namespace

void bind_tensor_data(py::module_& m) {
  py::class_<IndexIterator>(m, "_IndexIterator")
      .def("__iter__", [](IndexIterator& it) -> IndexIterator& { return it; })
      .def("__next__", &IndexIterator::next);

  py::class_<TensorData>(m, "TensorData")
      .def(py::init([](py::handle storage, py::handle shape, py::handle strides, py::handle dtype) {
             std::optional<Strides> s;
             if (!strides.is_none()) s = shape_from(strides);
             return from_values(storage, shape_from(shape), s, dtype_from(dtype));
           }),
           py::arg("storage"), py::arg("shape"), py::arg("strides") = py::none(),
           py::arg("dtype") = py::none(),
           "Values (a sequence or a NumPy array, copied) viewed with a shape and, optionally, "
           "strides (row-major when omitted).")
      .def_property_readonly("_storage",
                             [](const TensorData& d) { return storage_array(d.storage()); })
      .def_property_readonly("shape", [](const TensorData& d) { return to_tuple(d.shape()); })
      .def_property_readonly("strides", [](const TensorData& d) { return to_tuple(d.strides()); })
      .def_property_readonly("offset", &TensorData::offset)
      .def_property_readonly("dims", &TensorData::dim)
      .def_property_readonly("size", &TensorData::numel)
      .def_property_readonly("dtype", &TensorData::dtype)
      .def("is_contiguous", &TensorData::is_contiguous)
      .def("index",
           [](const TensorData& d, py::handle key) {
             const Index index = checked_index(d, key);
             return d.position(index);
           })
      .def("indices", [](const TensorData& d) { return IndexIterator(d.shape()); })
      .def("sample",
           [](const TensorData& d) {
             py::object randint = py::module_::import("random").attr("randint");
             py::tuple out(d.shape().size());
             for (std::size_t i = 0; i < d.shape().size(); ++i) {
               out[i] = randint(0, d.shape()[i] - 1);
             }
             return out;
           })
      .def("get", [](const TensorData& d, py::handle key) { return d.get(checked_index(d, key)); })
      .def("set", [](const TensorData& d, py::handle key,
                     double value) { d.set(checked_index(d, key), value); })
      .def("permute",
           [](const TensorData& d, const py::args& order) {
             const Shape o = shape_from_args(order);
             return d.permute(o);
           })
      .def("to_string", &course_string)
      .def("tuple",
           [](const TensorData& d) {
             return py::make_tuple(storage_array(d.storage()), to_tuple(d.shape()),
                                   to_tuple(d.strides()));
           })
      .def_static("shape_broadcast",
                  [](py::handle a, py::handle b) {
                    return to_tuple(checked_broadcast(shape_from(a), shape_from(b)));
                  })
      .def("__repr__", [](const TensorData& d) {
        return "TensorData(shape=" + shape_to_string(d.shape()) +
               ", strides=" + shape_to_string(d.strides()) + ")";
      });

  m.def("shape_broadcast", [](py::handle a, py::handle b) {
    return to_tuple(checked_broadcast(shape_from(a), shape_from(b)));
  });
  m.def("strides_from_shape",
        [](py::handle shape) { return to_tuple(strides_from_shape(shape_from(shape))); });
  m.def("index_to_position", [](py::handle index, py::handle strides) {
    const Shape i = shape_from(index);
    const Shape s = shape_from(strides);
    if (i.size() != s.size()) throw_indexing_error("index and strides differ in length");
    return index_to_position(i, s);
  });
  // The course's out-parameter forms: `out_index` is a NumPy integer array written in place.
  m.def("to_index", [](std::int64_t ordinal, py::handle shape, py::array out_index) {
    const Shape s = shape_from(shape);
    Index index(s.size());
    to_index(ordinal, s, index);
    for (std::size_t i = 0; i < index.size(); ++i) {
      out_index[py::int_(i)] = py::int_(index[i]);
    }
  });
  m.def("broadcast_index",
        [](py::handle big_index, py::handle big_shape, py::handle shape, py::array out_index) {
          const Shape bi = shape_from(big_index);
          const Shape bs = shape_from(big_shape);
          const Shape s = shape_from(shape);
          Index index(s.size());
          broadcast_index(bi, bs, s, index);
          for (std::size_t i = 0; i < index.size(); ++i) {
            out_index[py::int_(i)] = py::int_(index[i]);
          }
        });
}

}  // namespace minitorch::python
