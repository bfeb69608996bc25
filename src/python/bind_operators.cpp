// Module 0 of the course on the C++ core: the scalar operators (forward rules in _C.operators, the
// functors' derivatives in _C.derivatives), map / zipWith / reduce over Python callables, the list
// helpers, central differences and the six data sets.
//
// Every operator is bound by one template over its functor (instantiated on double), so the
// Python functions, the scalar autodiff and the tensor backends share each rule. The callables
// given to map / zipWith / reduce are Python functions: the GIL stays held throughout.
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "bindings.h"
#include "minitorch/autodiff/central_difference.h"
#include "minitorch/functional/functional.h"
#include "minitorch/operators/operators.h"
#ifdef MINITORCH_PYTHON_WITH_DATA
#include "minitorch/data/datasets.h"
#endif

namespace minitorch::python {

namespace {

namespace ops = minitorch::operators;

std::string type_name(py::handle object) {
  return py::str(py::type::handle_of(object).attr("__name__"));
}

// ---- operators ----------------------------------------------------------------------------------

template <class F>
void def_forward(py::module_& m) {
  const std::string doc = std::string("The operator ") + F::name + " on floats.";
  if constexpr (F::arity == 1) {
    m.def(
        F::name, [](double x) { return F{}(x); }, py::arg("x"), doc.c_str());
  } else {
    m.def(
        F::name, [](double x, double y) { return F{}(x, y); }, py::arg("x"), py::arg("y"),
        doc.c_str());
  }
}

// The functor's backward: d times its derivative (a pair (da, db) for binary operators).
template <class F>
void def_backward(py::module_& m) {
  const std::string doc = std::string("d times the derivative of ") + F::name + ".";
  if constexpr (F::arity == 1) {
    m.def(
        F::name, [](double x, double d) { return F{}.backward(x, d); }, py::arg("x"), py::arg("d"),
        doc.c_str());
  } else {
    m.def(
        F::name,
        [](double a, double b, double d) {
          const auto grad = F{}.backward(a, b, d);
          return py::make_tuple(grad.a, grad.b);
        },
        py::arg("a"), py::arg("b"), py::arg("d"), doc.c_str());
  }
}

template <class... F>
void def_forwards(py::module_& m) {
  (def_forward<F>(m), ...);
}

template <class... F>
void def_backwards(py::module_& m) {
  (def_backward<F>(m), ...);
}

// ---- higher-order functions ---------------------------------------------------------------------

std::vector<py::object> objects_from(py::handle iterable) {
  std::vector<py::object> out;
  if (py::hasattr(iterable, "__len__")) out.reserve(py::len(iterable));
  for (py::handle item : iterable) out.push_back(py::reinterpret_borrow<py::object>(item));
  return out;
}

std::vector<double> doubles_from(py::handle iterable, const char* function) {
  if (!py::isinstance<py::iterable>(iterable) || py::isinstance<py::str>(iterable)) {
    throw py::type_error(std::string(function) + ": expected an iterable of numbers; got " +
                         type_name(iterable));
  }
  std::vector<double> out;
  for (py::handle item : iterable) {
    const double value = PyFloat_AsDouble(item.ptr());
    if (value == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::type_error(std::string(function) + ": element " + std::to_string(out.size()) +
                           " is a " + type_name(item) + "; expected a number");
    }
    out.push_back(value);
  }
  return out;
}

py::list to_list(const std::vector<py::object>& values) {
  py::list out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return out;
}

py::list to_list(const std::vector<double>& values) {
  py::list out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = py::float_(values[i]);
  return out;
}

void bind_higher_order(py::module_& m) {
  m.def(
      "map",
      [](py::function fn) {
        return py::cpp_function([fn](py::iterable xs) {
          return to_list(functional::map(objects_from(xs),
                                         [&](const py::object& x) -> py::object { return fn(x); }));
        });
      },
      py::arg("fn"), "map(fn)(xs) = [fn(x) for x in xs].");
  m.def(
      "zipWith",
      [](py::function fn) {
        return py::cpp_function([fn](py::iterable xs, py::iterable ys) {
          return to_list(functional::zip_with(
              objects_from(xs), objects_from(ys),
              [&](const py::object& x, const py::object& y) -> py::object { return fn(x, y); }));
        });
      },
      py::arg("fn"), "zipWith(fn)(xs, ys) = [fn(x, y) for x, y in zip(xs, ys)] (equal lengths).");
  m.def(
      "reduce",
      [](py::function fn, py::object start) {
        return py::cpp_function([fn, start](py::iterable xs) {
          return functional::reduce(
              objects_from(xs), start,
              [&](const py::object& acc, const py::object& x) -> py::object { return fn(acc, x); });
        });
      },
      py::arg("fn"), py::arg("start"),
      "reduce(fn, start)(xs) = fn(...fn(fn(start, x0), x1)..., xn).");

  m.def(
      "negList",
      [](py::handle xs) { return to_list(functional::neg_list(doubles_from(xs, "negList"))); },
      py::arg("ls"));
  m.def(
      "addLists",
      [](py::handle xs, py::handle ys) {
        return to_list(
            functional::add_lists(doubles_from(xs, "addLists"), doubles_from(ys, "addLists")));
      },
      py::arg("ls1"), py::arg("ls2"));
  m.def(
      "sum", [](py::handle xs) { return functional::sum(doubles_from(xs, "sum")); }, py::arg("ls"));
  m.def(
      "prod", [](py::handle xs) { return functional::prod(doubles_from(xs, "prod")); },
      py::arg("ls"));
}

// ---- central differences ------------------------------------------------------------------------

void bind_central_difference(py::module_& m) {
  m.def(
      "central_difference",
      [](py::function f, const std::vector<double>& values, std::size_t arg, double epsilon) {
        return autodiff::central_difference(
            [&](const std::vector<double>& xs) { return f(py::cast(xs)).cast<double>(); }, values,
            arg, epsilon);
      },
      py::arg("f"), py::arg("values"), py::arg("arg"), py::arg("epsilon"),
      "(f(values with values[arg] + epsilon) - f(values with values[arg] - epsilon)) / (2 "
      "epsilon); f takes the list of values and returns a float.");
}

// ---- data sets ----------------------------------------------------------------------------------

void bind_datasets([[maybe_unused]] py::module_& m) {
#ifdef MINITORCH_PYTHON_WITH_DATA
  m.def("dataset_names", [] { return data::dataset_names(); });
  m.def(
      "make_dataset",
      [](const std::string& name, int points, std::uint64_t seed) {
        const data::Dataset2D set = data::make_dataset(name, points, seed);
        py::list xs(set.size());
        for (std::size_t i = 0; i < set.size(); ++i)
          xs[i] = py::make_tuple(set.x[i][0], set.x[i][1]);
        return py::make_tuple(xs, py::cast(set.y));
      },
      py::arg("name"), py::arg("points"), py::arg("seed") = 0,
      "The data set `name` as (points (x1, x2), labels 0 / 1); the same seed gives the same set.");
#endif
}

}  // namespace

void bind_operators(py::module_& m) {
  py::module_ operators = m.def_submodule("operators", "The course's operators on floats.");
  def_forwards<ops::Id, ops::Neg, ops::Inv, ops::Log, ops::Exp, ops::Sigmoid, ops::Relu, ops::Add,
               ops::Mul, ops::Max, ops::Lt, ops::Eq, ops::IsClose, ops::LogBack, ops::InvBack,
               ops::ReluBack>(operators);
  bind_higher_order(operators);
  py::module_ derivatives =
      m.def_submodule("derivatives", "Each operator's backward: d times its derivative.");
  def_backwards<ops::Id, ops::Neg, ops::Inv, ops::Log, ops::Exp, ops::Sigmoid, ops::Relu, ops::Add,
                ops::Mul, ops::Max, ops::Lt, ops::Eq>(derivatives);
  bind_central_difference(m);
  bind_datasets(m);
}

}  // namespace minitorch::python
