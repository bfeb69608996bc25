// Graphviz DOT export of a computation graph.
//
// to_dot(root) walks every node reachable from root (constants included) and writes one value node
// per variable (an ellipse labelled by v.label()), one operation node per non-leaf variable (a box
// labelled by v.op_name()), an edge from each input to its operation labelled with the argument
// position, and an edge from the operation to the value it produced. Requires V to provide
// unique_id(), parents(), op_name() (empty for leaves and constants) and label(). The output is
// deterministic: nodes are numbered in the order a breadth-first walk from root meets them.
#pragma once

#include <cstdint>
#include <deque>
#include <sstream>
#include <string>
#include <unordered_map>

namespace minitorch::autodiff {

inline std::string dot_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

template <class V>
std::string to_dot(const V& root, const std::string& graph_name = "computation") {
  std::ostringstream dot;
  dot << "digraph \"" << dot_escape(graph_name) << "\" {\n"
      << "  rankdir=LR;\n"
      << "  node [fontname=\"Helvetica\"];\n";

  std::unordered_map<std::uint64_t, int> number;  // variable id -> node number
  std::deque<V> queue;
  auto visit = [&](const V& v) {
    auto [it, inserted] = number.try_emplace(v.unique_id(), static_cast<int>(number.size()));
    if (inserted) {
      queue.push_back(v);
      dot << "  v" << it->second << " [shape=ellipse, label=\"" << dot_escape(v.label())
          << "\"];\n";
    }
    return it->second;
  };

  visit(root);
  while (!queue.empty()) {
    const V v = queue.front();
    queue.pop_front();
    const std::string op = v.op_name();
    if (op.empty()) continue;
    const int out = number.at(v.unique_id());
    dot << "  op" << out << " [shape=box, style=bold, label=\"" << dot_escape(op) << "\"];\n";
    dot << "  op" << out << " -> v" << out << ";\n";
    int position = 0;
    for (const auto& parent : v.parents()) {
      const int in = visit(parent);
      dot << "  v" << in << " -> op" << out << " [label=\"" << position++ << "\"];\n";
    }
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace minitorch::autodiff
