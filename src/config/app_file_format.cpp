// Writing a descriptor as `.app` text that parse_descriptor reads back equal.

#include <stdexcept>
#include <string>
#include <vector>

#include "otp/application.hpp"
#include "term/utf8.hpp"

namespace otp::application {
namespace {

// An Erlang string literal. UTF-8 stays as it is (the reader takes UTF-8), so text in any
// script stays readable; quotes, backslashes and control characters are escaped.
std::string string_literal(std::string_view utf8, const char* what) {
  std::string out = "\"";
  for (size_t i = 0; i < utf8.size();) {
    size_t at = i;
    int32_t c = otp::detail::utf8_decode(utf8, i);
    if (c < 0)
      throw std::invalid_argument(std::string("format_descriptor: ") + what + " is not UTF-8");
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      const char octal[] = {'\\', char('0' + (c >> 6)), char('0' + ((c >> 3) & 7)),
                            char('0' + (c & 7)), 0};
      out += octal;
    } else {
      out.append(utf8.substr(at, i - at));
    }
  }
  return out + "\"";
}

// Term syntax has no text for pids, references, ports and local funs: a descriptor holding
// one could not be read back.
void check_writable(const term& t, const char* what) {
  std::vector<const term*> todo{&t};
  while (!todo.empty()) {
    const term* x = todo.back();
    todo.pop_back();
    if (x->is_pid() || x->is_reference() || x->is_port() || (x->is_fun() && !x->is_export_fun()))
      throw std::invalid_argument(std::string("format_descriptor: ") + what + " holds " +
                                  to_string(*x) + ", which term syntax cannot write");
    if (x->is_tuple()) {
      for (const term& e : x->elements()) todo.push_back(&e);
    } else if (x->is_cons()) {
      todo.push_back(&x->head());
      todo.push_back(&x->tail());
    } else if (x->is_map()) {
      for (const auto& [k, v] : x->map_entries()) {
        todo.push_back(&k);
        todo.push_back(&v);
      }
    }
  }
}

std::string atom_list(const std::vector<atom>& atoms) {
  std::string out = "[";
  for (size_t i = 0; i < atoms.size(); ++i) out += (i ? "," : "") + to_string(term(atoms[i]));
  return out + "]";
}

}  // namespace

std::string format_descriptor(const descriptor& d) {
  std::string out = "{application, " + to_string(term(d.name)) + ",\n";
  out += " [{description, " + string_literal(d.description, "description") + "},\n";
  out += "  {vsn, " + string_literal(d.vsn, "vsn") + "},\n";
  out += "  {registered, " + atom_list(d.registered) + "},\n";
  out += "  {applications, " + atom_list(d.applications) + "},\n";
  if (!d.optional_applications.empty())
    out += "  {optional_applications, " + atom_list(d.optional_applications) + "},\n";
  out += "  {env, [";
  for (size_t i = 0; i < d.env.size(); ++i) {
    check_writable(d.env[i].second, "env");
    out += (i ? ",\n         {" : "{") + to_string(term(d.env[i].first)) + ", " +
           to_string(d.env[i].second) + "}";
  }
  out += "]}";
  if (d.mod) {
    check_writable(d.mod->second, "mod");
    out += ",\n  {mod, {" + to_string(term(d.mod->first)) + ", " + to_string(d.mod->second) + "}}";
  }
  return out + "]}.\n";
}

}  // namespace otp::application
