#pragma once
// A singly linked list whose nodes come from the node pool: links, monitors and watchers of
// a process. An empty list is one pointer; adding or removing an entry costs a pool
// allocation (~2 ns), not a malloc, so the monitor every gen_server call sets up and tears
// down is cheap and an idle process keeps no buffer.
// Thread safety: owned by one process (see process.hpp).

#include <cstddef>
#include <new>
#include <utility>

#include "otp/detail/message.hpp"

namespace otp::detail {

template <class T>
class pool_list {
  struct node {
    node* next;
    T value;
  };

 public:
  pool_list() = default;
  pool_list(const pool_list&) = delete;
  pool_list& operator=(const pool_list&) = delete;
  ~pool_list() { clear(); }

  class iterator {
   public:
    explicit iterator(node* n) : n_(n) {}
    T& operator*() const { return n_->value; }
    T* operator->() const { return &n_->value; }
    iterator& operator++() {
      n_ = n_->next;
      return *this;
    }
    bool operator==(const iterator& o) const { return n_ == o.n_; }

   private:
    node* n_;
  };
  iterator begin() const { return iterator(head_); }
  iterator end() const { return iterator(nullptr); }

  bool empty() const noexcept { return head_ == nullptr; }
  size_t size() const noexcept {
    size_t n = 0;
    for (node* p = head_; p; p = p->next) ++n;
    return n;
  }

  // Adds at the front: iteration is newest first (reverse() gives oldest first).
  T& push(T value) {
    node* n = new (alloc_node(sizeof(node))) node{head_, std::move(value)};
    head_ = n;
    return n->value;
  }

  template <class Pred>
  T* find(Pred pred) const {
    for (node* p = head_; p; p = p->next)
      if (pred(p->value)) return &p->value;
    return nullptr;
  }

  // Removes every entry matching pred; returns how many.
  template <class Pred>
  size_t erase_if(Pred pred) {
    size_t n = 0;
    for (node** link = &head_; *link;) {
      node* p = *link;
      if (pred(p->value)) {
        *link = p->next;
        destroy(p);
        ++n;
      } else {
        link = &p->next;
      }
    }
    return n;
  }

  // Reverses the list in place: entries then come in the order they were pushed.
  void reverse() noexcept {
    node* out = nullptr;
    while (node* p = head_) {
      head_ = p->next;
      p->next = out;
      out = p;
    }
    head_ = out;
  }

  void clear() noexcept {
    while (node* p = head_) {
      head_ = p->next;
      destroy(p);
    }
  }

 private:
  static void destroy(node* p) noexcept {
    p->~node();
    free_node(p, sizeof(node));
  }
  node* head_ = nullptr;
};

}  // namespace otp::detail
