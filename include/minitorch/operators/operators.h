// Scalar operators — each operation written once, forward rule next to its derivative.
//
// Every operation of the framework is a small stateless functor here. `operator()` is the forward
// rule; `backward` takes the forward inputs and the upstream derivative `d` and returns d times the
// local derivative (one value for unary operators, a Grad2 for binary ones). The scalar autodiff,
// the reference and fast CPU backends and the CUDA kernels all instantiate these functors, so no
// backend rewrites an operation. All functors are templates over the value type (float, double),
// constexpr where the standard library allows, and usable from host and device code.
//
// Conventions (as MiniTorch's module 0):
//   - comparisons return 1 or 0 in the value type and have zero derivative;
//   - is_close(a, b) is |a - b| < 1e-2 (absolute tolerance);
//   - sigmoid is computed in the form that cannot overflow for either sign of x;
//   - relu'(0) = 0; max routes the derivative to the larger input and splits it on ties (as
//     torch.maximum does);
//   - log is the natural logarithm without an epsilon (PyTorch's semantics: log(0) = -inf).
#pragma once

#include <cmath>

#include "minitorch/core/macros.h"

namespace minitorch::operators {

// The two partial derivatives of a binary operator, already multiplied by the upstream derivative.
template <class T>
struct Grad2 {
  T a;
  T b;
};

// ---- unary -------------------------------------------------------------------------------------

struct Id {
  static constexpr const char* name = "id";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T x) const {
    return x;
  }
  template <class T>
  MT_HOST_DEVICE constexpr T backward(T /*x*/, T d) const {
    return d;
  }
};

struct Neg {
  static constexpr const char* name = "neg";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T x) const {
    return -x;
  }
  template <class T>
  MT_HOST_DEVICE constexpr T backward(T /*x*/, T d) const {
    return -d;
  }
};

// d/dx (1/x) = -1/x²
struct InvBack {
  static constexpr const char* name = "inv_back";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T x, T d) const {
    return -d / (x * x);
  }
};

struct Inv {
  static constexpr const char* name = "inv";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T x) const {
    return T(1) / x;
  }
  template <class T>
  MT_HOST_DEVICE constexpr T backward(T x, T d) const {
    return InvBack{}(x, d);
  }
};

// d/dx log x = 1/x
struct LogBack {
  static constexpr const char* name = "log_back";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T x, T d) const {
    return d / x;
  }
};

struct Log {
  static constexpr const char* name = "log";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE T operator()(T x) const {
    return std::log(x);
  }
  template <class T>
  MT_HOST_DEVICE constexpr T backward(T x, T d) const {
    return LogBack{}(x, d);
  }
};

// d/dx e^x = e^x
struct Exp {
  static constexpr const char* name = "exp";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE T operator()(T x) const {
    return std::exp(x);
  }
  template <class T>
  MT_HOST_DEVICE T backward(T x, T d) const {
    return std::exp(x) * d;
  }
};

// σ'(x) = σ(x)(1 - σ(x))
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE T operator()(T x) const {
    // exp of a non-positive number never overflows; each branch uses only that.
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
  template <class T>
  MT_HOST_DEVICE T backward(T x, T d) const {
    const T s = (*this)(x);
    return s * (T(1) - s) * d;
  }
};

// relu'(x) = 1 if x > 0 else 0
struct ReluBack {
  static constexpr const char* name = "relu_back";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T x, T d) const {
    return x > T(0) ? d : T(0);
  }
};

struct Relu {
  static constexpr const char* name = "relu";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T x) const {
    return x > T(0) ? x : T(0);
  }
  template <class T>
  MT_HOST_DEVICE constexpr T backward(T x, T d) const {
    return ReluBack{}(x, d);
  }
};

// tanh'(x) = 1 - tanh²(x)
struct Tanh {
  static constexpr const char* name = "tanh";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE T operator()(T x) const {
    return std::tanh(x);
  }
  template <class T>
  MT_HOST_DEVICE T backward(T x, T d) const {
    const T t = std::tanh(x);
    return (T(1) - t * t) * d;
  }
};

