// Dependency order for start: a depth-first walk that refuses cycles and missing
// applications before anything is started, so a start that cannot work starts nothing.

#include "start_plan.hpp"

#include <algorithm>
#include <optional>

namespace otp::application::internal {
namespace {

const atom a_kernel("kernel");

struct planner {
  const node_state& s;
  std::vector<descriptor> order;
  std::vector<atom> path;  // the applications being visited, outermost first
  std::optional<term> error;

  bool planned(atom app) const {
    return std::any_of(order.begin(), order.end(),
                       [app](const descriptor& d) { return d.name == app; });
  }

  std::vector<atom> needs(const descriptor& d) const OTPP_NO_THREAD_SAFETY_ANALYSIS {
    std::vector<atom> deps;
    if (d.name != a_kernel) deps.push_back(a_kernel);  // implied, as in every Erlang boot
    deps.insert(deps.end(), d.applications.begin(), d.applications.end());
    for (atom o : d.optional_applications)
      if (s.find_loaded(o)) deps.push_back(o);
    return deps;
  }

  term cycle_from(atom app) const {
    std::vector<term> cycle;
    auto it = std::find(path.begin(), path.end(), app);
    for (; it != path.end(); ++it) cycle.emplace_back(*it);
    cycle.emplace_back(app);
    return otp::tuple(app, otp::tuple(atom("circular_dependencies"), term::list(cycle)));
  }

  term missing(atom app, atom needed_by) const {
    if (needed_by == atom()) return otp::tuple(app, atom("not_loaded"));
    return otp::tuple(app,
                      otp::tuple(atom("not_loaded"), otp::tuple(atom("needed_by"), needed_by)));
  }

  bool visit(atom app, atom needed_by) OTPP_NO_THREAD_SAFETY_ANALYSIS {
    if (s.find_running(app) || planned(app)) return true;
    if (std::find(path.begin(), path.end(), app) != path.end()) {
      error = cycle_from(app);
      return false;
    }
    const descriptor* d = s.find_loaded(app);
    if (!d) {
      error = missing(app, needed_by);
      return false;
    }
    path.push_back(app);
    for (atom dep : needs(*d))
      if (!visit(dep, app)) return false;
    path.pop_back();
    order.push_back(*d);
    return true;
  }
};

}  // namespace

std::variant<std::vector<descriptor>, term> plan_start(const node_state& s, atom target) {
  planner p{s, {}, {}, {}};
  if (!p.visit(target, atom())) return std::move(*p.error);
  return std::move(p.order);
}

}  // namespace otp::application::internal
