#pragma once
// The supervisor, as a gen_server callback type (as OTP's supervisor is a gen_server).
//
// Invariants:
//  - `children_` is in start order; a running child has a non-null pid and is linked to us.
//  - We trap exits: a child's death arrives as {'EXIT', Pid, Reason} (handle_info); the
//    parent's EXIT is handled by gen_server itself, which calls terminate.
//  - `restarts_` holds the times of restarts within the last `period`.

#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "otp/supervisor.hpp"

namespace otp::supervisor::impl {

class supervisor_server {
 public:
  struct which_children_req {
    using reply = std::vector<child_info>;
  };
  struct count_children_req {
    using reply = child_counts;
  };
  struct start_child_req {
    using reply = start_result;
    child_spec spec;
  };
  struct start_extra_req {
    using reply = start_result;
    std::any extra;
  };
  struct terminate_child_req {
    using reply = term;
    term id;
  };
  struct restart_child_req {
    using reply = start_result;
    term id;
  };
  struct delete_child_req {
    using reply = term;
    term id;
  };
  struct retry_restart {  // a restart that failed is tried again
    term id;
    pid child;
  };
  using calls = types<which_children_req, count_children_req, start_child_req, start_extra_req,
                      terminate_child_req, restart_child_req, delete_child_req>;
  using infos = types<term, retry_restart>;

  supervisor_server(std::function<std::optional<spec>()> make, std::optional<atom> name);

  gen_server::init_result init();
  std::vector<child_info> handle_call(which_children_req, const from&);
  child_counts handle_call(count_children_req, const from&);
  start_result handle_call(start_child_req r, const from&);
  start_result handle_call(start_extra_req r, const from&);
  term handle_call(terminate_child_req r, const from&);
  start_result handle_call(restart_child_req r, const from&);
  term handle_call(delete_child_req r, const from&);
  gen_server::result handle_info(const term& t);
  gen_server::result handle_info(retry_restart r);
  void terminate(const term& reason);
  term to_term() const;

 private:
  struct child {
    child_spec spec;
    pid p;
    bool restarting = false;
    std::any extra;  // simple_one_for_one: the start_child argument
  };

  bool dynamic() const { return flags_.strategy == strategy_type::simple_one_for_one; }
  start_result start_one(child& c);
  void stop_one(child& c);
  void stop_all_reverse(size_t from_index);
  void stop_all_together();
  std::optional<size_t> find_by_id(const term& id) const;
  std::optional<size_t> find_by_pid(const pid& p) const;
  gen_server::result child_exited(const pid& p, const term& reason);
  bool note_restart();
  gen_server::result restart(size_t index);
  gen_server::result give_up();
  void report(const char* context, const term& reason, const child& c);
  void report_progress(const child& c);
  term sup_name() const;

  std::function<std::optional<spec>()> make_;
  std::optional<atom> name_;
  sup_flags flags_;
  std::vector<child> children_;
  std::optional<child_spec> template_;  // simple_one_for_one
  std::deque<int64_t> restarts_;
};

}  // namespace otp::supervisor::impl
