// IdIndex — a small open-addressing map from node ids (non-zero) to positions, for the engine.
//
// One backward pass looks up every node a few times; a flat table with linear probing avoids the
// per-entry allocations of std::unordered_map, which dominated small graphs.
//   insert(id, position) -> true when id was new (and now maps to position); false, leaving the
//                           stored position, when it was present
//   find(id)             -> the stored position, or -1
#pragma once

#include <cstdint>
#include <vector>

namespace minitorch::autodiff {

class IdIndex {
 public:
  explicit IdIndex(std::size_t expected = 16) {
    std::size_t capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    slots_.assign(capacity, Slot{});
  }

  bool insert(std::uint64_t id, std::int64_t position) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    Slot& slot = probe(id);
    if (slot.id != 0) return false;
    slot = {id, position};
    ++size_;
    return true;
  }

  std::int64_t find(std::uint64_t id) const {
    const Slot& slot = const_cast<IdIndex*>(this)->probe(id);
    return slot.id == 0 ? -1 : slot.position;
  }

 private:
  struct Slot {
    std::uint64_t id = 0;
    std::int64_t position = -1;
  };

  Slot& probe(std::uint64_t id) {
    const std::size_t mask = slots_.size() - 1;
    // Fibonacci hashing spreads consecutive ids over the table.
    for (std::size_t i = (id * 0x9e3779b97f4a7c15ULL) >> 7 & mask;; i = (i + 1) & mask) {
      if (slots_[i].id == id || slots_[i].id == 0) return slots_[i];
    }
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    for (const Slot& slot : old) {
      if (slot.id != 0) probe(slot.id) = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace minitorch::autodiff