// d/dx √x = 1 / (2√x)
struct Sqrt {
  static constexpr const char* name = "sqrt";
  static constexpr int arity = 1;
  template <class T>
  MT_HOST_DEVICE T operator()(T x) const {
    return std::sqrt(x);
  }
  template <class T>
  MT_HOST_DEVICE T backward(T x, T d) const {
    return d / (T(2) * std::sqrt(x));
  }
};

// ---- binary ------------------------------------------------------------------------------------

struct Add {
  static constexpr const char* name = "add";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a + b;
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T /*a*/, T /*b*/, T d) const {
    return {d, d};
  }
};

struct Sub {
  static constexpr const char* name = "sub";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a - b;
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T /*a*/, T /*b*/, T d) const {
    return {d, -d};
  }
};

// ∂(ab)/∂a = b, ∂(ab)/∂b = a
struct Mul {
  static constexpr const char* name = "mul";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a * b;
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T a, T b, T d) const {
    return {b * d, a * d};
  }
};

// ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -a/b²
struct Div {
  static constexpr const char* name = "div";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a / b;
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T a, T b, T d) const {
    return {d / b, -a * d / (b * b)};
  }
};

// ∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a
struct Pow {
  static constexpr const char* name = "pow";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE T operator()(T a, T b) const {
    return std::pow(a, b);
  }
  template <class T>
  MT_HOST_DEVICE Grad2<T> backward(T a, T b, T d) const {
    return {b * std::pow(a, b - T(1)) * d, std::pow(a, b) * std::log(a) * d};
  }
};

struct Max {
  static constexpr const char* name = "max";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a > b ? a : b;
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T a, T b, T d) const {
    if (a > b) return {d, T(0)};
    if (b > a) return {T(0), d};
    return {d / T(2), d / T(2)};
  }
};

// Comparisons are piecewise constant: zero derivative everywhere it exists.
struct Lt {
  static constexpr const char* name = "lt";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a < b ? T(1) : T(0);
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T /*a*/, T /*b*/, T /*d*/) const {
    return {T(0), T(0)};
  }
};

struct Gt {
  static constexpr const char* name = "gt";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a > b ? T(1) : T(0);
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T /*a*/, T /*b*/, T /*d*/) const {
    return {T(0), T(0)};
  }
};

struct Eq {
  static constexpr const char* name = "eq";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return a == b ? T(1) : T(0);
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T /*a*/, T /*b*/, T /*d*/) const {
    return {T(0), T(0)};
  }
};

struct IsClose {
  static constexpr const char* name = "is_close";
  static constexpr int arity = 2;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    const T diff = a > b ? a - b : b - a;
    return diff < T(1e-2) ? T(1) : T(0);
  }
  template <class T>
  MT_HOST_DEVICE constexpr Grad2<T> backward(T /*a*/, T /*b*/, T /*d*/) const {
    return {T(0), T(0)};
  }
};

// ---- ternary -----------------------------------------------------------------------------------

// where(c, a, b) = a if c != 0 else b. Its derivative is a selection, not a product: the tensor
// layer routes the gradient with where itself.
struct Where {
  static constexpr const char* name = "where";
  static constexpr int arity = 3;
  template <class T>
  MT_HOST_DEVICE constexpr T operator()(T c, T a, T b) const {
    return c != T(0) ? a : b;
  }
};

// ---- callable instances: operators::mul(2.0, 3.0), map(xs, operators::neg), ... ----------------

inline constexpr Id id{};
inline constexpr Neg neg{};
inline constexpr Inv inv{};
inline constexpr Log log{};
inline constexpr Exp exp{};
inline constexpr Sigmoid sigmoid{};
inline constexpr Relu relu{};
inline constexpr Tanh tanh{};
inline constexpr Sqrt sqrt{};
inline constexpr Pow pow{};
inline constexpr Add add{};
inline constexpr Sub sub{};
inline constexpr Mul mul{};
inline constexpr Div div{};
inline constexpr Max max{};
inline constexpr Lt lt{};
inline constexpr Gt gt{};
inline constexpr Eq eq{};
inline constexpr IsClose is_close{};
inline constexpr LogBack log_back{};
inline constexpr InvBack inv_back{};
inline constexpr ReluBack relu_back{};
inline constexpr Where where{};

}  // namespace minitorch::operators
