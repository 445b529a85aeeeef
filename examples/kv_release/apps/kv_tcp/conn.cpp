#include "conn.hpp"

#include <sys/socket.h>

#include <otp/logger.hpp>

#include "protocol.hpp"

namespace kv_tcp {

namespace gs = otp::gen_server;

conn::conn(int fd) : fd_(duplicate(fd)), peer_(peer_name(fd)) {}

gs::result conn::handle_info(tcp_line l) {
  reply r = execute(l.text);
  if (r.line.empty()) return gs::noreply();
  ++commands_;
  if (!send_all(fd_.get(), r.line + "\n")) {
    otp::logger::info("kv_tcp: cannot write to {}; closing", peer_);
    return gs::result::stop(otp::tuple(otp::atom("shutdown"), otp::atom("send_failed")));
  }
  if (!r.quit) return gs::noreply();
  // The listener holds the socket open too: shutdown tells the client now, and the
  // listener sees the end of input and closes its side.
  ::shutdown(fd_.get(), SHUT_RDWR);
  return gs::result::stop(otp::atom("normal"));
}

gs::result conn::handle_info(tcp_closed c) {
  if (!c.why.empty()) send_all(fd_.get(), "ERROR " + c.why + "\n");
  return gs::result::stop(otp::atom("normal"));
}

otp::term conn::to_term() const {
  return otp::term::map({{otp::atom("peer"), otp::term::binary(peer_)},
                         {otp::atom("commands"), static_cast<int64_t>(commands_)}});
}

}  // namespace kv_tcp
