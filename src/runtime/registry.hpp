#pragma once
// Registered names (register/unregister/whereis).
// Invariants: a name maps to at most one live process and a process has at most one name;
// a process that has begun exiting (`name_closed`) cannot get a name, and its name is
// removed as it exits. Thread safety: all operations take `mu_`.

#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "otp/atom.hpp"
#include "otp/pid.hpp"

namespace otp::detail {

struct process;

class registry {
 public:
  // False when the name is taken, the process already has a name, or it is exiting.
  bool add(atom name, process* p);
  bool remove(atom name);
  pid find(atom name) const;
  std::vector<atom> names() const;
  // Called by an exiting process: drops its name and refuses new ones.
  void close(process* p);
  // The name of p, if any (for process_info).
  bool name_of(process* p, atom& out) const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<atom, process*> by_name_;  // guarded by mu_
};

}  // namespace otp::detail
