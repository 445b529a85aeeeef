// The public functions of otp/application.hpp that go through the controller, and the
// read-only views of the node's application table.

#include "controller.hpp"
#include "node_state.hpp"

namespace otp::application {
namespace {

using internal::ac_request;

term call(ac_request r) {
  std::shared_ptr<internal::node_state> s = internal::state();
  return internal::call_controller(*s, std::move(r));
}

app_info info_of(const descriptor& d) {
  app_info i;
  i.name = d.name;
  i.description = d.description;
  i.vsn = d.vsn;
  return i;
}

}  // namespace

std::string_view to_string(start_type t) noexcept {
  switch (t) {
    case start_type::permanent:
      return "permanent";
    case start_type::transient:
      return "transient";
    case start_type::temporary:
      return "temporary";
  }
  return "temporary";
}

term load(descriptor d) {
  ac_request r{ac_request::op::load, d.name, temporary, std::nullopt};
  r.desc = std::move(d);
  return call(std::move(r));
}

term unload(atom name) {
  return call({ac_request::op::unload, name, temporary, std::nullopt});
}

term start(atom name, start_type type) {
  return call({ac_request::op::start, name, type, std::nullopt});
}

term ensure_all_started(atom name, start_type type) {
  return call({ac_request::op::ensure_all_started, name, type, std::nullopt});
}

term stop(atom name) {
  return call({ac_request::op::stop, name, temporary, std::nullopt});
}

void stop_all() {
  call({ac_request::op::stop_all, atom(), temporary, std::nullopt});
}

std::vector<app_info> which_applications() {
  std::shared_ptr<internal::node_state> s = internal::state();
  std::vector<app_info> out;
  detail::lock_guard lk(s->mu);
  for (auto it = s->running.rbegin(); it != s->running.rend(); ++it) {  // newest first
    app_info i = info_of(*s->find_loaded(it->name));                    // running implies loaded
    i.type = it->type;
    i.top = it->top;
    out.push_back(std::move(i));
  }
  return out;
}

std::vector<app_info> loaded_applications() {
  std::shared_ptr<internal::node_state> s = internal::state();
  std::vector<app_info> out;
  detail::lock_guard lk(s->mu);
  for (const descriptor& d : s->loaded) {
    app_info i = info_of(d);
    if (const internal::running_app* r = s->find_running(d.name)) {
      i.type = r->type;
      i.top = r->top;
    }
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace otp::application
