// ViewCache — the dashboard's small computed answers (data pages, inspection, graphs), kept so a
// page that asks again is answered at once, and recomputed when the files they came from change.
//
// get(key, stamp, compute) returns the value cached under key when it was computed for the same
// stamp (e.g. the mtimes and sizes of config.json and model.safetensors), else compute()'s value,
// which it keeps, dropping the least recently used entries beyond `capacity`. compute() runs with
// no lock held (two threads asking at once may both compute); its exceptions pass through and
// nothing is cached then. A caller that must compute once for identical requests serialises them
// itself: find(key, stamp), then under its own lock find again, compute and put(key, stamp, value)
// before it releases that lock, so the next one in line finds the value. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace minitorch::app::dashboard {

template <class V>
class ViewCache {
 public:
  explicit ViewCache(std::size_t capacity) : capacity_(capacity) {}

  V get(const std::string& key, const std::string& stamp, const std::function<V()>& compute) {
    if (std::optional<V> cached = find(key, stamp)) return std::move(*cached);
    V value = compute();
    put(key, stamp, value);
    return value;
  }

  // Keeps value under key for this stamp, replacing what key held before.
  void put(const std::string& key, const std::string& stamp, const V& value) {
    std::lock_guard lock(mutex_);
    entries_.remove_if([&key](const Entry& e) { return e.key == key; });
    entries_.push_front({key, stamp, value});
    while (entries_.size() > capacity_) entries_.pop_back();
  }

  // The value cached under key for this stamp, if any (it becomes the most recently used).
  std::optional<V> find(const std::string& key, const std::string& stamp) {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->key == key && it->stamp == stamp) {
        entries_.splice(entries_.begin(), entries_, it);
        return entries_.front().value;
      }
    }
    return std::nullopt;
  }

 private:
  struct Entry {
    std::string key, stamp;
    V value;
  };
  std::size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> entries_;
};

}  // namespace minitorch::app::dashboard
