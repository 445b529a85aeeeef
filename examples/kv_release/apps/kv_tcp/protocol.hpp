#pragma once
// kv_tcp's line protocol. One command per line, one reply line per command:
//
//   SET key value   OK | ERROR store full        value: the rest of the line
//   GET key         VALUE value | NOT_FOUND
//   DEL key         OK | NOT_FOUND
//   KEYS            KEYS key1 key2 ...           sorted
//   COUNT           COUNT n
//   STATS           STATS count=n delete=n ...
//   HELP            OK commands: ...
//   QUIT            BYE, then the server closes the connection
//   anything else   ERROR unknown command (try HELP)
//
// Command words are case-insensitive; a trailing \r (telnet) is ignored; an empty line
// gets no reply. While kv_store is down (being restarted) commands reply ERROR ... .

#include <string>
#include <string_view>

namespace kv_tcp {

struct reply {
  std::string line;   // without the newline; empty: nothing to send
  bool quit = false;  // close the connection after sending
};

/// Runs one command line against kv_store (kv.hpp). In a process.
reply execute(std::string_view line);

}  // namespace kv_tcp
