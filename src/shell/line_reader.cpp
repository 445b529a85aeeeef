// line_reader: libedit's histedit API on a terminal (emacs keys, history, ~/.editrc), plain
// buffered lines otherwise, so pipes and tests read exactly what was written.

#include <histedit.h>
#include <unistd.h>

#include <string>

#include "otp/shell.hpp"

namespace otp::shell {

struct line_reader::impl {
  std::FILE* in = stdin;
  std::FILE* out = stdout;
  EditLine* el = nullptr;
  History* hist = nullptr;
  HistEvent ev{};
  std::string prompt;
  std::string history_file;

  ~impl() {
    if (el) el_end(el);
    if (hist) history_end(hist);
  }

  // libedit asks for the prompt through a C callback; the client data leads back here.
  static char* prompt_of(EditLine* e) {
    void* self = nullptr;
    el_get(e, EL_CLIENTDATA, &self);
    return static_cast<impl*>(self)->prompt.data();
  }

  void start_editing(const std::string& program) {
    el = el_init(program.c_str(), in, out, stderr);
    if (!el) return;  // e.g. no usable terminal description: plain lines then
    hist = history_init();
    history(hist, &ev, H_SETSIZE, 1000);
    history(hist, &ev, H_SETUNIQUE, 1);
    if (!history_file.empty()) history(hist, &ev, H_LOAD, history_file.c_str());
    el_set(el, EL_CLIENTDATA, this);
    el_set(el, EL_PROMPT, &impl::prompt_of);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_HIST, history, hist);
    el_set(el, EL_SIGNAL, 1);  // restore the terminal on signals
    el_source(el, nullptr);    // ~/.editrc, as other libedit programs
  }

  bool read_edited(std::string& line) {
    int count = 0;
    const char* s = el_gets(el, &count);
    if (!s || count <= 0) return false;
    line.assign(s, size_t(count));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) {
      history(hist, &ev, H_ENTER, line.c_str());
      if (!history_file.empty()) history(hist, &ev, H_SAVE, history_file.c_str());
    }
    return true;
  }

  bool read_plain(std::string& line) {
    std::fputs(prompt.c_str(), out);
    std::fflush(out);
    line.clear();
    int c;
    while ((c = std::fgetc(in)) != EOF && c != '\n') line += char(c);
    if (c == EOF && line.empty()) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }
};

line_reader::line_reader(std::string program_name, std::string history_file)
    : impl_(std::make_unique<impl>()) {
  impl_->history_file = std::move(history_file);
  if (isatty(fileno(stdin)) && isatty(fileno(stdout))) impl_->start_editing(program_name);
}

line_reader::line_reader(std::FILE* in, std::FILE* out) : impl_(std::make_unique<impl>()) {
  impl_->in = in;
  impl_->out = out;
}

line_reader::~line_reader() = default;

bool line_reader::read(const std::string& prompt, std::string& line) {
  impl_->prompt = prompt;
  return impl_->el ? impl_->read_edited(line) : impl_->read_plain(line);
}

bool line_reader::interactive() const noexcept {
  return impl_->el != nullptr;
}

void line_reader::write(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), impl_->out);
  std::fflush(impl_->out);
}

}  // namespace otp::shell
