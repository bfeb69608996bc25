// The reverse-mode engine (minitorch/autodiff/engine.h) over Python variables: Scalar, and any
// object following the course's Variable protocol (unique_id, is_leaf(), is_constant(), parents,
// chain_rule(d), accumulate_derivative(d)). Derivatives are Python objects added with Python's `+`.
//
// Every step calls back into Python, so the GIL stays held; an exception raised by a callback
// leaves the engine as py::error_already_set and reaches the caller unchanged.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "minitorch/autodiff/engine.h"

namespace minitorch::python {

namespace {

bool truthy(py::handle value) {
  const int result = PyObject_IsTrue(value.ptr());
  if (result < 0) throw py::error_already_set();
  return result != 0;
}

// The engine identifies nodes by non-zero integers; Python variables may use any hashable
// unique_id, so each one seen during a call gets the next integer.
class IdTable {
 public:
  std::uint64_t id_of(py::handle variable) {
    py::object key = variable.attr("unique_id");
    PyObject* found = PyDict_GetItemWithError(ids_.ptr(), key.ptr());
    if (found != nullptr) return PyLong_AsUnsignedLongLong(found);
    if (PyErr_Occurred()) throw py::error_already_set();
    ids_[key] = py::int_(next_);
    return next_++;
  }

 private:
  py::dict ids_;
  std::uint64_t next_ = 1;
};

struct PyDerivative {
  py::object value;

  friend PyDerivative operator+(const PyDerivative& a, const PyDerivative& b) {
    PyObject* sum = PyNumber_Add(a.value.ptr(), b.value.ptr());
    if (sum == nullptr) throw py::error_already_set();
    return {py::reinterpret_steal<py::object>(sum)};
  }
};

class PyVariable {
 public:
  PyVariable(py::object object, IdTable* ids) : object_(std::move(object)), ids_(ids) {}

  const py::object& object() const { return object_; }

  std::uint64_t unique_id() const { return ids_->id_of(object_); }
  bool is_leaf() const { return truthy(object_.attr("is_leaf")()); }
  bool is_constant() const { return truthy(object_.attr("is_constant")()); }

  std::vector<PyVariable> parents() const {
    std::vector<PyVariable> out;
    for (py::handle parent : object_.attr("parents")) {
      out.emplace_back(py::reinterpret_borrow<py::object>(parent), ids_);
    }
    return out;
  }

  std::vector<std::pair<PyVariable, PyDerivative>> chain_rule(const PyDerivative& d) const {
    std::vector<std::pair<PyVariable, PyDerivative>> out;
    for (py::handle item : object_.attr("chain_rule")(d.value)) {
      if (!py::isinstance<py::sequence>(item) || py::len(item) != 2) {
        throw py::type_error("chain_rule must give (variable, derivative) pairs; got a " +
                             std::string(py::str(py::type::handle_of(item).attr("__name__"))));
      }
      py::sequence pair = py::reinterpret_borrow<py::sequence>(item);
      out.emplace_back(PyVariable(pair[0], ids_), PyDerivative{pair[1]});
    }
    return out;
  }

  void accumulate_derivative(const PyDerivative& d) const {
    object_.attr("accumulate_derivative")(d.value);
  }

 private:
  py::object object_;
  IdTable* ids_;
};

}  // namespace

void bind_autodiff(py::module_& m) {
  m.def(
      "topological_sort",
      [](py::object variable) {
        IdTable ids;
        py::list out;
        for (const PyVariable& node : autodiff::topological_sort(PyVariable(variable, &ids))) {
          out.append(node.object());
        }
        return out;
      },
      py::arg("variable"),
      "The non-constant variables reachable from `variable`, each once and before its parents "
      "(`variable` first).");
  m.def(
      "backpropagate",
      [](py::object variable, py::object deriv) {
        IdTable ids;
        autodiff::backpropagate(PyVariable(variable, &ids), PyDerivative{std::move(deriv)});
      },
      py::arg("variable"), py::arg("deriv"),
      "Adds deriv times the derivative of `variable` to every leaf it depends on.");
}

}  // namespace minitorch::python
