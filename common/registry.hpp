// Alternatives (strategies, sleep rules, event queues, ...) registered by name with a description and
// a factory. One pattern everywhere, so listing and "unknown name, choose one of" come for free.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jettison {

template <class Product, class... Args>
class Registry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    std::function<Product(Args...)> make;
    // The alternative does nothing and keeps no state (a prefetcher that never prefetches, a trigger
    // that always migrates): a caller holding one object per entity may hold none and act as the
    // rule says. `make` still gives an object, for callers that want one.
    bool inert = false;
  };

  Registry& add(std::string name, std::string description, std::function<Product(Args...)> make) {
    entries_.push_back({std::move(name), std::move(description), std::move(make)});
    return *this;
  }
  // An alternative that does nothing and keeps no state (Entry::inert).
  Registry& add_inert(std::string name, std::string description, std::function<Product(Args...)> make) {
    entries_.push_back({std::move(name), std::move(description), std::move(make), true});
    return *this;
  }
  const Entry* find(std::string_view name) const {
    for (const Entry& e : entries_)
      if (e.name == name) return &e;
    return nullptr;
  }
  const std::vector<Entry>& entries() const { return entries_; }
  // "a, b, c": for error messages that list the valid choices.
  std::string names() const {
    std::string out;
    for (const Entry& e : entries_) {
      if (!out.empty()) out += ", ";
      out += e.name;
    }
    return out;
  }

 private:
  std::vector<Entry> entries_;
};

}  // namespace jettison
