// A session: its bindings, and the read-check-evaluate-print of each statement in a text.

#include <exception>

#include "otp/process.hpp"
#include "otp/shell.hpp"
#include "shell/eval.hpp"
#include "shell/parser.hpp"
#include "shell/raise.hpp"

namespace otp::shell {

struct session::impl {
  detail::bindings vars;

  // Evaluates one statement into `r`; false when it was q() (the rest is not evaluated).
  bool run(std::vector<otp::detail::token> tokens, std::string_view text, eval_result& r) {
    detail::statement s;
    try {
      s = detail::parse_statement(std::move(tokens), text);
    } catch (const detail::compile_error& e) {
      r.output += detail::format(e);
      r.what = eval_result::kind::error;
      return true;
    }
    ++r.evaluated;
    try {
      detail::check(s, vars);
    } catch (const detail::compile_error& e) {
      r.output += detail::format(e);
      r.what = eval_result::kind::error;
      return true;
    }
    return evaluate(s, r);
  }

  // On a copy of the bindings: a statement that fails binds nothing.
  bool evaluate(const detail::statement& s, eval_result& r) {
    detail::bindings work = vars;
    output out;
    detail::eval_context ctx{work, out};
    try {
      term v = detail::evaluate(s, ctx);
      vars = std::move(work);
      r.output += out.take() + to_string(v) + "\n";
      r.value = std::move(v);
      r.what = ctx.quit ? eval_result::kind::quit : eval_result::kind::value;
      return !ctx.quit;
    } catch (const detail::erlang_exception& e) {
      r.output += out.take() + detail::format(e);
    } catch (const std::exception&) {  // a fault of the shell itself: reported, not fatal
      detail::erlang_exception e{
          atoms::error, exit_reason_of(std::current_exception()), {}, {}, term()};
      r.output += out.take() + detail::format(e);
    }
    r.what = eval_result::kind::error;
    return true;
  }
};

session::session() : impl_(std::make_unique<impl>()) {}
session::~session() = default;
session::session(session&&) noexcept = default;
session& session::operator=(session&&) noexcept = default;

eval_result session::eval(std::string_view text) {
  eval_result r;
  detail::split_text parts = detail::split_statements(text);
  if (parts.incomplete) {
    r.what = eval_result::kind::incomplete;
    return r;
  }
  for (auto& tokens : parts.statements)
    if (!impl_->run(std::move(tokens), text, r)) return r;
  if (parts.lex_error) {
    r.output += detail::format(*parts.lex_error);
    r.what = eval_result::kind::error;
  }
  return r;
}

std::string session::bindings() const {
  return detail::format_bindings(impl_->vars);
}

}  // namespace otp::shell
